"""The secretariat's services: the only code that writes.

A :class:`Secretariat` is bound to a session, an acting user and an injected clock. Reads filter
with :mod:`trilink.secretariat.access`; every write validates its input, checks role and
visibility, changes one object and then makes exactly one audit call (:meth:`_audit`) before
committing. The audit log itself is append-only: a flush that would update or delete an
:class:`AuditEntry` is refused here, and database triggers refuse it again underneath.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from trilink.secretariat.access import can_view, require_role, visible_filter
from trilink.secretariat.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from trilink.secretariat.i18n import LANGS
from trilink.secretariat.models import (
    AgendaItem,
    Attachment,
    AuditEntry,
    Base,
    Commitment,
    Document,
    DocumentVersion,
    Evidence,
    Exercise,
    Meeting,
    MeetingSeries,
    Milestone,
    Minutes,
    MinutesApproval,
    MinutesRevision,
    Outcome,
    User,
    UserSession,
    Visible,
    Workstream,
)
from trilink.secretariat.recurrence import occurrences, parse_rule, to_utc
from trilink.secretariat.validate import (
    MAX_BODY,
    ROLES,
    check_choice,
    check_key,
    check_text,
    check_url,
    i18n_field,
    nations,
    parse_date,
    parse_deadline,
    timezone,
)

__all__ = [
    "COMMITMENT_STATUSES",
    "COMMITMENT_VIEWS",
    "DOCUMENT_KINDS",
    "DOMAINS",
    "MEETING_STATUSES",
    "OUTCOME_KINDS",
    "SERIES_KINDS",
    "WORKSTREAM_STATUSES",
    "Clock",
    "Secretariat",
    "hash_password",
    "snapshot",
    "system_clock",
    "system_user",
    "verify_password",
]

Clock = Callable[[], dt.datetime]
V = TypeVar("V", bound=Visible)

WORKSTREAM_STATUSES = ("active", "paused", "closed")
COMMITMENT_STATUSES = ("draft", "open", "in_progress", "at_risk", "done", "cancelled")
COMMITMENT_VIEWS = ("all", "overdue", "due_soon", "review_due")
MEETING_STATUSES = ("draft", "scheduled", "held", "cancelled")
SERIES_KINDS = (
    "summit",
    "foreign_ministerial",
    "defense_ministerial",
    "dtt",
    "working_group",
    "other",
)
OUTCOME_KINDS = ("information", "decision", "commitment")
DOMAINS = ("air_missile_defence", "maritime", "cyber", "space")
EXERCISE_STATUSES = ("planned", "conducted", "cancelled")
DOCUMENT_KINDS = ("joint_statement", "agreement", "framework", "other")
MAX_ATTACHMENT = 5 * 1024 * 1024
SESSION_HOURS = 12


def system_clock() -> dt.datetime:
    """The real clock (UTC); tests inject their own."""
    return dt.datetime.now(dt.UTC)


def system_user() -> User:
    """The operator principal (CLI, seeding): sees everything, never stored."""
    return User(
        id=0,
        username="system",
        display_name="system",
        nation="SYS",
        role="system",
        lang="en",
        password_hash="!",
        ical_token="!",
    )


#: scrypt work factor for new password hashes (stored with each hash; tests lower it for speed)
SCRYPT_N = 2**14


def hash_password(password: str, *, salt: bytes | None = None, n: int | None = None) -> str:
    """scrypt hash as ``scrypt$n$salt$hash`` (hex)."""
    salt = salt or secrets.token_bytes(16)
    cost = n or SCRYPT_N
    digest = hashlib.scrypt(password.encode(), salt=salt, n=cost, r=8, p=1)
    return f"scrypt${cost}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against :func:`hash_password` output."""
    try:
        scheme, cost, salt_hex, _ = stored.split("$")
        n = int(cost)
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt" or n < 2 or n > 2**20 or n & (n - 1):
        return False
    return hmac.compare_digest(hash_password(password, salt=salt, n=n), stored)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(obj: Base) -> dict[str, Any]:
    """The object's columns as JSON values (binary data is summarised by the hash column)."""
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        if column.key in ("data", "password_hash", "ical_token"):
            continue
        out[column.key] = _jsonable(getattr(obj, column.key))
    return out


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    """Service-layer guard: no session may update or delete an audit entry."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise ForbiddenError(
                "the audit log is append-only: entries cannot be changed or deleted"
            )


class Secretariat:
    """Services bound to one session, one acting user and one clock."""

    def __init__(self, session: Session, user: User, clock: Clock = system_clock) -> None:
        self.session = session
        self.user = user
        self.clock = clock

    # ------------------------------------------------------------------ helpers
    def now(self) -> dt.datetime:
        """The injected clock's time (aware UTC)."""
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return aware datetimes")
        return now.astimezone(dt.UTC)

    def _audit(
        self,
        action: str,
        obj: Base,
        before: dict[str, Any] | None,
        visible: Sequence[str],
        *,
        after: dict[str, Any] | None = None,
    ) -> None:
        """The one audit call after a write; then commit."""
        self.session.flush()
        entry = AuditEntry(
            at=self.now(),
            actor=self.user.username,
            actor_nation=self.user.nation,
            action=action,
            object_type=type(obj).__name__.lower(),
            object_id=int(getattr(obj, "id", 0) or 0),
            before=before,
            after=after if after is not None else snapshot(obj),
        )
        entry.set_visible_to(tuple(visible))
        self.session.add(entry)
        self.session.commit()

    def _visibility(self, value: Any) -> tuple[str, ...]:
        vis = nations("visible_to", value)
        if self.user.role != "system" and self.user.nation not in vis:
            raise ValidationError(
                f"visible_to: must include your own nation ({self.user.nation}), "
                "or you could not see what you create"
            )
        return vis

    def _get(self, model: type[V], obj_id: int) -> V:
        obj = self.session.get(model, obj_id)
        if obj is None or not can_view(self.user, obj):
            raise NotFoundError(f"{model.__name__.lower()} {obj_id} not found")
        return obj

    def _by_key(self, model: type[V], key: str) -> V:
        obj = self.session.scalars(select(model).where(model.key == key)).first()  # type: ignore[attr-defined]
        if obj is None or not can_view(self.user, obj):
            raise NotFoundError(f"{model.__name__.lower()} {key!r} not found")
        return obj

    def _list(self, model: type[V], *order: Any) -> list[V]:
        stmt = select(model).where(visible_filter(self.user, model)).order_by(*order)
        return list(self.session.scalars(stmt))

    def _staff(self) -> None:
        require_role(self.user, "staff")

    # ------------------------------------------------------------------ users
    def create_user(
        self,
        username: str,
        nation: str,
        role: str,
        password: str,
        *,
        display_name: str = "",
        email: str | None = None,
        lang: str = "en",
    ) -> User:
        """Add a user (admin only)."""
        require_role(self.user, "admin")
        username = check_key("username", username)
        (nation_code,) = nations("nation", [nation])
        check_choice("role", role, ROLES)
        check_choice("lang", lang, LANGS)
        if not isinstance(password, str) or len(password) < 8 or len(password) > 200:
            raise ValidationError("password: use 8 to 200 characters")
        if email is not None:
            email = check_text("email", email, limit=254)
            if "@" not in email:
                raise ValidationError("email: not an e-mail address")
        if self.session.scalars(select(User).where(User.username == username)).first():
            raise ValidationError(f"username: {username!r} already exists")
        user = User(
            username=username,
            display_name=check_text("display_name", display_name or username, limit=200),
            nation=nation_code,
            role=role,
            email=email,
            lang=lang,
            password_hash=hash_password(password),
            ical_token=secrets.token_urlsafe(32),
            created_at=self.now(),
        )
        self.session.add(user)
        self._audit("create", user, None, (nation_code,))
        return user

    def set_language(self, lang: str) -> None:
        """The acting user's UI language."""
        check_choice("lang", lang, LANGS)
        if self.user.role == "system":
            return
        before = snapshot(self.user)
        self.user.lang = lang
        self._audit("update", self.user, before, (self.user.nation,))

    def rotate_ical_token(self) -> str:
        """Give the acting user a new calendar token (the old feed URL stops working)."""
        before = snapshot(self.user)
        self.user.ical_token = secrets.token_urlsafe(32)
        self._audit("rotate_ical_token", self.user, before, (self.user.nation,))
        return self.user.ical_token

    @staticmethod
    def authenticate(session: Session, username: str, password: str) -> User | None:
        """The user with this name and password, or None."""
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            verify_password(password, hash_password("dummy-password"))  # same cost either way
            return None
        return user if verify_password(password, user.password_hash) else None

    @staticmethod
    def open_session(session: Session, user: User, now: dt.datetime) -> str:
        """A new login session (audited); returns the cookie token (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        row = UserSession(
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            user_id=user.id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=SESSION_HOURS),
        )
        session.add(row)
        Secretariat(session, user, lambda: now)._audit(
            "login", user, None, (user.nation,), after={"username": user.username}
        )
        return token

    @staticmethod
    def session_user(session: Session, token: str, now: dt.datetime) -> User | None:
        """The user of a live session token, or None."""
        row = session.get(UserSession, hashlib.sha256(token.encode()).hexdigest())
        if row is None or row.expires_at <= now:
            return None
        return row.user

    @staticmethod
    def close_session(session: Session, token: str, now: dt.datetime) -> None:
        """Log out (audited)."""
        row = session.get(UserSession, hashlib.sha256(token.encode()).hexdigest())
        if row is not None:
            user = row.user
            session.delete(row)
            Secretariat(session, user, lambda: now)._audit(
                "logout", user, None, (user.nation,), after={"username": user.username}
            )

    # ------------------------------------------------------------------ workstreams
    def create_workstream(
        self,
        key: str,
        title: Any,
        *,
        description: Any = None,
        owners: Any = "all",
        status: str = "active",
        visible_to: Any = "all",
    ) -> Workstream:
        """Add an agenda."""
        self._staff()
        ws = Workstream(
            key=check_key("key", key),
            title=i18n_field("title", title),
            description=i18n_field("description", description, limit=MAX_BODY, required=False),
            owners=",".join(nations("owners", owners)),
            status=check_choice("status", status, WORKSTREAM_STATUSES),
            created_at=self.now(),
            updated_at=self.now(),
        )
        ws.set_visible_to(self._visibility(visible_to))
        if self.session.scalars(select(Workstream).where(Workstream.key == ws.key)).first():
            raise ValidationError(f"key: workstream {ws.key!r} already exists")
        self.session.add(ws)
        self._audit("create", ws, None, ws.visible_to)
        return ws

    def list_workstreams(self) -> list[Workstream]:
        """Visible workstreams."""
        return self._list(Workstream, Workstream.key)

    def workstream(self, ws_id: int) -> Workstream:
        """One visible workstream."""
        return self._get(Workstream, ws_id)

    def workstream_by_key(self, key: str) -> Workstream:
        """One visible workstream by key."""
        return self._by_key(Workstream, key)

    # ------------------------------------------------------------------ commitments
    def create_commitment(
        self,
        title: Any,
        *,
        owners: Any,
        deadline: Any = None,
        description: Any = None,
        workstream_id: int | None = None,
        parent_id: int | None = None,
        status: str = "open",
        progress: Any = 0.0,
        weight: Any = 1.0,
        review_date: Any = None,
        deadline_note: str | None = None,
        visible_to: Any = "all",
        key: str | None = None,
        source_outcome_id: int | None = None,
    ) -> Commitment:
        """Add a commitment (optionally under a workstream and/or a parent commitment)."""
        self._staff()
        now = self.now()
        if workstream_id is not None:
            self._get(Workstream, workstream_id)
        if parent_id is not None:
            self._get(Commitment, parent_id)
        c = Commitment(
            key=check_key("key", key) if key is not None else None,
            workstream_id=workstream_id,
            parent_id=parent_id,
            title=i18n_field("title", title),
            description=i18n_field("description", description, limit=MAX_BODY, required=False),
            owners=",".join(nations("owners", owners)),
            deadline=parse_deadline("deadline", deadline, now=now),
            deadline_note=(
                check_text("deadline_note", deadline_note, limit=200) if deadline_note else None
            ),
            review_date=parse_date("review_date", review_date) if review_date else None,
            status=check_choice("status", status, COMMITMENT_STATUSES),
            progress=_percent("progress", progress),
            weight=_weight(weight),
            source_outcome_id=source_outcome_id,
            created_at=now,
            updated_at=now,
        )
        c.set_visible_to(self._visibility(visible_to))
        if (
            c.key
            and self.session.scalars(select(Commitment).where(Commitment.key == c.key)).first()
        ):
            raise ValidationError(f"key: commitment {c.key!r} already exists")
        self.session.add(c)
        self._audit("create", c, None, c.visible_to)
        return c

    def update_commitment(self, c_id: int, changes: dict[str, Any]) -> Commitment:
        """Change fields of a commitment; the audit entry keeps before and after."""
        self._staff()
        c = self._get(Commitment, c_id)
        before = snapshot(c)
        vis_before = c.visible_to
        allowed = {
            "title",
            "description",
            "owners",
            "deadline",
            "deadline_note",
            "review_date",
            "status",
            "progress",
            "weight",
            "visible_to",
            "parent_id",
            "workstream_id",
        }
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(f"cannot change {', '.join(sorted(unknown))}")
        for name, value in changes.items():
            if name == "title":
                c.title = i18n_field("title", value)
            elif name == "description":
                c.description = i18n_field("description", value, limit=MAX_BODY, required=False)
            elif name == "owners":
                c.owners = ",".join(nations("owners", value))
            elif name == "deadline":
                c.deadline = parse_deadline("deadline", value, now=self.now())
            elif name == "deadline_note":
                c.deadline_note = check_text("deadline_note", value, limit=200, required=False)
            elif name == "review_date":
                c.review_date = parse_date("review_date", value) if value else None
            elif name == "status":
                c.status = check_choice("status", value, COMMITMENT_STATUSES)
                if c.status == "done":
                    c.progress = 100.0
            elif name == "progress":
                c.progress = _percent("progress", value)
            elif name == "weight":
                c.weight = _weight(value)
            elif name == "visible_to":
                c.set_visible_to(self._visibility(value))
            elif name == "workstream_id":
                if value is not None:
                    self._get(Workstream, int(value))
                c.workstream_id = value
            elif name == "parent_id":
                self._check_parent(c, value)
                c.parent_id = value
        c.updated_at = self.now()
        self._audit("update", c, before, _both(vis_before, c.visible_to))
        return c

    def _check_parent(self, c: Commitment, parent_id: int | None) -> None:
        seen = {c.id}
        cursor = parent_id
        while cursor is not None:
            if cursor in seen:
                raise ValidationError("parent_id: would make a cycle of sub-commitments")
            seen.add(cursor)
            cursor = self._get(Commitment, cursor).parent_id

    def commitment(self, c_id: int) -> Commitment:
        """One visible commitment."""
        return self._get(Commitment, c_id)

    def commitment_by_key(self, key: str) -> Commitment:
        """One visible commitment by key."""
        return self._by_key(Commitment, key)

    def children(self, c: Commitment) -> list[Commitment]:
        """Visible sub-commitments."""
        stmt = (
            select(Commitment)
            .where(Commitment.parent_id == c.id, visible_filter(self.user, Commitment))
            .order_by(Commitment.id)
        )
        return list(self.session.scalars(stmt))

    def rolled_progress(self, c: Commitment, _depth: int = 0) -> float:
        """Progress in percent: own figure for a leaf, weighted mean of sub-commitments otherwise.

        Only sub-commitments the user can see count, so the figure never leaks restricted work;
        cancelled ones are left out; a done commitment is 100.
        """
        if c.status == "done":
            return 100.0
        kids = [k for k in self.children(c) if k.status != "cancelled"]
        total = sum(k.weight for k in kids)
        if not kids or total <= 0 or _depth > 50:
            return float(c.progress)
        return sum(k.weight * self.rolled_progress(k, _depth + 1) for k in kids) / total

    def list_commitments(
        self, view: str = "all", *, days: int = 30, workstream_id: int | None = None
    ) -> list[Commitment]:
        """Visible commitments: ``all``, ``overdue`` (deadline passed, not done/cancelled),
        ``due_soon`` (deadline within ``days``) or ``review_due`` (review date within ``days``)."""
        check_choice("view", view, COMMITMENT_VIEWS)
        now = self.now()
        stmt = select(Commitment).where(visible_filter(self.user, Commitment))
        if workstream_id is not None:
            stmt = stmt.where(Commitment.workstream_id == workstream_id)
        open_ = Commitment.status.not_in(("done", "cancelled", "draft"))
        if view == "overdue":
            stmt = stmt.where(open_, Commitment.deadline < now)
        elif view == "review_due":
            horizon = (now + dt.timedelta(days=days)).date()
            stmt = stmt.where(
                Commitment.status.not_in(("done", "cancelled")),
                Commitment.review_date.is_not(None),
                Commitment.review_date <= horizon,
            )
        elif view == "due_soon":
            stmt = stmt.where(
                open_,
                Commitment.deadline >= now,
                Commitment.deadline <= now + dt.timedelta(days=days),
            )
        stmt = stmt.order_by(Commitment.deadline.is_(None), Commitment.deadline, Commitment.id)
        return list(self.session.scalars(stmt))

    def add_milestone(self, c_id: int, title: Any, due: Any = None) -> Milestone:
        """Add a dated step to a commitment."""
        self._staff()
        c = self._get(Commitment, c_id)
        m = Milestone(
            commitment_id=c.id,
            title=i18n_field("title", title),
            due=parse_deadline("due", due, now=self.now()),
        )
        self.session.add(m)
        self._audit("create", m, None, c.visible_to)
        return m

    def complete_milestone(self, m_id: int) -> Milestone:
        """Mark a milestone done (by the clock)."""
        self._staff()
        m = self.session.get(Milestone, m_id)
        if m is None:
            raise NotFoundError(f"milestone {m_id} not found")
        c = self._get(Commitment, m.commitment_id)
        before = snapshot(m)
        m.done_at = self.now()
        self._audit("complete", m, before, c.visible_to)
        return m

    def add_evidence(self, c_id: int, url: str, label: str) -> Evidence:
        """Link evidence of progress."""
        self._staff()
        c = self._get(Commitment, c_id)
        e = Evidence(
            commitment_id=c.id,
            url=check_url("url", url),
            label=check_text("label", label, limit=300),
            added_at=self.now(),
        )
        self.session.add(e)
        self._audit("create", e, None, c.visible_to)
        return e

    # ------------------------------------------------------------------ meetings
    def create_series(
        self,
        key: str,
        kind: str,
        title: Any,
        *,
        rule: str,
        tz: str,
        anchor: str,
        duration_min: int = 120,
        location: str = "",
        workstream_id: int | None = None,
        visible_to: Any = "all",
    ) -> MeetingSeries:
        """Add a recurring meeting series (meetings come from :meth:`generate_meetings`)."""
        self._staff()
        parse_rule(rule)
        timezone("tz", tz)
        _local(anchor)
        if workstream_id is not None:
            self._get(Workstream, workstream_id)
        s = MeetingSeries(
            key=check_key("key", key),
            kind=check_choice("kind", kind, SERIES_KINDS),
            title=i18n_field("title", title),
            rule=rule,
            tz=tz,
            anchor_local=_local(anchor).isoformat(timespec="minutes"),
            duration_min=_duration(duration_min),
            location=check_text("location", location, limit=200, required=False),
            workstream_id=workstream_id,
            created_at=self.now(),
        )
        s.set_visible_to(self._visibility(visible_to))
        if self.session.scalars(select(MeetingSeries).where(MeetingSeries.key == s.key)).first():
            raise ValidationError(f"key: series {s.key!r} already exists")
        self.session.add(s)
        self._audit("create", s, None, s.visible_to)
        return s

    def series_list(self) -> list[MeetingSeries]:
        """Visible series."""
        return self._list(MeetingSeries, MeetingSeries.key)

    def series(self, s_id: int) -> MeetingSeries:
        """One visible series."""
        return self._get(MeetingSeries, s_id)

    def series_by_key(self, key: str) -> MeetingSeries:
        """One visible series by key."""
        return self._by_key(MeetingSeries, key)

    def generate_meetings(self, s_id: int, until: Any) -> list[Meeting]:
        """Create the series' meetings up to ``until`` (a date); existing ones are kept."""
        self._staff()
        s = self._get(MeetingSeries, s_id)
        tz = timezone("tz", s.tz)
        end = dt.datetime.combine(parse_date("until", until), dt.time(23, 59), tzinfo=tz)
        starts = occurrences(parse_rule(s.rule), _local(s.anchor_local), tz, until=end)
        existing = set(
            self.session.scalars(select(Meeting.starts_at).where(Meeting.series_id == s.id))
        )
        made = []
        for start in starts:
            if start in existing:
                continue
            m = Meeting(
                series_id=s.id,
                title=dict(s.title),
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=s.duration_min),
                tz=s.tz,
                location=s.location,
                status="scheduled",
                created_at=self.now(),
            )
            m.set_visible_to(s.visible_to)
            self.session.add(m)
            self._audit("generate", m, None, m.visible_to)
            made.append(m)
        return made

    def create_meeting(
        self,
        title: Any,
        *,
        start: str,
        tz: str,
        duration_min: int = 120,
        location: str = "",
        status: str = "scheduled",
        series_id: int | None = None,
        visible_to: Any = "all",
        key: str | None = None,
    ) -> Meeting:
        """Add a stand-alone meeting; ``start`` is local wall time in ``tz``."""
        self._staff()
        zone = timezone("tz", tz)
        if series_id is not None:
            self._get(MeetingSeries, series_id)
        starts = to_utc(_local(start), zone)
        m = Meeting(
            key=check_key("key", key) if key is not None else None,
            series_id=series_id,
            title=i18n_field("title", title),
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=_duration(duration_min)),
            tz=tz,
            location=check_text("location", location, limit=200, required=False),
            status=check_choice("status", status, MEETING_STATUSES),
            created_at=self.now(),
        )
        m.set_visible_to(self._visibility(visible_to))
        if m.key and self.session.scalars(select(Meeting).where(Meeting.key == m.key)).first():
            raise ValidationError(f"key: meeting {m.key!r} already exists")
        self.session.add(m)
        self._audit("create", m, None, m.visible_to)
        return m

    def meeting(self, m_id: int) -> Meeting:
        """One visible meeting."""
        return self._get(Meeting, m_id)

    def meeting_by_key(self, key: str) -> Meeting:
        """One visible meeting by key."""
        return self._by_key(Meeting, key)

    def list_meetings(
        self, *, after: dt.datetime | None = None, series_id: int | None = None
    ) -> list[Meeting]:
        """Visible meetings by start time."""
        stmt = select(Meeting).where(visible_filter(self.user, Meeting))
        if after is not None:
            stmt = stmt.where(Meeting.starts_at >= after)
        if series_id is not None:
            stmt = stmt.where(Meeting.series_id == series_id)
        return list(self.session.scalars(stmt.order_by(Meeting.starts_at, Meeting.id)))

    def add_agenda_item(
        self, m_id: int, title: Any, *, presenter: str = "", duration_min: int = 15
    ) -> AgendaItem:
        """Append an agenda item with presenter and duration."""
        self._staff()
        m = self._get(Meeting, m_id)
        self._not_locked(m)
        item = AgendaItem(
            meeting_id=m.id,
            position=len(m.agenda) + 1,
            title=i18n_field("title", title),
            presenter=check_text("presenter", presenter, limit=200, required=False),
            duration_min=_duration(duration_min),
        )
        self.session.add(item)
        self._audit("create", item, None, m.visible_to)
        return item

    def minutes(self, m_id: int) -> Minutes | None:
        """The minutes of a visible meeting, if any."""
        m = self._get(Meeting, m_id)
        return self.session.scalars(select(Minutes).where(Minutes.meeting_id == m.id)).first()

    def _not_locked(self, m: Meeting) -> None:
        mins = self.session.scalars(select(Minutes).where(Minutes.meeting_id == m.id)).first()
        if mins is not None and mins.state == "locked":
            raise ConflictError("the minutes of this meeting are locked; nothing can be changed")

    def write_minutes(self, m_id: int, body: Any) -> Minutes:
        """Save a new revision of the minutes; approvals of older revisions no longer count."""
        self._staff()
        m = self._get(Meeting, m_id)
        mins = self.session.scalars(select(Minutes).where(Minutes.meeting_id == m.id)).first()
        if mins is None:
            mins = Minutes(meeting_id=m.id, state="draft", revision=0)
            self.session.add(mins)
            self.session.flush()
            before = None
        else:
            before = snapshot(mins)
        if mins.state == "locked":
            raise ConflictError("minutes are locked and can no longer be edited")
        mins.revision += 1
        mins.state = "draft"
        mins.revisions.append(
            MinutesRevision(
                number=mins.revision,
                body=i18n_field("body", body, limit=MAX_BODY),
                author=self.user.username,
                created_at=self.now(),
            )
        )
        self._audit("revise", mins, before, m.visible_to)
        return mins

    def approvals_needed(self, m: Meeting) -> tuple[str, ...]:
        """Nations whose approval the minutes need: every nation the meeting is shared with."""
        return m.visible_to

    def approve_minutes(self, m_id: int) -> Minutes:
        """Approve the current revision for the user's nation; all nations -> approved."""
        require_role(self.user, "approver")
        m = self._get(Meeting, m_id)
        mins = self.session.scalars(select(Minutes).where(Minutes.meeting_id == m.id)).first()
        if mins is None or mins.revision == 0:
            raise ConflictError("there are no minutes to approve yet")
        if mins.state == "locked":
            raise ConflictError("minutes are locked")
        if self.user.nation not in self.approvals_needed(m):
            raise ForbiddenError(f"{self.user.nation} is not a party to these minutes")
        if any(
            a.nation == self.user.nation and a.revision == mins.revision for a in mins.approvals
        ):
            raise ConflictError(f"{self.user.nation} has already approved revision {mins.revision}")
        before = snapshot(mins)
        mins.approvals.append(
            MinutesApproval(
                nation=self.user.nation,
                revision=mins.revision,
                approver=self.user.username,
                at=self.now(),
            )
        )
        approved = {a.nation for a in mins.approvals if a.revision == mins.revision}
        if set(self.approvals_needed(m)) <= approved:
            mins.state = "approved"
        after = snapshot(mins) | {"approved_by": sorted(approved)}
        self._audit("approve", mins, before, m.visible_to, after=after)
        return mins

    def lock_minutes(self, m_id: int) -> Minutes:
        """Lock approved minutes for good."""
        require_role(self.user, "approver")
        m = self._get(Meeting, m_id)
        mins = self.session.scalars(select(Minutes).where(Minutes.meeting_id == m.id)).first()
        if mins is None or mins.state != "approved":
            raise ConflictError("only minutes approved by every party can be locked")
        before = snapshot(mins)
        mins.state = "locked"
        self._audit("lock", mins, before, m.visible_to)
        return mins

    def add_outcome(
        self,
        m_id: int,
        kind: str,
        text: Any,
        *,
        agenda_item_id: int | None = None,
        owners: Any = None,
        deadline: Any = None,
    ) -> Outcome:
        """Record an outcome; kind ``commitment`` also creates the tracked commitment."""
        self._staff()
        m = self._get(Meeting, m_id)
        self._not_locked(m)
        check_choice("kind", kind, OUTCOME_KINDS)
        if agenda_item_id is not None and agenda_item_id not in {a.id for a in m.agenda}:
            raise ValidationError(f"agenda_item_id: {agenda_item_id} is not on this meeting")
        o = Outcome(
            meeting_id=m.id,
            agenda_item_id=agenda_item_id,
            kind=kind,
            text=i18n_field("text", text, limit=MAX_BODY),
            created_at=self.now(),
        )
        if kind == "commitment":
            nations("owners", owners)  # validate before anything is written
            parse_deadline("deadline", deadline, now=self.now())
        self.session.add(o)
        self._audit("create", o, None, m.visible_to)
        if kind == "commitment":
            self.promote_outcome(o.id, owners=owners, deadline=deadline)
        return o

    def outcome(self, o_id: int) -> tuple[Outcome, Meeting]:
        """A visible outcome and its meeting."""
        o = self.session.get(Outcome, o_id)
        if o is None:
            raise NotFoundError(f"outcome {o_id} not found")
        try:
            m = self._get(Meeting, o.meeting_id)
        except NotFoundError:
            raise NotFoundError(f"outcome {o_id} not found") from None
        return o, m

    def promote_outcome(
        self,
        o_id: int,
        *,
        owners: Any,
        deadline: Any,
        title: Any = None,
        workstream_id: int | None = None,
    ) -> Commitment:
        """Turn a decision into a tracked commitment (visible like its meeting)."""
        self._staff()
        o, m = self.outcome(o_id)
        if o.kind == "information":
            raise ValidationError("kind: information outcomes do not create commitments")
        if o.commitment_id is not None:
            raise ConflictError(f"outcome {o_id} already tracks commitment {o.commitment_id}")
        c = self.create_commitment(
            title if title else o.text,
            owners=owners,
            deadline=deadline,
            workstream_id=workstream_id,
            visible_to=list(m.visible_to),
            source_outcome_id=o.id,
            description=o.text,
        )
        before = snapshot(o)
        o.commitment_id = c.id
        self._audit("link", o, before, m.visible_to)
        return c

    # ------------------------------------------------------------------ exercises
    def create_exercise(
        self,
        key: str,
        name: Any,
        *,
        starts_on: Any,
        ends_on: Any,
        participants: Any = "all",
        domains: Iterable[str] | str = (),
        description: Any = None,
        scenario: str | None = None,
        status: str = "planned",
        visible_to: Any = "all",
    ) -> Exercise:
        """Add an exercise."""
        self._staff()
        start = parse_date("starts_on", starts_on)
        end = parse_date("ends_on", ends_on)
        if end < start:
            raise ValidationError("ends_on: before starts_on")
        doms = [d for d in domains.split(",") if d] if isinstance(domains, str) else list(domains)
        for d in doms:
            check_choice("domains", d, DOMAINS)
        ex = Exercise(
            key=check_key("key", key),
            name=i18n_field("name", name),
            description=i18n_field("description", description, limit=MAX_BODY, required=False),
            starts_on=start,
            ends_on=end,
            participants=",".join(nations("participants", participants)),
            domains=",".join(d for d in DOMAINS if d in doms),
            scenario=check_text("scenario", scenario, limit=200) if scenario else None,
            status=check_choice("status", status, EXERCISE_STATUSES),
            created_at=self.now(),
        )
        ex.set_visible_to(self._visibility(visible_to))
        if self.session.scalars(select(Exercise).where(Exercise.key == ex.key)).first():
            raise ValidationError(f"key: exercise {ex.key!r} already exists")
        self.session.add(ex)
        self._audit("create", ex, None, ex.visible_to)
        return ex

    def list_exercises(self) -> list[Exercise]:
        """Visible exercises."""
        return self._list(Exercise, Exercise.starts_on)

    def exercise(self, ex_id: int) -> Exercise:
        """One visible exercise."""
        return self._get(Exercise, ex_id)

    def exercise_by_key(self, key: str) -> Exercise:
        """One visible exercise by key."""
        return self._by_key(Exercise, key)

    def attach_run(self, ex_id: int, report: Any) -> Exercise:
        """Attach the after-action figures of a scenario run (a JSON object)."""
        self._staff()
        ex = self._get(Exercise, ex_id)
        figures = _figures(report)
        before = snapshot(ex)
        ex.after_action = figures
        ex.status = "conducted"
        self._audit("attach_run", ex, before, ex.visible_to)
        return ex

    # ------------------------------------------------------------------ documents
    def create_document(
        self,
        key: str,
        kind: str,
        title: Any,
        *,
        body: Any,
        issued_on: Any = None,
        source_url: str | None = None,
        note: str = "",
        visible_to: Any = "all",
    ) -> Document:
        """Add a joint statement or agreement with its first version."""
        self._staff()
        doc = Document(
            key=check_key("key", key),
            kind=check_choice("kind", kind, DOCUMENT_KINDS),
            title=i18n_field("title", title),
            issued_on=parse_date("issued_on", issued_on) if issued_on else None,
            source_url=check_url("source_url", source_url) if source_url else None,
            created_at=self.now(),
        )
        doc.set_visible_to(self._visibility(visible_to))
        if self.session.scalars(select(Document).where(Document.key == doc.key)).first():
            raise ValidationError(f"key: document {doc.key!r} already exists")
        doc.versions.append(
            DocumentVersion(
                number=1,
                body=i18n_field("body", body, limit=MAX_BODY),
                note=check_text("note", note, limit=500, required=False),
                author=self.user.username,
                created_at=self.now(),
            )
        )
        self.session.add(doc)
        self._audit("create", doc, None, doc.visible_to)
        return doc

    def add_version(self, doc_id: int, body: Any, note: str = "") -> DocumentVersion:
        """A new version of a document."""
        self._staff()
        doc = self._get(Document, doc_id)
        v = DocumentVersion(
            document_id=doc.id,
            number=len(doc.versions) + 1,
            body=i18n_field("body", body, limit=MAX_BODY),
            note=check_text("note", note, limit=500, required=False),
            author=self.user.username,
            created_at=self.now(),
        )
        self.session.add(v)
        self._audit("create", v, None, doc.visible_to)
        return v

    def add_attachment(
        self, version_id: int, filename: str, content_type: str, data: bytes
    ) -> Attachment:
        """Attach a file (at most 5 MiB) to a document version."""
        self._staff()
        v = self.session.get(DocumentVersion, version_id)
        if v is None:
            raise NotFoundError(f"version {version_id} not found")
        doc = self._get(Document, v.document_id)
        if len(data) > MAX_ATTACHMENT:
            raise ValidationError(f"attachment: {len(data)} bytes; at most {MAX_ATTACHMENT}")
        name = check_text("filename", filename, limit=255)
        if "/" in name or "\\" in name:
            raise ValidationError("filename: must not contain a path")
        a = Attachment(
            version_id=v.id,
            filename=name,
            content_type=check_text("content_type", content_type, limit=100),
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
        self.session.add(a)
        self._audit("create", a, None, doc.visible_to)
        return a

    def list_documents(self) -> list[Document]:
        """Visible documents."""
        return self._list(Document, Document.issued_on, Document.id)

    def document(self, doc_id: int) -> Document:
        """One visible document."""
        return self._get(Document, doc_id)

    def document_by_key(self, key: str) -> Document:
        """One visible document by key."""
        return self._by_key(Document, key)

    # ------------------------------------------------------------------ audit
    def audit_entry(self, e_id: int) -> AuditEntry:
        """One visible audit entry."""
        return self._get(AuditEntry, e_id)

    def audit(
        self, *, object_type: str | None = None, object_id: int | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        """Visible audit entries, newest first."""
        stmt = select(AuditEntry).where(visible_filter(self.user, AuditEntry))
        if object_type is not None:
            stmt = stmt.where(AuditEntry.object_type == object_type)
        if object_id is not None:
            stmt = stmt.where(AuditEntry.object_id == object_id)
        stmt = stmt.order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 5000)))
        return list(self.session.scalars(stmt))


