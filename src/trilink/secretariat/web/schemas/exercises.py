"""Exercises."""

from typing import Any, Self

from pydantic import BaseModel, Field

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Exercise
from trilink.secretariat.web.schemas.common import (
    Date,
    I18nIn,
    Nations,
    StrictIn,
    StrictPatch,
    iso,
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


class ExercisePatch(StrictPatch):
    """Fields to change (left out: unchanged; ``scenario: ""`` clears it); ``visible_to`` can
    only be widened."""

    name: I18nIn | None = None
    description: I18nIn | None = None
    starts_on: str | None = None
    ends_on: str | None = None
    participants: Nations | None = None
    domains: str | list[str] | None = None
    scenario: str | None = None
    status: str | None = None
    visible_to: Nations | None = None


class ExerciseOut(BaseModel):
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
        return cls(
            id=e.id,
            key=e.key,
            name=pick(e.name, lang),
            starts_on=iso(e.starts_on),
            ends_on=iso(e.ends_on),
            participants=e.participants.split(","),
            domains=split_list(e.domains),
            scenario=e.scenario,
            status=e.status,
            after_action=e.after_action,
            visible_to=list(e.visible_to),
        )
