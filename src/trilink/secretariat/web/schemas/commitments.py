"""Commitments, milestones and evidence."""

from typing import Self

from pydantic import BaseModel, Field

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Commitment, Milestone
from trilink.secretariat.web.schemas.common import (
    Date,
    DateTime,
    I18nIn,
    Nations,
    OrmOut,
    StrictIn,
    iso,
    patch_of,
)

__all__ = [
    "CommitmentIn",
    "CommitmentOut",
    "CommitmentPatch",
    "EvidenceIn",
    "EvidenceOut",
    "MilestoneDone",
    "MilestoneDue",
    "MilestoneIn",
    "MilestoneOut",
]


class CommitmentIn(StrictIn):
    title: I18nIn
    owners: Nations
    deadline: str | None = None
    description: I18nIn | None = None
    workstream_id: int | None = None
    parent_id: int | None = None
    status: str = "open"
    progress: float = 0.0
    weight: float = 1.0
    review_date: str | None = None
    deadline_note: str | None = None
    visible_to: Nations = "all"
    key: str | None = None


@patch_of(
    CommitmentIn,
    "title description owners deadline deadline_note review_date status progress weight "
    "visible_to parent_id workstream_id",
)
class CommitmentPatch(StrictIn):
    pass


class MilestoneIn(StrictIn):
    title: I18nIn
    due: str | None = None


class MilestoneOut(OrmOut):
    id: int
    title: str
    due: DateTime | None
    done_at: DateTime | None

    @classmethod
    def of(cls, m: Milestone, lang: str) -> Self:
        return cls.copy_of(m, title=pick(m.title, lang), due=iso(m.due), done_at=iso(m.done_at))


class MilestoneDue(BaseModel):
    id: int
    due: DateTime | None


class MilestoneDone(BaseModel):
    id: int
    done_at: DateTime | None


class EvidenceIn(StrictIn):
    url: str
    label: str


class EvidenceOut(OrmOut):
    id: int
    url: str
    label: str


class CommitmentOut(OrmOut):
    id: int
    key: str | None
    title: str
    title_i18n: dict[str, str]
    description_i18n: dict[str, str]
    owners: list[str]
    deadline: DateTime | None
    deadline_note: str | None
    review_date: Date | None
    status: str
    progress: float
    rolled_progress: float = Field(description="weighted mean over visible sub-commitments")
    weight: float
    workstream_id: int | None
    parent_id: int | None
    source_outcome_id: int | None
    visible_to: list[str]
    milestones: list[MilestoneOut]
    evidence: list[EvidenceOut]

    @classmethod
    def of(cls, c: Commitment, lang: str, *, rolled_progress: float) -> Self:
        return cls.copy_of(
            c,
            title=pick(c.title, lang),
            title_i18n=c.title,
            description_i18n=c.description,
            owners=c.owners.split(","),
            deadline=iso(c.deadline),
            review_date=iso(c.review_date),
            rolled_progress=round(rolled_progress, 3),
            milestones=[MilestoneOut.of(m, lang) for m in c.milestones],
            evidence=[EvidenceOut.copy_of(e) for e in c.evidence],
        )
