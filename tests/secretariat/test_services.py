"""Service layer against SQLite and a real PostgreSQL server (fixture ``db_url``)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from trilink import NATIONS
from trilink.secretariat.access import can_view
from trilink.secretariat.db import Database
from trilink.secretariat.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from trilink.secretariat.exchange import export_data, import_data
from trilink.secretariat.models import AuditEntry, Commitment, User
from trilink.secretariat.seed import load_seed
from trilink.secretariat.services import Secretariat, system_user

Make = Callable[[User], Secretariat]


def audit_count(session: Session) -> int:
    return len(list(session.scalars(select(AuditEntry.id))))


# ----------------------------------------------------------------------------- visibility
nation_sets = st.sets(st.sampled_from(NATIONS), min_size=1)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(vis=st.lists(nation_sets, min_size=1, max_size=4))
def test_property_user_never_sees_what_their_nation_may_not(
    vis: list[set[str]], session: Session, users: dict[str, User], svc: Make
) -> None:
    root = svc(system_user())
    made = []
    for v in vis:
        c = root.create_commitment("c", owners="all", visible_to=sorted(v))
        m = root.create_meeting(
            "m", start="2025-05-01T10:00", tz="Asia/Seoul", visible_to=sorted(v)
        )
        root.add_outcome(m.id, "decision", "d")
        made.append((c, m, v))
    for user in (users["kor_admin"], users["usa_viewer"], users["jpn_staff"]):
        s = svc(user)
        seen_c = {c.id for c in s.list_commitments()}
        seen_m = {m.id for m in s.list_meetings()}
        exported = export_data(s)
        exported_keys = {c["key"] for c in exported["commitments"]}
        for c, m, v in made:
            allowed = user.nation in v
            assert (c.id in seen_c) == allowed
            assert (m.id in seen_m) == allowed
            assert can_view(user, c) == allowed
            assert (f"c-{c.id}" in exported_keys) == allowed
            if not allowed:
                with pytest.raises(NotFoundError):
                    s.commitment(c.id)
                with pytest.raises(NotFoundError):
                    s.meeting(m.id)
                for o in m.outcomes:
                    with pytest.raises(NotFoundError):
                        s.outcome(o.id)
        # the audit log never shows entries about objects the nation may not see
        for entry in s.audit(limit=5000):
            assert user.nation in entry.visible_to


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    start=nation_sets,
    moves=st.lists(
        st.tuples(
            st.sampled_from(NATIONS),
            st.sampled_from(["visible_to", "status", "progress"]),
            nation_sets,
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_property_no_nation_takes_a_record_away_from_another(
    start: set[str],
    moves: list[tuple[str, str, set[str]]],
    users: dict[str, User],
    svc: Make,
) -> None:
    """Whatever one nation's staff change, every other nation keeps seeing what it saw."""
    c = svc(system_user()).create_commitment("c", owners="all", visible_to=sorted(start))
    for actor_nation, field, vis in moves:
        before = {n: can_view(users[f"{n.lower()}_viewer"], c) for n in NATIONS}
        value: Any = {"visible_to": sorted(vis), "status": "cancelled", "progress": 50}[field]
        with contextlib.suppress(ConflictError, NotFoundError, ValidationError):
            svc(users[f"{actor_nation.lower()}_staff"]).update_commitment(c.id, {field: value})
        for nation in NATIONS:
            if nation != actor_nation and before[nation]:
                viewer = svc(users[f"{nation.lower()}_viewer"])
                assert viewer.commitment(c.id).id == c.id
                if nation in start:  # a nation that saw it from the start sees every change
                    history = viewer.audit(object_type="commitment", object_id=c.id)
                    assert len(history) == len(
                        svc(system_user()).audit(object_type="commitment", object_id=c.id)
                    )


