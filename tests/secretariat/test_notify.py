"""Reminders through the outbox to a real SMTP server (aiosmtpd sink on loopback)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from trilink.secretariat.models import Notification, User
from trilink.secretariat.notify import SmtpConfig, flush_outbox, queue_reminders


class Sink:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def test_reminders_are_batched_sent_once_and_never_in_draft(
    users: dict[str, User],
    svc,
    session: Session,
    clock,
    smtp: tuple[Sink, int],  # type: ignore[no-untyped-def]
) -> None:
    sink, port = smtp
    cfg = SmtpConfig("127.0.0.1", port, "secretariat@test")
    s = svc(users["kor_staff"])
    # clock: 2025-03-01 09:00 UTC
    s.create_commitment("Due in 10 days", owners="all", deadline="2025-03-11")
    s.create_commitment("Draft, due soon", owners="all", deadline="2025-03-05", status="draft")
    s.create_commitment("KOR-only, due soon", owners="KOR", deadline="2025-03-03", visible_to="KOR")
    s.create_meeting("Working group", start="2025-03-02T09:00", tz="Asia/Seoul")
    s.create_meeting("Draft meeting", start="2025-03-02T09:00", tz="Asia/Seoul", status="draft")

    drafted = flush_outbox(session, clock, cfg, draft=True)
    assert drafted and sink.messages == []  # draft mode sends nothing ...
    assert session.scalars(select(Notification)).first() is None  # ... and writes nothing

    queued = queue_reminders(session, clock)
    assert queue_reminders(session, clock) == []  # idempotent
    sent = flush_outbox(session, clock, cfg)
    assert len(sink.messages) == len(sent) == 12  # one e-mail per user (12 users), batched
    by_user = {m["To"]: m.get_payload() for m in sink.messages}
    kor, jpn = by_user["kor_viewer@x.test"], by_user["jpn_viewer@x.test"]
    assert "Due in 10 days" in kor and "Working group" in kor and "KOR-only" in kor
    assert "KOR-only" not in jpn  # visibility holds in e-mail too
    assert "Draft" not in kor
    assert len(queued) == 12 * 2 + 4  # shared commitment + meeting for all, KOR-only for 4
    assert flush_outbox(session, clock, cfg) == []  # nothing is sent twice
    assert len(sink.messages) == 12


def test_smtp_failure_is_a_clear_error_and_loses_nothing(
    users: dict[str, User],
    svc,
    session: Session,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    from trilink.secretariat.errors import SecretariatError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]  # nothing listens here once the socket is closed
    svc(users["kor_staff"]).create_commitment("Due", owners="all", deadline="2025-03-05")
    queued = queue_reminders(session, clock)
    with pytest.raises(SecretariatError, match="cannot send mail"):
        flush_outbox(session, clock, SmtpConfig("127.0.0.1", dead_port, "x@test", timeout=2))
    session.rollback()
    unsent = session.scalars(select(Notification).where(Notification.sent_at.is_(None))).all()
    assert len(unsent) == len(queued) == 12
