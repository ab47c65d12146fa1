"""Types and helpers every API schema uses; the error body."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Self, TypeVar, cast, overload

from pydantic import BaseModel, ConfigDict, WithJsonSchema, create_model

__all__ = [
    "Date",
    "DateTime",
    "ErrorOut",
    "I18nIn",
    "Nations",
    "OrmOut",
    "StatusOut",
    "StrictIn",
    "StrictPatch",
    "iso",
    "patch_of",
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


class OrmOut(BaseModel):
    """Base of a response built from an ORM object."""

    @classmethod
    def copy_of(cls, obj: object, **computed: Any) -> Self:
        """The response with the ``computed`` values and every other field copied from the
        attribute of that name of ``obj`` (a tuple such as ``visible_to`` is sent as a list)."""
        copied = {name: getattr(obj, name) for name in cls.model_fields if name not in computed}
        return cls(**copied, **computed)


M = TypeVar("M", bound=BaseModel)


def patch_of(source: type[BaseModel], names: str) -> Callable[[type[M]], type[M]]:
    """Class decorator: the PATCH body gets ``source``'s fields ``names`` (separated by spaces)
    in that order, each optional with None (unchanged) as its default; a field the class
    declares itself is kept as declared. Base, name and docstring stay the class's own."""

    def build(cls: type[M]) -> type[M]:
        fields: dict[str, Any] = {}
        for name in names.split():
            own = cls.model_fields.get(name)
            if own is not None:
                fields[name] = (own.annotation, own)
            else:
                kind: Any = source.model_fields[name].annotation
                fields[name] = (kind | None, None)
        made: type[BaseModel] = create_model(
            cls.__name__,
            __base__=cls.__bases__[0],
            __doc__=cls.__doc__,
            __module__=cls.__module__,
            **fields,
        )
        return cast("type[M]", made)

    return build