def test_a_refused_narrowing_leaves_nothing_half_applied(
    users: dict[str, User], svc: Make, session: Session
) -> None:
    c = svc(users["usa_staff"]).create_commitment("shared", owners="all")
    kor = svc(users["kor_staff"])
    with pytest.raises(ConflictError, match="consent"):
        kor.update_commitment(c.id, {"status": "cancelled", "visible_to": ["KOR"]})
    kor.create_commitment("another write in the same session", owners="KOR")
    session.expire_all()
    seen = svc(users["usa_viewer"]).commitment(c.id)
    assert seen.status == "open" and seen.visible_to == ("KOR", "USA", "JPN")


def test_cannot_create_what_you_could_not_see(users: dict[str, User], svc: Make) -> None:
    kor = svc(users["kor_staff"])
    with pytest.raises(ValidationError, match="own nation"):
        kor.create_commitment("x", owners="USA", visible_to="USA,JPN")


def test_roles_gate_writes(users: dict[str, User], svc: Make) -> None:
    with pytest.raises(ForbiddenError):
        svc(users["jpn_viewer"]).create_commitment("x", owners="JPN")
    with pytest.raises(ForbiddenError):
        svc(users["jpn_staff"]).create_user("eve", "JPN", "admin", "password12")


# ----------------------------------------------------------------------------- minutes
def test_minutes_lifecycle(users: dict[str, User], svc: Make, session: Session) -> None:
    staff = svc(users["kor_staff"])
    m = staff.create_meeting("DTT", start="2025-04-15T09:00", tz="America/New_York")
    with pytest.raises(ConflictError):
        svc(users["kor_approver"]).approve_minutes(m.id)  # nothing to approve yet
    staff.write_minutes(m.id, {"en": "Draft one", "ko": "초안"})
    svc(users["kor_approver"]).approve_minutes(m.id)
    svc(users["usa_approver"]).approve_minutes(m.id)
    mins = staff.minutes(m.id)
    assert mins is not None and mins.state == "draft"  # two of three is not enough
    with pytest.raises(ConflictError):
        svc(users["kor_approver"]).lock_minutes(m.id)
    with pytest.raises(ConflictError):
        svc(users["kor_admin"]).approve_minutes(m.id)  # KOR already approved this revision
    with pytest.raises(ForbiddenError):
        svc(users["jpn_staff"]).approve_minutes(m.id)  # staff cannot approve
    # a new revision voids earlier approvals
    staff.write_minutes(m.id, "Draft two")
    for name in ("kor_approver", "usa_approver"):
        svc(users[name]).approve_minutes(m.id)
    assert staff.minutes(m.id).state == "draft"  # type: ignore[union-attr]
    svc(users["jpn_approver"]).approve_minutes(m.id)
    assert staff.minutes(m.id).state == "approved"  # type: ignore[union-attr]
    decision = staff.add_outcome(m.id, "decision", "Exchange liaison officers")
    svc(users["usa_approver"]).lock_minutes(m.id)
    # a decision recorded before the lock can still become tracked work
    assert staff.promote_outcome(decision.id, owners="all", deadline="2025-12").source_outcome_id
    mins = staff.minutes(m.id)
    assert mins is not None and mins.state == "locked" and mins.revision == 2
    assert [r.body for r in mins.revisions] == [
        {"en": "Draft one", "ko": "초안"},
        {"en": "Draft two"},
    ]
    before = audit_count(session)
    with pytest.raises(ConflictError):
        staff.write_minutes(m.id, "sneaky edit")
    with pytest.raises(ConflictError):
        staff.add_outcome(m.id, "information", "late")
    with pytest.raises(ConflictError):
        staff.add_agenda_item(m.id, "late item")
    with pytest.raises(ConflictError):
        svc(users["kor_approver"]).approve_minutes(m.id)
    session.rollback()
    assert audit_count(session) == before
    assert staff.minutes(m.id).revision == 2  # type: ignore[union-attr]