def _both(a: Sequence[str], b: Sequence[str]) -> tuple[str, ...]:
    return tuple(n for n in a if n in b)


def _percent(field: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{field}: expected a number from 0 to 100") from None
    if not 0.0 <= number <= 100.0:
        raise ValidationError(f"{field}: {number} is outside 0..100")
    return number


def _weight(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError("weight: expected a positive number") from None
    if not 0.0 < number <= 1000.0:
        raise ValidationError("weight: must be above 0 and at most 1000")
    return number


def _duration(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 24 * 60 * 7:
        raise ValidationError("duration_min: expected whole minutes from 1 to 10080")
    return value


def _local(value: Any) -> dt.datetime:
    if not isinstance(value, str) or len(value) > 32:
        raise ValidationError("start: expected local time YYYY-MM-DDTHH:MM")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationError(
            f"start: {value!r} is not a real local date and time ({exc})"
        ) from exc
    if parsed.tzinfo is not None:
        raise ValidationError("start: give local wall time without an offset, plus tz")
    return parsed


def _figures(report: Any) -> dict[str, Any]:
    """After-action figures: a JSON object of numbers, text, lists and nested objects."""
    if not isinstance(report, dict):
        raise ValidationError("after-action report: expected a JSON object")

    def walk(value: Any, depth: int) -> Any:
        if depth > 6:
            raise ValidationError("after-action report: nested too deeply")
        if isinstance(value, bool) or value is None or isinstance(value, int | float):
            if isinstance(value, float) and value != value:
                raise ValidationError("after-action report: NaN is not a figure")
            return value
        if isinstance(value, str):
            return check_text("after-action text", value, limit=2000, required=False)
        if isinstance(value, list):
            return [walk(v, depth + 1) for v in value[:1000]]
        if isinstance(value, dict):
            return {
                check_text("after-action key", str(k), limit=100): walk(v, depth + 1)
                for k, v in value.items()
            }
        raise ValidationError(f"after-action report: unsupported value {type(value).__name__}")

    out = walk(report, 0)
    assert isinstance(out, dict)
    return out
