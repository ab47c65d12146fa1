"""The REST API's request and response bodies (they make the OpenAPI document).

Response models are built from ORM objects with ``of``; dates and times are the ISO strings of
``isoformat()`` (times keep their ``+00:00`` offset), texts in several languages come both picked
for the requested language and as the full ``*_i18n`` mapping where the API has always sent both.
"""

import datetime as dt
from typing import Annotated, Any, Self, overload
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, WithJsonSchema

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import (
    AgendaItem,
    Attachment,
    AuditEntry,
    Commitment,
    Document,
    DocumentVersion,
    Evidence,
    Exercise,
    Meeting,
    MeetingSeries,
    Milestone,
    Minutes,
    Outcome,
    User,
    Workstream,
)

__all__ = [
    "AgendaIn",
    "AgendaItemOut",
    "AttachmentOut",
    "AuditOut",
    "CommitmentIn",
    "CommitmentOut",
    "CommitmentPatch",
    "CreatedAgendaItem",
    "CreatedVersion",
    "DocumentIn",
    "DocumentOut",
    "ErrorOut",
    "EvidenceIn",
    "EvidenceOut",
    "ExerciseIn",
    "ExerciseOut",
    "GenerateIn",
    "LangIn",
    "LangOut",
    "LoginIn",
    "LoginOut",
    "MeOut",
    "MeetingDetailOut",
    "MeetingIn",
    "MeetingOut",
    "MilestoneDone",
    "MilestoneDue",
    "MilestoneIn",
    "MilestoneOut",
    "MinutesIn",
    "MinutesOut",
    "MinutesStateOut",
    "OutcomeIn",
    "OutcomeOut",
    "PromoteIn",
    "SeriesIn",
    "SeriesOut",
    "StatusOut",
    "StoredAttachment",
    "VersionIn",
    "VersionOut",
    "WorkstreamIn",
    "WorkstreamOut",
    "iso",
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


def _split(value: str) -> list[str]:
    return [v for v in value.split(",") if v]


# ---------------------------------------------------------------------------- errors, auth
class ErrorOut(BaseModel):
    """Every refused request."""

    error: str


class StatusOut(BaseModel):
    status: str


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class LoginOut(BaseModel):
    username: str
    nation: str
    role: str
    csrf: str = Field(description="send as X-CSRF-Token on writes")


class MeOut(BaseModel):
    username: str
    nation: str
    role: str
    lang: str
    csrf: str
    calendar: str = Field(description="path of the user's iCalendar feed")

    @classmethod
    def of(cls, user: User, csrf: str) -> Self:
        return cls(
            username=user.username,
            nation=user.nation,
            role=user.role,
            lang=user.lang,
            csrf=csrf,
            calendar=f"/calendar/{user.ical_token}.ics",
        )


class LangIn(BaseModel):
    lang: str


class LangOut(BaseModel):
    lang: str


# ---------------------------------------------------------------------------- workstreams
class WorkstreamIn(BaseModel):
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


# ---------------------------------------------------------------------------- commitments
class CommitmentIn(BaseModel):
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


class CommitmentPatch(BaseModel):
    title: I18nIn | None = None
    description: I18nIn | None = None
    owners: Nations | None = None
    deadline: str | None = None
    deadline_note: str | None = None
    review_date: str | None = None
    status: str | None = None
    progress: float | None = None
    weight: float | None = None
    visible_to: Nations | None = None
    parent_id: int | None = None
    workstream_id: int | None = None


class MilestoneIn(BaseModel):
    title: I18nIn
    due: str | None = None


class MilestoneOut(BaseModel):
    id: int
    title: str
    due: DateTime | None
    done_at: DateTime | None

    @classmethod
    def of(cls, m: Milestone, lang: str) -> Self:
        return cls(id=m.id, title=pick(m.title, lang), due=iso(m.due), done_at=iso(m.done_at))


class MilestoneDue(BaseModel):
    id: int
    due: DateTime | None


class MilestoneDone(BaseModel):
    id: int
    done_at: DateTime | None


class EvidenceIn(BaseModel):
    url: str
    label: str


class EvidenceOut(BaseModel):
    id: int
    url: str
    label: str

    @classmethod
    def of(cls, e: Evidence) -> Self:
        return cls(id=e.id, url=e.url, label=e.label)


class CommitmentOut(BaseModel):
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
        return cls(
            id=c.id,
            key=c.key,
            title=pick(c.title, lang),
            title_i18n=c.title,
            description_i18n=c.description,
            owners=c.owners.split(","),
            deadline=iso(c.deadline),
            deadline_note=c.deadline_note,
            review_date=iso(c.review_date),
            status=c.status,
            progress=c.progress,
            rolled_progress=round(rolled_progress, 3),
            weight=c.weight,
            workstream_id=c.workstream_id,
            parent_id=c.parent_id,
            source_outcome_id=c.source_outcome_id,
            visible_to=list(c.visible_to),
            milestones=[MilestoneOut.of(m, lang) for m in c.milestones],
            evidence=[EvidenceOut.of(e) for e in c.evidence],
        )


# ---------------------------------------------------------------------------- meetings
class SeriesIn(BaseModel):
    key: str
    kind: str
    title: I18nIn
    rule: str
    tz: str
    anchor: str = Field(description="first occurrence, local wall time YYYY-MM-DDTHH:MM")
    duration_min: int = 120
    location: str = ""
    workstream_id: int | None = None
    visible_to: Nations = "all"


class SeriesOut(BaseModel):
    id: int
    key: str
    kind: str
    title: str
    rule: str
    tz: str
    anchor: str = Field(description="first occurrence, local wall time YYYY-MM-DDTHH:MM")
    duration_min: int
    visible_to: list[str]

    @classmethod
    def of(cls, s: MeetingSeries, lang: str) -> Self:
        return cls(
            id=s.id,
            key=s.key,
            kind=s.kind,
            title=pick(s.title, lang),
            rule=s.rule,
            tz=s.tz,
            anchor=s.anchor_local,
            duration_min=s.duration_min,
            visible_to=list(s.visible_to),
        )


class GenerateIn(BaseModel):
    until: str


class MeetingIn(BaseModel):
    title: I18nIn
    start: str = Field(description="local wall time YYYY-MM-DDTHH:MM in tz")
    tz: str
    duration_min: int = 120
    location: str = ""
    status: str = "scheduled"
    series_id: int | None = None
    visible_to: Nations = "all"
    key: str | None = None


class AgendaIn(BaseModel):
    title: I18nIn
    presenter: str = ""
    duration_min: int = 15


class AgendaItemOut(BaseModel):
    id: int
    position: int
    title: str
    presenter: str
    duration_min: int

    @classmethod
    def of(cls, a: AgendaItem, lang: str) -> Self:
        return cls(
            id=a.id,
            position=a.position,
            title=pick(a.title, lang),
            presenter=a.presenter,
            duration_min=a.duration_min,
        )


class CreatedAgendaItem(BaseModel):
    id: int
    position: int


class OutcomeIn(BaseModel):
    kind: str
    text: I18nIn
    agenda_item_id: int | None = None
    owners: Nations | None = None
    deadline: str | None = None


class OutcomeOut(BaseModel):
    id: int
    meeting_id: int
    kind: str
    text: str
    text_i18n: dict[str, str]
    commitment_id: int | None

    @classmethod
    def of(cls, o: Outcome, lang: str) -> Self:
        return cls(
            id=o.id,
            meeting_id=o.meeting_id,
            kind=o.kind,
            text=pick(o.text, lang),
            text_i18n=o.text,
            commitment_id=o.commitment_id,
        )


class PromoteIn(BaseModel):
    owners: Nations
    deadline: str | None = None
    title: I18nIn | None = None
    workstream_id: int | None = None


class MinutesIn(BaseModel):
    body: I18nIn


class MinutesStateOut(BaseModel):
    state: str
    revision: int

    @classmethod
    def of(cls, mins: Minutes) -> Self:
        return cls(state=mins.state, revision=mins.revision)


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
        return cls(
            state=mins.state,
            revision=mins.revision,
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


class MeetingOut(BaseModel):
    id: int
    key: str | None
    series_id: int | None
    title: str
    title_i18n: dict[str, str]
    starts_at: DateTime
    ends_at: DateTime
    local_start: DateTime = Field(description="the start in the meeting's own time zone")
    tz: str
    location: str
    status: str
    visible_to: list[str]

    @classmethod
    def of(cls, m: Meeting, lang: str) -> Self:
        return cls(**_meeting_fields(m, lang))


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]
    outcomes: list[OutcomeOut]
    minutes: MinutesOut | None

    @classmethod
    def full(cls, m: Meeting, minutes: Minutes | None, lang: str) -> Self:
        return cls(
            **_meeting_fields(m, lang),
            agenda=[AgendaItemOut.of(a, lang) for a in m.agenda],
            outcomes=[OutcomeOut.of(o, lang) for o in m.outcomes],
            minutes=None if minutes is None else MinutesOut.of(minutes),
        )


def _meeting_fields(m: Meeting, lang: str) -> dict[str, Any]:
    return {
        "id": m.id,
        "key": m.key,
        "series_id": m.series_id,
        "title": pick(m.title, lang),
        "title_i18n": m.title,
        "starts_at": iso(m.starts_at),
        "ends_at": iso(m.ends_at),
        "local_start": m.starts_at.astimezone(ZoneInfo(m.tz)).isoformat(),
        "tz": m.tz,
        "location": m.location,
        "status": m.status,
        "visible_to": list(m.visible_to),
    }


# ---------------------------------------------------------------------------- exercises
class ExerciseIn(BaseModel):
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
            domains=_split(e.domains),
            scenario=e.scenario,
            status=e.status,
            after_action=e.after_action,
            visible_to=list(e.visible_to),
        )