def test_restricted_meeting_needs_only_its_parties(users: dict[str, User], svc: Make) -> None:
    staff = svc(users["kor_staff"])
    m = staff.create_meeting(
        "KOR-US", start="2025-04-15T09:00", tz="Asia/Seoul", visible_to="KOR,USA"
    )
    staff.write_minutes(m.id, "bilateral")
    with pytest.raises(NotFoundError):
        svc(users["jpn_approver"]).approve_minutes(m.id)
    svc(users["kor_approver"]).approve_minutes(m.id)
    assert svc(users["usa_approver"]).approve_minutes(m.id).state == "approved"


# ----------------------------------------------------------------------------- progress
def test_weighted_progress_rollup(users: dict[str, User], svc: Make) -> None:
    s = svc(users["usa_staff"])
    top = s.create_commitment("Missile warning operational", owners="all", deadline="2023-12-31")
    a = s.create_commitment("Links", owners="USA", parent_id=top.id, weight=3, progress=50)
    b = s.create_commitment("Procedures", owners="KOR,JPN", parent_id=top.id, weight=1, progress=10)
    assert s.rolled_progress(top) == pytest.approx((3 * 50 + 1 * 10) / 4)
    # grandchildren roll up through their parent
    s.create_commitment("Hub", owners="USA", parent_id=a.id, weight=1, progress=100)
    s.create_commitment("Spoke", owners="USA", parent_id=a.id, weight=1, progress=0)
    assert s.rolled_progress(a) == pytest.approx(50)
    s.update_commitment(b.id, {"status": "done"})
    assert s.rolled_progress(top) == pytest.approx((3 * 50 + 1 * 100) / 4)
    s.update_commitment(b.id, {"status": "cancelled"})
    assert s.rolled_progress(top) == pytest.approx(50)
    # a sub-commitment the viewer may not see does not count (and does not leak)
    s.create_commitment(
        "US only", owners="USA", parent_id=top.id, weight=4, progress=100, visible_to="USA"
    )
    assert s.rolled_progress(top) == pytest.approx((3 * 50 + 4 * 100) / 7)
    kor = svc(users["kor_viewer"])
    assert kor.rolled_progress(kor.commitment(top.id)) == pytest.approx(50)
    with pytest.raises(ValidationError, match="cycle"):
        s.update_commitment(top.id, {"parent_id": a.id})


def test_overdue_and_due_soon_follow_the_clock(
    users: dict[str, User], svc: Make, clock: Any
) -> None:
    s = svc(users["jpn_staff"])
    c = s.create_commitment("Exercise plan", owners="all", deadline="2025-03-20")
    s.create_commitment("Far", owners="all", deadline="2026-03-20")
    s.create_commitment("Done", owners="all", deadline="2025-01-01", status="done")
    assert [x.id for x in s.list_commitments("due_soon")] == [c.id]
    assert s.list_commitments("overdue") == []
    clock.advance(days=30)
    assert [x.id for x in s.list_commitments("overdue")] == [c.id]
    assert s.list_commitments("due_soon", days=10) == []


def test_decision_becomes_tracked_commitment(
    users: dict[str, User], svc: Make, session: Session
) -> None:
    s = svc(users["kor_staff"])
    m = s.create_meeting("Summit", start="2023-08-18T10:00", tz="America/New_York")
    info = s.add_outcome(m.id, "information", "noted")
    with pytest.raises(ValidationError):
        s.promote_outcome(info.id, owners="all", deadline="2023-12-31")
    d = s.add_outcome(m.id, "decision", {"en": "Share warning data", "ja": "警戒情報を共有"})
    before = audit_count(session)
    c = s.promote_outcome(d.id, owners="all", deadline="end of 2023")
    assert audit_count(session) == before + 2  # the new commitment, and the outcome's link
    assert c.source_outcome_id == d.id and c.title["ja"] == "警戒情報を共有"
    assert c.deadline == dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    with pytest.raises(ConflictError):
        s.promote_outcome(d.id, owners="all", deadline="2024-01-01")
    o = s.add_outcome(m.id, "commitment", "Hotline", owners="KOR,JPN", deadline="2024-06")
    assert o.commitment_id is not None
    assert s.commitment(o.commitment_id).owners == "KOR,JPN"


