"""Reminders before deadlines and meetings, through an outbox, sent by SMTP in batches.

``queue_reminders`` looks at what each user may see (same access check as everywhere) and adds
one outbox row per (user, object, lead time); a unique constraint makes re-runs harmless. Draft
meetings and draft commitments never produce reminders. ``flush_outbox`` sends one e-mail per
recipient with all their pending reminders and marks them sent; with ``draft=True`` it only
shows what it would send and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from trilink.secretariat.errors import SecretariatError
from trilink.secretariat.i18n import pick, t
from trilink.secretariat.models import Notification, User
from trilink.secretariat.services import Clock, Secretariat, snapshot, system_user

__all__ = [
    "COMMITMENT_LEADS",
    "MEETING_LEADS",
    "SmtpConfig",
    "flush_outbox",
    "plan_reminders",
    "queue_reminders",
]

#: lead times, tightest last; only the tightest lead that applies is queued
MEETING_LEADS: tuple[tuple[str, dt.timedelta], ...] = (
    ("7d", dt.timedelta(days=7)),
    ("1d", dt.timedelta(days=1)),
)
COMMITMENT_LEADS: tuple[tuple[str, dt.timedelta], ...] = (
    ("14d", dt.timedelta(days=14)),
    ("3d", dt.timedelta(days=3)),
)


@dataclass(frozen=True)
class SmtpConfig:
    """Where mail goes. Defaults come from TRILINK_SMTP_HOST / _PORT / _FROM."""

    host: str = os.environ.get("TRILINK_SMTP_HOST", "localhost")
    port: int = int(os.environ.get("TRILINK_SMTP_PORT", "25"))
    sender: str = os.environ.get("TRILINK_SMTP_FROM", "secretariat@trilink.local")
    starttls: bool = False
    timeout: float = 10.0


def _lead(
    event: dt.datetime, now: dt.datetime, leads: tuple[tuple[str, dt.timedelta], ...]
) -> str | None:
    chosen = None
    for name, delta in leads:
        # event - now, not event - delta: the difference of two datetimes cannot overflow,
        # so an odd stored date (year 1) is simply never due instead of stopping every reminder.
        if now < event and event - now <= delta:
            chosen = name
    return chosen


def plan_reminders(session: Session, clock: Clock) -> list[tuple[User, Notification]]:
    """Reminders that are due and not yet in the outbox (nothing is written)."""
    now = clock()
    made: list[tuple[User, Notification]] = []
    users = list(
        session.scalars(
            select(User).where(User.email.is_not(None), User.active.is_(True)).order_by(User.id)
        )
    )
    for user in users:
        svc = Secretariat(session, user, clock)
        items: list[tuple[str, int, str, dt.datetime, str]] = []
        for m in svc.list_meetings(after=now):
            lead = _lead(m.starts_at, now, MEETING_LEADS)
            if lead and m.status == "scheduled":
                items.append(("meeting", m.id, lead, m.starts_at, pick(m.title, user.lang)))
        for c in svc.list_commitments():
            if c.deadline is None or c.status in ("draft", "done", "cancelled"):
                continue
            lead = _lead(c.deadline, now, COMMITMENT_LEADS)
            if lead:
                label = f"{t('deadline', user.lang)}: {pick(c.title, user.lang)}"
                items.append(("commitment", c.id, lead, c.deadline, label))
        for object_type, object_id, lead, event_at, label in items:
            exists = session.scalars(
                select(Notification.id).where(
                    Notification.user_id == user.id,
                    Notification.object_type == object_type,
                    Notification.object_id == object_id,
                    Notification.lead == lead,
                    Notification.event_at == event_at,
                )
            ).first()
            if exists is not None:
                continue
            when = event_at.strftime("%Y-%m-%d %H:%M UTC")
            n = Notification(
                user_id=user.id,
                email=user.email or "",
                object_type=object_type,
                object_id=object_id,
                lead=lead,
                event_at=event_at,
                subject=label[:300],
                body=f"{label}\n{t('when', user.lang)}: {when}",
                created_at=now,
            )
            made.append((user, n))
    return made


def queue_reminders(session: Session, clock: Clock) -> list[Notification]:
    """Add due reminders to the outbox (each audited); returns the new rows."""
    recorder = Secretariat(session, system_user(), clock)
    out = []
    for user, n in plan_reminders(session, clock):
        session.add(n)
        recorder.record_audit("queue", n, None, (user.nation,))
        out.append(n)
    return out


def flush_outbox(
    session: Session, clock: Clock, smtp: SmtpConfig, *, draft: bool = False
) -> list[EmailMessage]:
    """Send pending reminders, one message per recipient.

    ``draft`` sends nothing and writes nothing: it composes the e-mails that would go out now,
    including reminders not yet queued.
    """
    pending = list(
        session.scalars(
            select(Notification)
            .join(User, User.id == Notification.user_id)
            # a deactivated user's queued reminders are never sent
            .where(Notification.sent_at.is_(None), User.active.is_(True))
            .order_by(Notification.user_id, Notification.event_at, Notification.id)
        )
    )
    if draft:
        pending += [n for _, n in plan_reminders(session, clock)]
    batches: dict[str, list[Notification]] = {}
    for n in pending:
        batches.setdefault(n.email, []).append(n)
    messages: list[EmailMessage] = []
    for email, rows in batches.items():
        msg = EmailMessage()
        msg["From"] = smtp.sender
        msg["To"] = email
        msg["Subject"] = f"[trilink secretariat] {len(rows)} reminder(s)"
        msg.set_content("\n\n".join(r.body for r in rows) + "\n")
        messages.append(msg)
    if draft or not messages:
        return messages
    recorder = Secretariat(session, system_user(), clock)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            if smtp.starttls:
                client.starttls()
            for msg, rows in zip(messages, batches.values(), strict=True):
                client.send_message(msg)
                # Marked sent batch by batch: after a failure, what went out is not resent and
                # what did not stays in the outbox for the next run.
                for r in rows:
                    before = snapshot(r)
                    r.sent_at = clock()
                    user = session.get(User, r.user_id)
                    recorder.record_audit("send", r, before, (user.nation,) if user else ())
    except (OSError, smtplib.SMTPException) as exc:
        raise SecretariatError(
            f"cannot send mail through {smtp.host}:{smtp.port} ({exc}); "
            "unsent reminders stay in the outbox"
        ) from exc
    return messages
