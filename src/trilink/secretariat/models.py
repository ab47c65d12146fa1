"""The secretariat's data model (SQLAlchemy 2, typed ORM).

Conventions:
- Every shareable object carries three visibility flags (``vis_kor``, ``vis_usa``, ``vis_jpn``):
  shared with all three nations, or restricted to the named ones. One boolean per nation keeps the
  access filter a plain indexed column test on every database.
- Translatable fields are JSON objects ``{"en": ..., "ko": ..., "ja": ...}`` (see ``i18n``).
- Times are stored as naive UTC and handed back timezone-aware (``UTCDateTime``), because SQLite
  has no time zone type and mixing naive and aware datetimes is a classic source of bugs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import true
from sqlalchemy.types import TypeDecorator

from trilink import NATIONS

__all__ = [
    "AgendaItem",
    "MeetingAttendee",
    "Attachment",
    "AuditEntry",
    "Base",
    "Commitment",
    "Document",
    "DocumentVersion",
    "Evidence",
    "Exercise",
    "Meeting",
    "MeetingSeries",
    "Milestone",
    "Minutes",
    "MinutesApproval",
    "MinutesRevision",
    "Notification",
    "Outcome",
    "UTCDateTime",
    "User",
    "UserSession",
    "Visible",
    "Workstream",
]

I18n = dict[str, str]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; stored naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (so migrations are reproducible)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, str]: JSON,
        dict[str, Any]: JSON,
        dt.datetime: UTCDateTime,
    }


class Visible:
    """Mixin: per-nation visibility flags."""

    vis_kor: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    vis_usa: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    vis_jpn: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    @property
    def visible_to(self) -> tuple[str, ...]:
        """Nations that may see this object, in canonical order."""
        flags = {"KOR": self.vis_kor, "USA": self.vis_usa, "JPN": self.vis_jpn}
        return tuple(n for n in NATIONS if flags[n])

    def set_visible_to(self, nations: tuple[str, ...] | list[str]) -> None:
        """Restrict (or share) the object; ``nations`` must already be validated."""
        self.vis_kor = "KOR" in nations
        self.vis_usa = "USA" in nations
        self.vis_jpn = "JPN" in nations


class User(Base):
    """A person of one nation with one role."""

    __tablename__ = "sec_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(String(3))
    role: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    lang: Mapped[str] = mapped_column(String(2), default="en")
    password_hash: Mapped[str] = mapped_column(String(300))
    ical_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    #: a deactivated user cannot log in; their sessions and calendar feed end at once
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class UserSession(Base):
    """A login session; the cookie holds the token, the database only its hash."""

    __tablename__ = "sec_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("sec_user.id"))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    user: Mapped[User] = relationship()


class Workstream(Visible, Base):
    """An agenda of the cooperation (e.g. space security)."""

    __tablename__ = "sec_workstream"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[I18n]
    description: Mapped[I18n]
    owners: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Commitment(Visible, Base):
    """Who promised what by when; progress rolls up from sub-commitments by weight."""

    __tablename__ = "sec_commitment"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("sec_workstream.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sec_commitment.id"))
    title: Mapped[I18n]
    description: Mapped[I18n]
    owners: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[dt.datetime | None]
    deadline_note: Mapped[str | None] = mapped_column(String(200), default=None)
    review_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    # Plain integer, not a foreign key: Outcome already points here and a cycle of foreign keys
    # cannot be created on SQLite.
    source_outcome_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    milestones: Mapped[list[Milestone]] = relationship(
        order_by="Milestone.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        order_by="Evidence.id", cascade="all, delete-orphan"
    )


class Milestone(Base):
    """A dated step of a commitment."""

    __tablename__ = "sec_milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("sec_commitment.id"))
    title: Mapped[I18n]
    due: Mapped[dt.datetime | None]
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Evidence(Base):
    """A link that shows progress (a press release, a joint statement)."""

    __tablename__ = "sec_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("sec_commitment.id"))
    url: Mapped[str] = mapped_column(String(2000))
    label: Mapped[str] = mapped_column(String(300))
    added_at: Mapped[dt.datetime]


class MeetingSeries(Visible, Base):
    """A recurring format (annual summit, Defense Trilateral Talks, a working group)."""

    __tablename__ = "sec_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[I18n]
    rule: Mapped[str] = mapped_column(String(200))
    tz: Mapped[str] = mapped_column(String(64))
    #: first occurrence as local wall time in ``tz`` (``YYYY-MM-DDTHH:MM``); fixes time of day
    anchor_local: Mapped[str] = mapped_column(String(19))
    duration_min: Mapped[int] = mapped_column(Integer, default=120)
    location: Mapped[str] = mapped_column(String(200), default="")
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("sec_workstream.id"))
    created_at: Mapped[dt.datetime]


class Meeting(Visible, Base):
    """One meeting; generated from a series or stand-alone."""

    __tablename__ = "sec_meeting"
    __table_args__ = (UniqueConstraint("series_id", "starts_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("sec_series.id"))
    title: Mapped[I18n]
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    tz: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    created_at: Mapped[dt.datetime]
    agenda: Mapped[list[AgendaItem]] = relationship(
        order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        order_by="Outcome.id", cascade="all, delete-orphan", foreign_keys="Outcome.meeting_id"
    )
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        order_by="MeetingAttendee.id", cascade="all, delete-orphan"
    )


class MeetingAttendee(Base):
    """Who attends a meeting: a user or a free-text name, their nation and delegation role."""

    __tablename__ = "sec_meeting_attendee"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("sec_meeting.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("sec_user.id"), default=None)
    name: Mapped[str] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(String(3))
    role: Mapped[str] = mapped_column(String(32))


class AgendaItem(Base):
    """An item of a meeting's agenda."""

    __tablename__ = "sec_agenda_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("sec_meeting.id"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[I18n]
    presenter: Mapped[str] = mapped_column(String(200), default="")
    duration_min: Mapped[int] = mapped_column(Integer, default=15)


