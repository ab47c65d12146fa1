"""Meeting attendees and the meeting edit form: service, API and page (in-process)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trilink.secretariat.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from trilink.secretariat.models import AuditEntry, User
from trilink.secretariat.services import Secretariat

from .helpers import api_login, api_meeting, page_login, page_meeting, per_nation

WEB_USERS = per_nation("viewer", "staff")

Make = Callable[[User], Secretariat]


def test_attendees_service(session: Session, users: dict[str, User], svc: Make) -> None:
    kor = svc(users["kor_staff"])
    m = kor.create_meeting("m", start="2025-05-01T10:00", tz="Asia/Seoul", visible_to="KOR,USA")
    a = kor.add_attendee(m.id, role="head_of_delegation", nation="KOR", name="Minister Kim")
    u = kor.add_attendee(m.id, role="member", username="usa_staff")
    assert (u.nation, u.user_id) == ("USA", users["usa_staff"].id)
    assert [x.name for x in svc(users["usa_viewer"]).attendees(m.id)] == ["Minister Kim", u.name]
    for bad in (
        {"role": "member", "nation": "JPN", "name": "x"},  # the meeting is not shared with JPN
        {"role": "chair", "nation": "KOR", "name": "x"},
        {"role": "member", "nation": "KOR", "name": "bad\u202ename"},
        {"role": "member", "nation": "KOR", "name": ""},
        {"role": "member", "nation": "KOR", "username": "nobody"},
        {"role": "member", "nation": "KOR", "username": "usa_staff"},
    ):
        with pytest.raises(ValidationError):
            kor.add_attendee(m.id, **bad)
    with pytest.raises(ForbiddenError):
        svc(users["kor_viewer"]).add_attendee(m.id, role="member", nation="KOR", name="x")
    jpn = svc(users["jpn_staff"])
    with pytest.raises(NotFoundError):
        jpn.add_attendee(m.id, role="member", nation="JPN", name="x")
    with pytest.raises(NotFoundError):
        jpn.remove_attendee(m.id, a.id)
    with pytest.raises(NotFoundError):
        jpn.attendees(m.id)
    other = kor.create_meeting("o", start="2025-06-01T10:00", tz="Asia/Seoul")
    with pytest.raises(NotFoundError):
        kor.remove_attendee(other.id, a.id)  # not this meeting's attendee
    kor.remove_attendee(m.id, a.id)
    assert [x.id for x in kor.attendees(m.id)] == [u.id]
    actions = [
        (e.action, e.object_type)
        for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "meetingattendee")
        )
    ]
    assert actions == [
        ("create", "meetingattendee"),
        ("create", "meetingattendee"),
        ("delete", "meetingattendee"),
    ]


def test_update_meeting_service(users: dict[str, User], svc: Make) -> None:
    kor = svc(users["kor_staff"])
    m = kor.create_meeting(
        "m", start="2025-05-01T10:00", tz="Asia/Seoul", duration_min=60, visible_to="KOR,USA"
    )
    kor.update_meeting(
        m.id,
        title={"en": "Renamed", "ko": "새 이름"},
        start="2025-05-02T09:00",
        end="2025-05-02T12:30",
        location="Seoul",
        status="held",
        visible_to="KOR,USA,JPN",
    )
    assert m.starts_at.isoformat() == "2025-05-02T00:00:00+00:00"
    assert m.ends_at.isoformat() == "2025-05-02T03:30:00+00:00"
    assert (m.location, m.status, m.visible_to) == ("Seoul", "held", ("KOR", "USA", "JPN"))
    kor.update_meeting(m.id, tz="America/New_York")  # same wall time, new zone
    assert m.starts_at.isoformat() == "2025-05-02T13:00:00+00:00"
    assert m.ends_at - m.starts_at == __import__("datetime").timedelta(hours=3, minutes=30)
    with pytest.raises(ConflictError):
        svc(users["usa_staff"]).update_meeting(m.id, visible_to="USA")
    for bad in (
        {"end": "2025-05-01T09:00"},
        {"start": "1850-01-01T10:00"},
        {"tz": "Mars/Base"},
        {"status": "postponed"},
        {"location": "bad\x07"},
    ):
        with pytest.raises(ValidationError):
            kor.update_meeting(m.id, **bad)
    with pytest.raises(ForbiddenError):
        svc(users["kor_viewer"]).update_meeting(m.id, location="x")
    hidden = kor.create_meeting("h", start="2025-05-01T10:00", tz="Asia/Seoul", visible_to="KOR")
    with pytest.raises(NotFoundError):
        svc(users["jpn_staff"]).update_meeting(hidden.id, location="x")


# ----------------------------------------------------------------------------- API and pages
def test_attendees_api(app: Any) -> None:
    kor, h = api_login(app, "kor_staff")
    mid = api_meeting(kor, h, "m", "2025-05-01T10:00", "Asia/Seoul", visible_to="KOR")["id"]
    r = kor.post(
        f"/api/v1/meetings/{mid}/attendees",
        json={"role": "head_of_delegation", "nation": "KOR", "name": "Kim"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    assert r.json() == {
        "id": aid,
        "user_id": None,
        "name": "Kim",
        "nation": "KOR",
        "role": "head_of_delegation",
    }
    assert kor.get(f"/api/v1/meetings/{mid}").json()["attendees"][0]["name"] == "Kim"
    assert kor.get(f"/api/v1/meetings/{mid}/attendees").json()[0]["id"] == aid
    bad = kor.post(
        f"/api/v1/meetings/{mid}/attendees",
        json={"role": "member", "nation": "USA", "name": "x"},
        headers=h,
    )
    assert bad.status_code == 422
    assert kor.post(
        f"/api/v1/meetings/{mid}/attendees", json={"role": "member", "name": "x"}
    ).status_code in (403, 422)  # no CSRF token
    usa, uh = api_login(app, "usa_staff")
    for r in (
        usa.get(f"/api/v1/meetings/{mid}/attendees"),
        usa.post(
            f"/api/v1/meetings/{mid}/attendees",
            json={"role": "member", "nation": "USA", "name": "x"},
            headers=uh,
        ),
        usa.delete(f"/api/v1/meetings/{mid}/attendees/{aid}", headers=uh),
    ):
        assert (r.status_code, r.json()) == (404, {"error": "not found"})
    r = kor.delete(f"/api/v1/meetings/{mid}/attendees/{aid}", headers=h)
    assert (r.status_code, r.json()) == (200, {"status": "removed"})
    assert kor.get(f"/api/v1/meetings/{mid}/attendees").json() == []
    r = kor.patch(
        f"/api/v1/meetings/{mid}", json={"location": "Seoul", "status": "held"}, headers=h
    )
    assert (r.status_code, r.json()["location"], r.json()["status"]) == (200, "Seoul", "held")
    r = usa.patch(f"/api/v1/meetings/{mid}", json={"location": "x"}, headers=uh)
    assert r.status_code == 404


def test_attendees_and_edit_on_the_meeting_page(app: Any) -> None:
    kor, csrf = page_login(app, "kor_staff")
    r = page_meeting(kor, csrf, "Talks", "2025-05-01T10:00", ["KOR", "USA"])
    mid = r.url.path.rsplit("/", 1)[1]
    page = kor.get(f"/meetings/{mid}").text
    assert 'id="attendee-form"' in page and 'id="meeting-edit"' in page
    assert '<option value="JPN"' not in page.split('id="attendee-form"')[1].split("</form>")[0]
    r = kor.post(
        f"/meetings/{mid}/attendees",
        data={
            "csrf": csrf,
            "name": "Ambassador Lee",
            "nation": "KOR",
            "role": "head_of_delegation",
        },
    )
    assert r.status_code == 200 and "Ambassador Lee" in r.text and "head of delegation" in r.text
    aid = re.search(r'data-attendee="(\d+)"', r.text)
    assert aid
    forged = kor.post(
        f"/meetings/{mid}/attendees", data={"csrf": "forged", "name": "x", "role": "member"}
    )
    assert forged.status_code == 422 and "CSRF" in forged.text
    held = dict(start="2025-05-01T11:00", end="2025-05-01T13:00", tz="Asia/Tokyo", status="held")
    r = kor.post(
        f"/meetings/{mid}/edit",
        data={
            "csrf": csrf,
            "title_en": "Renamed talks",
            **held,
            "location": "Tokyo",
            "vis": ["KOR", "USA", "JPN"],
        },
    )
    assert r.status_code == 200 and "Renamed talks" in r.text and "Tokyo" in r.text
    usa, ucsrf = page_login(app, "usa_staff")
    narrowed = usa.post(
        f"/meetings/{mid}/edit", data={"csrf": ucsrf, "title_en": "Mine", **held, "vis": ["USA"]}
    )
    assert narrowed.status_code == 409
    viewer, vcsrf = page_login(app, "kor_viewer")
    assert 'id="meeting-edit"' not in viewer.get(f"/meetings/{mid}").text
    assert (
        viewer.post(
            f"/meetings/{mid}/attendees/{aid.group(1)}/remove", data={"csrf": vcsrf}
        ).status_code
        == 403
    )
    hidden = page_meeting(kor, csrf, "K", "2025-05-01T10:00", ["KOR"]).url.path.rsplit("/", 1)[1]
    jpn, jcsrf = page_login(app, "jpn_staff")
    assert jpn.get(f"/meetings/{hidden}").status_code == 404
    r = jpn.post(
        f"/meetings/{hidden}/attendees",
        data={"csrf": jcsrf, "name": "x", "nation": "JPN", "role": "member"},
    )
    assert r.status_code == 404
    r = kor.post(f"/meetings/{mid}/attendees/{aid.group(1)}/remove", data={"csrf": csrf})
    assert r.status_code == 200 and "Ambassador Lee" not in r.text
