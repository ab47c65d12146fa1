"""Attempts of a hostile probe through the REST API and the pages (in-process client, SQLite)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import update

from trilink.secretariat.db import Database
from trilink.secretariat.models import Commitment, Meeting

from .helpers import api_create, api_login, api_meeting, per_nation

WEB_USERS = per_nation("viewer", "staff", "admin")


# ----------------------------------------------------------------------------- 1. narrowing
def test_one_nation_cannot_hide_a_shared_commitment(app: Any) -> None:
    usa, uh = api_login(app, "usa_staff")
    cid = api_create(usa, uh, "/api/v1/commitments", title="shared", owners="all")["id"]
    kor, kh = api_login(app, "kor_staff")
    r = kor.patch(
        f"/api/v1/commitments/{cid}",
        json={"visible_to": ["KOR"], "status": "cancelled"},
        headers=kh,
    )
    assert r.status_code == 409 and "consent" in r.json()["error"]
    seen = usa.get(f"/api/v1/commitments/{cid}")
    assert seen.status_code == 200 and seen.json()["status"] == "open"
    assert seen.json()["visible_to"] == ["KOR", "USA", "JPN"]
    # widening stays allowed; the change's audit row reaches every nation that saw it before
    restricted = api_create(
        kor, kh, "/api/v1/commitments", title="bilateral", owners="KOR", visible_to="KOR,USA"
    )["id"]
    wide = kor.patch(f"/api/v1/commitments/{restricted}", json={"visible_to": "all"}, headers=kh)
    assert wide.status_code == 200 and wide.json()["visible_to"] == ["KOR", "USA", "JPN"]
    jpn, _ = api_login(app, "jpn_viewer")
    assert [e["action"] for e in jpn.get(f"/api/v1/commitments/{restricted}/history").json()] == [
        "update"
    ]
    status = kor.patch(f"/api/v1/commitments/{cid}", json={"status": "at_risk"}, headers=kh)
    assert status.status_code == 200
    for client in (usa, jpn):
        history = client.get(f"/api/v1/commitments/{cid}/history").json()
        assert [e["action"] for e in history] == ["update", "create"]


# ----------------------------------------------------------------------------- deadline instant
def test_saving_a_status_keeps_the_deadline_instant(app: Any) -> None:
    kor, kh = api_login(app, "kor_staff")
    c = api_create(
        kor, kh, "/api/v1/commitments", title="x", owners="KOR", deadline="2025-06-30T09:00+09:00"
    )
    assert c["deadline"] == "2025-06-30T00:00:00+00:00"
    r = kor.patch(f"/api/v1/commitments/{c['id']}", json={"status": "at_risk"}, headers=kh)
    assert r.json()["deadline"] == "2025-06-30T00:00:00+00:00"
    # the page form shows the deadline and sends it back with the new status
    page = kor.get(f"/commitments/{c['id']}")
    assert page.status_code == 200
    form = {"status": "in_progress", "progress": "10", "csrf": kh["X-CSRF-Token"]}
    form["deadline"] = "2025-06-30"
    saved = kor.post(f"/commitments/{c['id']}", data=form, follow_redirects=False)
    assert saved.status_code == 303
    after = kor.get(f"/api/v1/commitments/{c['id']}").json()
    assert after["status"] == "in_progress"
    assert after["deadline"] == "2025-06-30T00:00:00+00:00"


# ----------------------------------------------------------------------------- 2. ranges, feeds
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/commitments", {"title": "x", "owners": "KOR", "deadline": "9999-12-31"}),
        ("/api/v1/commitments", {"title": "x", "owners": "KOR", "deadline": "end of 0000"}),
        ("/api/v1/commitments", {"title": "x", "owners": "KOR", "deadline": "0001-01"}),
        ("/api/v1/meetings", {"title": "m", "start": "0001-01-01T00:30", "tz": "Asia/Tokyo"}),
        ("/api/v1/meetings", {"title": "m", "start": "9999-12-31T23:00", "tz": "UTC"}),
    ],
)
def test_out_of_range_dates_are_refused(app: Any, path: str, body: dict[str, Any]) -> None:
    kor, kh = api_login(app, "kor_staff")
    r = kor.post(path, json=body, headers=kh)
    assert r.status_code == 422 and "1900" in r.json()["error"]


def test_huge_day_counts_are_refused(app: Any) -> None:
    kor, _ = api_login(app, "kor_staff")
    r = kor.get("/api/v1/commitments?view=due_soon&days=999999999")
    assert r.status_code == 422 and "days" in r.json()["error"]


def test_a_stored_out_of_range_deadline_never_breaks_a_feed(
    app_db: tuple[Any, Database], clock: Any
) -> None:
    app, db = app_db
    kor, kh = api_login(app, "kor_staff")
    due = {"owners": "KOR", "deadline": "2026-01-31"}
    good = api_create(kor, kh, "/api/v1/commitments", title="good", **due)["id"]
    bad = api_create(kor, kh, "/api/v1/commitments", title="bad", **due)["id"]
    api_meeting(kor, kh, "m", "2026-01-10T10:00", "Asia/Tokyo")

    # written straight into the database, past every check (an older version, a bad import)
    with db.session() as s:
        end = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
        s.execute(update(Commitment).where(Commitment.id == bad).values(deadline=end))
        s.execute(
            update(Meeting).values(
                starts_at=dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC), ends_at=end
            )
        )
        s.commit()
    token = kor.get("/api/v1/me").json()["calendar"].rsplit("/", 1)[-1]
    r = TestClient(app).get(f"/calendar/{token}")
    assert r.status_code == 200
    uids = {str(ev["uid"]) for ev in Calendar.from_ical(r.content).walk("VEVENT")}
    assert uids == {f"commitment-{good}-deadline@trilink.local"}
    # the API lists still answer for everyone
    assert kor.get("/api/v1/commitments").status_code == 200
    meetings = kor.get("/api/v1/meetings")
    assert meetings.status_code == 200 and meetings.json()[0]["starts_at"].startswith("9999")


# ----------------------------------------------------------------------------- 5. hidden == missing
def test_hidden_objects_answer_exactly_like_missing_ones(app: Any) -> None:
    kor, kh = api_login(app, "kor_staff")
    ws = api_create(kor, kh, "/api/v1/workstreams", key="kor-only", title="w", visible_to="KOR")[
        "id"
    ]
    parent = api_create(
        kor, kh, "/api/v1/commitments", title="p", owners="KOR", visible_to="KOR", workstream_id=ws
    )["id"]
    child = api_create(
        kor, kh, "/api/v1/commitments", title="c", owners="all", parent_id=parent, workstream_id=ws
    )["id"]
    hidden_ms = api_create(kor, kh, f"/api/v1/commitments/{parent}/milestones", title="m")["id"]
    usa, uh = api_login(app, "usa_staff")
    # not-found is one identical answer, with no ids echoed
    answers = {
        usa.get(f"/api/v1/commitments/{parent}").text,
        usa.get("/api/v1/commitments/99999").text,
        usa.post(f"/api/v1/milestones/{hidden_ms}/complete", headers=uh).text,
        usa.post("/api/v1/milestones/99999/complete", headers=uh).text,
        usa.get(f"/api/v1/workstreams/{ws}").text,
        usa.get("/api/v1/workstreams/99999").text,
    }
    answers.add(usa.get("/api/v1/no-such-route").text)
    assert len(answers) == 1 and str(parent) not in answers.pop()
    # a shared child does not show its hidden parent's or workstream's id
    seen = usa.get(f"/api/v1/commitments/{child}").json()
    assert seen["parent_id"] is None and seen["workstream_id"] is None
    mine = kor.get(f"/api/v1/commitments/{child}").json()
    assert mine["parent_id"] == parent and mine["workstream_id"] == ws
    # a filter by a hidden id returns exactly what a missing id returns
    by_hidden = usa.get(f"/api/v1/commitments?workstream_id={ws}")
    by_missing = usa.get("/api/v1/commitments?workstream_id=99999")
    assert (by_hidden.status_code, by_hidden.json()) == (by_missing.status_code, by_missing.json())
    # a clash with a hidden key answers like a clash with a visible one
    hidden_clash = usa.post(
        "/api/v1/workstreams", json={"key": "kor-only", "title": "w"}, headers=uh
    )
    usa.post("/api/v1/workstreams", json={"key": "shared", "title": "w"}, headers=uh)
    visible_clash = usa.post(
        "/api/v1/workstreams", json={"key": "shared", "title": "w"}, headers=uh
    )
    assert hidden_clash.status_code == visible_clash.status_code == 409
    assert hidden_clash.json() == visible_clash.json()
    assert "kor-only" not in hidden_clash.text


# ----------------------------------------------------------------------------- 9. text and types
def test_text_is_text_but_bidi_and_lax_types_are_refused(app: Any) -> None:
    kor, kh = api_login(app, "kor_staff")
    ok = kor.post(
        "/api/v1/commitments",
        json={"title": "budget < target & more", "owners": "KOR"},
        headers=kh,
    )
    assert ok.status_code == 201 and ok.json()["title"] == "budget < target & more"
    page = kor.get(f"/commitments/{ok.json()['id']}")
    assert "budget &lt; target &amp; more" in page.text
    for bad in ("evil\u202etxt.exe", "a\u2066b", "x\u0085y"):
        r = kor.post("/api/v1/commitments", json={"title": bad, "owners": "KOR"}, headers=kh)
        assert r.status_code == 422 and "title" in r.json()["error"]
    r = kor.post(
        "/api/v1/meetings",
        json={"title": "m", "start": "2026-01-10T10:00", "tz": "UTC", "duration_min": True},
        headers=kh,
    )
    assert r.status_code == 422 and "duration_min" in r.json()["error"]
    r = kor.post(
        "/api/v1/commitments", json={"title": "x", "owners": "KOR", "progress": True}, headers=kh
    )
    assert r.status_code == 422 and "progress" in r.json()["error"]


def test_unparseable_bodies_answer_in_the_api_format(app: Any) -> None:
    kor, kh = api_login(app, "kor_staff")
    deep = "[" * 50_000 + "]" * 50_000
    r = kor.post(
        "/api/v1/commitments", content=deep, headers={**kh, "Content-Type": "application/json"}
    )
    assert r.status_code == 400 and set(r.json()) == {"error"}
