"""Exercises."""

from typing import Any, Self

from pydantic import Field

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Exercise
from trilink.secretariat.web.schemas.common import (
    Date,
    I18nIn,
    Nations,
    OrmOut,
    StrictIn,
    StrictPatch,
    iso,
    patch_of,
    split_list,
)

__all__ = ["ExerciseIn", "ExerciseOut", "ExercisePatch"]


class ExerciseIn(StrictIn):
    key: str
    name: I18nIn
    starts_on: str
    ends_on: str
    participants: Nations = "all"
    domains: str | list[str] = ""
    description: I18nIn | None = None
    scenario: str | None = None
    status: str = "planned"
    visible_to: Nations = "all"


@patch_of(
    ExerciseIn,
    "name description starts_on ends_on participants domains scenario status visible_to",
)
class ExercisePatch(StrictPatch):
    """Fields to change (left out: unchanged; ``scenario: ""`` clears it); ``visible_to`` can
    only be widened."""


class ExerciseOut(OrmOut):
    id: int
    key: str
    name: str
    starts_on: Date
    ends_on: Date
    participants: list[str]
    domains: list[str]
    scenario: str | None
    status: str
    after_action: dict[str, Any] | None = Field(description="figures of the attached run")
    visible_to: list[str]

    @classmethod
    def of(cls, e: Exercise, lang: str) -> Self:
        return cls.copy_of(
            e,
            name=pick(e.name, lang),
            starts_on=iso(e.starts_on),
            ends_on=iso(e.ends_on),
            participants=e.participants.split(","),
            domains=split_list(e.domains),
        )