# ----------------------------------------------------------------------------- audit log
def test_every_write_is_audited_once_with_before_and_after(
    users: dict[str, User], svc: Make, session: Session
) -> None:
    s = svc(users["usa_staff"])
    n = audit_count(session)
    c = s.create_commitment("Space", owners="USA", deadline="2025-12-31")
    assert audit_count(session) == n + 1
    s.update_commitment(c.id, {"progress": 40, "status": "in_progress"})
    assert audit_count(session) == n + 2
    entry = s.audit(object_type="commitment", object_id=c.id)[0]
    assert entry.actor == "usa_staff" and entry.action == "update"
    assert entry.before is not None and entry.after is not None
    assert (entry.before["progress"], entry.after["progress"]) == (0.0, 40.0)
    assert entry.before["status"] == "open" and entry.after["status"] == "in_progress"


def test_audit_log_is_immutable_in_service_layer_and_database(
    users: dict[str, User], svc: Make, session: Session, db: Database
) -> None:
    s = svc(users["kor_staff"])
    s.create_commitment("x", owners="KOR")
    entry = s.audit()[0]
    entry.actor = "mallory"
    with pytest.raises(ForbiddenError, match="append-only"):
        session.commit()
    session.rollback()
    session.delete(session.get(AuditEntry, entry.id))
    with pytest.raises(ForbiddenError):
        session.flush()
    session.rollback()
    # below the ORM: the database triggers refuse too
    for stmt in (update(AuditEntry).values(actor="mallory"), delete(AuditEntry)):
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(stmt)
            conn.commit()
    with db.engine.connect() as conn:
        actors = set(conn.execute(text("SELECT actor FROM sec_audit")).scalars())
    assert "mallory" not in actors and "kor_staff" in actors


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"owners": "KOR,PRK"}, "unknown nation"),
        ({"owners": "all", "deadline": "2025-02-30"}, "not a real date"),
        ({"owners": "all", "deadline": "next tuesday-ish"}, "cannot read"),
        ({"owners": "all", "visible_to": "Narnia"}, "unknown nation"),
        ({"owners": "all", "progress": 140}, "outside 0..100"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    users: dict[str, User], svc: Make, session: Session, kwargs: dict[str, object], message: str
) -> None:
    s = svc(users["kor_staff"])
    n = audit_count(session)
    with pytest.raises(ValidationError, match=message):
        s.create_commitment("t", **kwargs)  # type: ignore[arg-type]
    session.rollback()
    assert audit_count(session) == n
    assert session.scalars(select(Commitment)).first() is None


def test_huge_and_html_titles_refused(users: dict[str, User], svc: Make) -> None:
    s = svc(users["kor_staff"])
    with pytest.raises(ValidationError, match="too long"):
        s.create_commitment("x" * (10 * 1024 * 1024), owners="all")
    with pytest.raises(ValidationError, match="HTML"):
        s.create_commitment("<script>alert(1)</script>", owners="all")
    with pytest.raises(ValidationError, match="HTML"):
        s.create_workstream("ws", {"ko": "<img src=x onerror=alert(1)>"})
    ok = s.create_commitment("3 < 5 & R&D", owners="all")  # plain text with < and & is fine
    assert ok.title["en"] == "3 < 5 & R&D"


# ----------------------------------------------------------------------------- exchange
def test_seed_loads_once_and_round_trips(
    users: dict[str, User], svc: Make, session: Session
) -> None:
    root = svc(system_user())
    counts = load_seed(root)
    assert counts["commitments"] >= 5 and counts["meetings"] >= 4 and counts["documents"] >= 4
    assert set(load_seed(root).values()) == {0}
    mw = root.commitment_by_key("cd-2023-missile-warning")
    assert mw.status == "done" and mw.evidence
    assert mw.deadline is not None and mw.deadline.date() == dt.date(2023, 12, 31)
    data = export_data(svc(users["jpn_viewer"]))
    tisa = next(d for d in data["documents"] if d["key"] == "tisa-2014")
    assert tisa["issued_on"] == "2014-12-29" and tisa["source_url"].startswith("https://")
    # a fresh import of the export into the same database changes nothing
    assert set(import_data(root, data).values()) == {0}


