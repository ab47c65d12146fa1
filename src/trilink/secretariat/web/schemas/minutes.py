"""Minutes: revisions and approvals."""

from typing import Self

from pydantic import BaseModel, Field

from trilink.secretariat.models import Minutes
from trilink.secretariat.web.schemas.common import DateTime, I18nIn, OrmOut, StrictIn, iso

__all__ = ["ApprovalOut", "MinutesIn", "MinutesOut", "MinutesStateOut", "RevisionOut"]


class MinutesIn(StrictIn):
    body: I18nIn


class MinutesStateOut(OrmOut):
    state: str
    revision: int


class ApprovalOut(BaseModel):
    nation: str
    revision: int
    approver: str


class RevisionOut(BaseModel):
    number: int
    author: str
    created_at: DateTime


class MinutesOut(MinutesStateOut):
    body: dict[str, str] = Field(description="the current revision's text in each language")
    approvals: list[ApprovalOut]
    revisions: list[RevisionOut]

    @classmethod
    def of(cls, mins: Minutes) -> Self:
        return cls.copy_of(
            mins,
            body=mins.revisions[-1].body if mins.revisions else {},
            approvals=[
                ApprovalOut(nation=a.nation, revision=a.revision, approver=a.approver)
                for a in mins.approvals
            ],
            revisions=[
                RevisionOut(number=r.number, author=r.author, created_at=iso(r.created_at))
                for r in mins.revisions
            ],
        )
