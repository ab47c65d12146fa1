"""Types and helpers every API schema uses; the error body."""

import datetime as dt
from typing import Annotated, overload

from pydantic import BaseModel, ConfigDict, WithJsonSchema

__all__ = [
    "Date",
    "DateTime",
    "ErrorOut",
    "I18nIn",
    "Nations",
    "StatusOut",
    "StrictIn",
    "StrictPatch",
    "iso",
    "split_list",
]


I18nIn = str | dict[str, str]
Nations = str | list[str]
#: an ISO 8601 date-time with offset, as ``datetime.isoformat()`` writes it
DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
#: an ISO 8601 calendar date
Date = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


@overload
def iso(value: dt.date) -> str: ...
@overload
def iso(value: dt.date | None) -> str | None: ...
def iso(value: dt.date | None) -> str | None:
    """``isoformat()`` (None stays None): the one date format of the API."""
    return value.isoformat() if value is not None else None


def split_list(value: str) -> list[str]:
    """The items of a comma-separated column (empty items dropped)."""
    return [v for v in value.split(",") if v]


class StrictIn(BaseModel):
    """Base of every request body: no coercion, so ``true`` is not a number and ``"5"`` not 5."""

    model_config = ConfigDict(strict=True)


class StrictPatch(StrictIn):
    """Base of a PATCH body: also refuses unknown fields, so a misspelt field is not a no-op."""

    model_config = ConfigDict(strict=True, extra="forbid")


class ErrorOut(BaseModel):
    """Every refused request."""

    error: str


class StatusOut(BaseModel):
    status: str
