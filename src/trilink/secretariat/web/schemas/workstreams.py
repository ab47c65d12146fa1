"""Workstreams."""

from typing import Self

from pydantic import BaseModel

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Workstream
from trilink.secretariat.web.schemas.common import I18nIn, Nations, StrictIn

__all__ = ["WorkstreamIn", "WorkstreamOut"]


class WorkstreamIn(StrictIn):
    key: str
    title: I18nIn
    description: I18nIn | None = None
    owners: Nations = "all"
    status: str = "active"
    visible_to: Nations = "all"


class WorkstreamOut(BaseModel):
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
        return cls(
            id=w.id,
            key=w.key,
            title=pick(w.title, lang),
            title_i18n=w.title,
            description_i18n=w.description,
            owners=w.owners.split(","),
            status=w.status,
            visible_to=list(w.visible_to),
        )
