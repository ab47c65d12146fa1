"""Workstreams."""

from typing import Self

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Workstream
from trilink.secretariat.web.schemas.common import (
    I18nIn,
    Nations,
    OrmOut,
    StrictIn,
    StrictPatch,
    patch_of,
)

__all__ = ["WorkstreamIn", "WorkstreamOut", "WorkstreamPatch"]


class WorkstreamIn(StrictIn):
    key: str
    title: I18nIn
    description: I18nIn | None = None
    owners: Nations = "all"
    status: str = "active"
    visible_to: Nations = "all"


@patch_of(WorkstreamIn, "title description owners status visible_to")
class WorkstreamPatch(StrictPatch):
    """Fields to change (left out: unchanged); ``visible_to`` can only be widened."""


class WorkstreamOut(OrmOut):
    id: int
    key: str
    title: str
    title_i18n: dict[str, str]
    description_i18n: dict[str, str]
    owners: list[str]
    status: str
    visible_to: list[str]

    @classmethod
    def of(cls, w: Workstream, lang: str) -> Self:
        return cls.copy_of(
            w,
            title=pick(w.title, lang),
            title_i18n=w.title,
            description_i18n=w.description,
            owners=w.owners.split(","),
        )