class Minutes(Base):
    """Minutes of a meeting: draft -> approved (by every nation it is shared with) -> locked."""

    __tablename__ = "sec_minutes"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("sec_meeting.id"), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    revision: Mapped[int] = mapped_column(Integer, default=0)
    revisions: Mapped[list[MinutesRevision]] = relationship(
        order_by="MinutesRevision.number", cascade="all, delete-orphan"
    )
    approvals: Mapped[list[MinutesApproval]] = relationship(
        order_by="MinutesApproval.id", cascade="all, delete-orphan"
    )


class MinutesRevision(Base):
    """One immutable revision of the minutes' text."""

    __tablename__ = "sec_minutes_revision"
    __table_args__ = (UniqueConstraint("minutes_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("sec_minutes.id"))
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[I18n]
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class MinutesApproval(Base):
    """A nation's approval of one revision (a new revision voids older approvals)."""

    __tablename__ = "sec_minutes_approval"
    __table_args__ = (UniqueConstraint("minutes_id", "nation", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("sec_minutes.id"))
    nation: Mapped[str] = mapped_column(String(3))
    revision: Mapped[int] = mapped_column(Integer)
    approver: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime]


class Outcome(Base):
    """What a meeting produced: information, a decision, or a commitment."""

    __tablename__ = "sec_outcome"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("sec_meeting.id"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("sec_agenda_item.id"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[I18n]
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("sec_commitment.id"), default=None)
    created_at: Mapped[dt.datetime]


class Exercise(Visible, Base):
    """A trilateral exercise, optionally tied to a trilink scenario and its after-action figures."""

    __tablename__ = "sec_exercise"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[I18n]
    description: Mapped[I18n]
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    participants: Mapped[str] = mapped_column(String(20))
    domains: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    after_action: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[dt.datetime]


class Document(Visible, Base):
    """A joint statement or agreement, with versions."""

    __tablename__ = "sec_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[I18n]
    issued_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    source_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    created_at: Mapped[dt.datetime]
    versions: Mapped[list[DocumentVersion]] = relationship(
        order_by="DocumentVersion.number", cascade="all, delete-orphan"
    )


class DocumentVersion(Base):
    """One version of a document's text."""

    __tablename__ = "sec_document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("sec_document.id"))
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[I18n]
    note: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", cascade="all, delete-orphan"
    )


class Attachment(Base):
    """A file attached to a document version (stored in the database, size-limited)."""

    __tablename__ = "sec_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("sec_document_version.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEntry(Visible, Base):
    """One write, forever: who, when, what, before and after.

    Visibility is the intersection of the object's visibility before and after the write, so the
    log never shows a nation what the object itself would not. Database triggers refuse UPDATE
    and DELETE on this table (see the migration).
    """

    __tablename__ = "sec_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(64))
    actor_nation: Mapped[str] = mapped_column(String(3))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32), index=True)
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class Notification(Base):
    """Outbox row: one reminder for one recipient; sent in batches, never twice."""

    __tablename__ = "sec_notification"
    __table_args__ = (UniqueConstraint("user_id", "object_type", "object_id", "lead", "event_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("sec_user.id"))
    email: Mapped[str] = mapped_column(String(254))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(Integer)
    lead: Mapped[str] = mapped_column(String(8))
    event_at: Mapped[dt.datetime]
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
