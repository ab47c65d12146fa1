"""Meeting outcomes and their promotion to commitments."""

from typing import Self

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Outcome
from trilink.secretariat.web.schemas.common import I18nIn, Nations, OrmOut, StrictIn

__all__ = ["OutcomeIn", "OutcomeOut", "PromoteIn"]


class OutcomeIn(StrictIn):
    kind: str
    text: I18nIn
    agenda_item_id: int | None = None
    owners: Nations | None = None
    deadline: str | None = None


class OutcomeOut(OrmOut):
    id: int
    meeting_id: int
    kind: str
    text: str
    text_i18n: dict[str, str]
    commitment_id: int | None

    @classmethod
    def of(cls, o: Outcome, lang: str) -> Self:
        return cls.copy_of(o, text=pick(o.text, lang), text_i18n=o.text)


class PromoteIn(StrictIn):
    owners: Nations
    deadline: str | None = None
    title: I18nIn | None = None
    workstream_id: int | None = None