# ---------------------------------------------------------------------------- documents
class DocumentIn(BaseModel):
    key: str
    kind: str
    title: I18nIn
    body: I18nIn
    issued_on: str | None = None
    source_url: str | None = None
    note: str = ""
    visible_to: Nations = "all"


class VersionIn(BaseModel):
    body: I18nIn
    note: str = ""


class AttachmentOut(BaseModel):
    id: int
    filename: str
    size: int
    sha256: str

    @classmethod
    def of(cls, a: Attachment) -> Self:
        return cls(id=a.id, filename=a.filename, size=a.size, sha256=a.sha256)


class StoredAttachment(BaseModel):
    id: int
    size: int
    sha256: str


class VersionOut(BaseModel):
    id: int
    number: int
    note: str
    body: str
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, v: DocumentVersion, lang: str) -> Self:
        return cls(
            id=v.id,
            number=v.number,
            note=v.note,
            body=pick(v.body, lang),
            attachments=[AttachmentOut.of(a) for a in v.attachments],
        )


class CreatedVersion(BaseModel):
    id: int
    number: int


class DocumentOut(BaseModel):
    id: int
    key: str
    kind: str
    title: str
    issued_on: Date | None
    source_url: str | None
    visible_to: list[str]
    versions: list[VersionOut]

    @classmethod
    def of(cls, d: Document, lang: str) -> Self:
        return cls(
            id=d.id,
            key=d.key,
            kind=d.kind,
            title=pick(d.title, lang),
            issued_on=iso(d.issued_on),
            source_url=d.source_url,
            visible_to=list(d.visible_to),
            versions=[VersionOut.of(v, lang) for v in d.versions],
        )


# ---------------------------------------------------------------------------- audit
class AuditOut(BaseModel):
    id: int
    at: DateTime
    actor: str
    actor_nation: str
    action: str
    object_type: str
    object_id: int
    before: dict[str, Any] | None = Field(description="the object's columns before the write")
    after: dict[str, Any] | None = Field(description="the object's columns after the write")

    @classmethod
    def of(cls, e: AuditEntry) -> Self:
        return cls(
            id=e.id,
            at=iso(e.at),
            actor=e.actor,
            actor_nation=e.actor_nation,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            before=e.before,
            after=e.after,
        )