def test_import_names_the_bad_item(svc: Make) -> None:
    root = svc(system_user())
    data = {"commitments": [{"title": "ok", "owners": "all"}, {"title": "bad", "owners": "XXX"}]}
    with pytest.raises(ValidationError, match=r"commitments\[1\]\.owners: unknown nation"):
        import_data(root, data)
    with pytest.raises(ValidationError, match="unknown sections"):
        import_data(root, {"missiles": []})


def test_review_due_view(users: dict[str, User], svc: Make) -> None:
    s = svc(users["kor_staff"])
    c = s.create_commitment("Review me", owners="all", review_date="2025-03-15")
    s.create_commitment("Later", owners="all", review_date="2025-09-01")
    s.create_commitment("Closed", owners="all", review_date="2025-03-02", status="done")
    assert [x.id for x in s.list_commitments("review_due", days=30)] == [c.id]
    with pytest.raises(ValidationError, match="view"):
        s.list_commitments("someday")


def test_each_service_write_makes_exactly_one_audit_entry_per_object(
    users: dict[str, User], svc: Make, session: Session
) -> None:
    s = svc(users["usa_staff"])
    approver = {n: svc(users[f"{n}_approver"]) for n in ("kor", "usa", "jpn")}
    state: dict[str, Any] = {}

    def step(fn: Callable[[], Any], objects: int = 1) -> Any:
        before = audit_count(session)
        out = fn()
        assert audit_count(session) == before + objects, fn
        return out

    ws = step(lambda: s.create_workstream("space", {"en": "Space", "ko": "우주"}))
    c = step(lambda: s.create_commitment("SSA", owners="all", workstream_id=ws.id))
    step(lambda: s.update_commitment(c.id, {"progress": 10}))
    ms = step(lambda: s.add_milestone(c.id, "Step", "2025-06-30"))
    step(lambda: s.complete_milestone(ms.id))
    step(lambda: s.add_evidence(c.id, "https://example.org/a", "press release"))
    series = step(
        lambda: s.create_series(
            "wg",
            "working_group",
            "WG",
            rule="quarterly",
            tz="Asia/Tokyo",
            anchor="2025-01-14T10:00",
        )
    )
    made = step(lambda: s.generate_meetings(series.id, "2025-12-31"), objects=4)
    m = made[0]
    step(lambda: s.add_agenda_item(m.id, "Item", presenter="JPN", duration_min=30))
    state["o"] = step(lambda: s.add_outcome(m.id, "decision", "Do it"))
    step(lambda: s.promote_outcome(state["o"].id, owners="all", deadline="2025-12-31"), objects=2)
    step(
        lambda: s.add_outcome(m.id, "commitment", "Also", owners="all", deadline="2025-12"),
        objects=3,
    )
    step(lambda: s.write_minutes(m.id, "text"))
    for n in ("kor", "usa", "jpn"):
        step(lambda n=n: approver[n].approve_minutes(m.id))
    step(lambda: approver["kor"].lock_minutes(m.id))
    ex = step(
        lambda: s.create_exercise(
            "fe", "FE", starts_on="2025-09-15", ends_on="2025-09-19", domains="maritime"
        )
    )
    step(lambda: s.attach_run(ex.id, {"latency_s": 1.5}))
    doc = step(lambda: s.create_document("d", "agreement", "Doc", body="v1"))
    v = step(lambda: s.add_version(doc.id, "v2"))
    step(lambda: s.add_attachment(v.id, "a.txt", "text/plain", b"hello"))
    step(lambda: s.set_language("ja"))
    step(lambda: s.rotate_ical_token())
