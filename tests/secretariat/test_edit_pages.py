"""Editing workstreams, meeting series, exercises and document metadata: the audited service
updates (sharing only widened) and the edit forms on their pages (in-process)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from trilink.scenarios.model import library_names
from trilink.secretariat.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from trilink.secretariat.models import AuditEntry, User
from trilink.secretariat.services import Secretariat

from .helpers import PASSWORD, page_login, per_nation

WEB_USERS = per_nation("viewer", "staff")

Make = Callable[[User], Secretariat]


def updates(session: Session, kind: str) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.object_type == kind, AuditEntry.action == "update")
    return list(session.scalars(stmt))


def test_update_workstream(session: Session, users: dict[str, User], svc: Make) -> None:
    kor = svc(users["kor_staff"])
    w = kor.create_workstream("ws", "Space", visible_to="KOR,USA")
    kor.update_workstream(
        w.id,
        title={"en": "Space security", "ja": "宇宙安全保障"},
        description="orbit",
        owners="KOR,JPN",
        status="paused",
        visible_to="all",
    )
    assert (w.title["ja"], w.owners, w.status) == ("宇宙安全保障", "KOR,JPN", "paused")
    assert w.visible_to == ("KOR", "USA", "JPN")
    [entry] = updates(session, "workstream")
    assert entry.before is not None and entry.before["status"] == "active"
    assert entry.visible_to == ("KOR", "USA", "JPN")
    with pytest.raises(ConflictError):
        svc(users["usa_staff"]).update_workstream(w.id, visible_to="USA")
    for bad in ({"status": "frozen"}, {"title": "x\u202e"}, {"owners": "CHN"}):
        with pytest.raises(ValidationError):
            kor.update_workstream(w.id, **bad)
    with pytest.raises(ForbiddenError):
        svc(users["kor_viewer"]).update_workstream(w.id, status="closed")
    hidden = kor.create_workstream("h", "Hidden", visible_to="KOR")
    with pytest.raises(NotFoundError):
        svc(users["jpn_staff"]).update_workstream(hidden.id, status="closed")
    assert len(updates(session, "workstream")) == 1


def test_update_series(session: Session, users: dict[str, User], svc: Make) -> None:
    kor = svc(users["kor_staff"])
    s = kor.create_series(
        "dtt", "dtt", "DTT", rule="annually", tz="Asia/Seoul", anchor="2025-04-15T10:00"
    )
    kor.update_series(
        s.id,
        title="Defense talks",
        kind="working_group",
        rule="quarterly",
        tz="Asia/Tokyo",
        anchor="2025-05-01T09:30",
        duration_min=90,
        location="Tokyo",
    )
    assert (s.kind, s.rule, s.tz, s.anchor_local, s.duration_min, s.location) == (
        "working_group",
        "quarterly",
        "Asia/Tokyo",
        "2025-05-01T09:30",
        90,
        "Tokyo",
    )
    assert len(updates(session, "meetingseries")) == 1
    for bad in (
        {"rule": "whenever"},
        {"tz": "Nowhere/City"},
        {"anchor": "2301-01-01T10:00"},
        {"duration_min": 0},
        {"kind": "party"},
    ):
        with pytest.raises(ValidationError):
            kor.update_series(s.id, **bad)
    with pytest.raises(ConflictError):
        svc(users["jpn_staff"]).update_series(s.id, visible_to="JPN")
    with pytest.raises(ForbiddenError):
        svc(users["usa_viewer"]).update_series(s.id, location="x")
    hidden = kor.create_series(
        "k",
        "dtt",
        "K",
        rule="annually",
        tz="Asia/Seoul",
        anchor="2025-04-15T10:00",
        visible_to="KOR",
    )
    with pytest.raises(NotFoundError):
        svc(users["usa_staff"]).update_series(hidden.id, location="x")


def test_update_exercise(session: Session, users: dict[str, User], svc: Make) -> None:
    kor = svc(users["kor_staff"])
    ex = kor.create_exercise(
        "fe", "Freedom Edge", starts_on="2025-09-15", ends_on="2025-09-19", visible_to="KOR,USA"
    )
    kor.update_exercise(
        ex.id,
        name={"en": "Freedom Edge 25"},
        starts_on="2025-09-14",
        ends_on="2025-09-20",
        participants="KOR,USA",
        domains=["cyber", "maritime"],
        scenario="demo",
        status="conducted",
        visible_to="all",
    )
    assert (ex.starts_on, ex.ends_on) == (dt.date(2025, 9, 14), dt.date(2025, 9, 20))
    assert (ex.domains, ex.scenario, ex.status) == ("maritime,cyber", "demo", "conducted")
    kor.update_exercise(ex.id, scenario="")
    assert ex.scenario is None
    for bad in (
        {"ends_on": "2025-09-01"},
        {"starts_on": "1899-12-31"},
        {"domains": ["land"]},
        {"status": "won"},
    ):
        with pytest.raises(ValidationError):
            kor.update_exercise(ex.id, **bad)
    with pytest.raises(ConflictError):
        svc(users["usa_staff"]).update_exercise(ex.id, visible_to="KOR,USA")
    with pytest.raises(ForbiddenError):
        svc(users["jpn_viewer"]).update_exercise(ex.id, status="planned")
    hidden = kor.create_exercise(
        "h", "H", starts_on="2025-01-01", ends_on="2025-01-02", visible_to="KOR"
    )
    with pytest.raises(NotFoundError):
        svc(users["jpn_staff"]).update_exercise(hidden.id, status="planned")
    assert len(updates(session, "exercise")) == 2


def test_update_document(session: Session, users: dict[str, User], svc: Make) -> None:
    kor = svc(users["kor_staff"])
    d = kor.create_document("js", "joint_statement", "Statement", body="text", visible_to="KOR")
    kor.update_document(
        d.id,
        kind="framework",
        title="Framework",
        issued_on="2024-07-28",
        source_url="https://example.org/tscf",
        visible_to="KOR,JPN",
    )
    assert (d.kind, d.issued_on, d.source_url) == (
        "framework",
        dt.date(2024, 7, 28),
        "https://example.org/tscf",
    )
    assert len(d.versions) == 1  # texts change through versions, not here
    kor.update_document(d.id, issued_on="", source_url="")
    assert (d.issued_on, d.source_url) == (None, None)
    for bad in (
        {"kind": "memo"},
        {"issued_on": "2024-02-30"},
        {"source_url": "javascript:alert(1)"},
        {"title": "<b>x</b>"},
    ):
        with pytest.raises(ValidationError):
            kor.update_document(d.id, **bad)
    with pytest.raises(ConflictError):
        svc(users["jpn_staff"]).update_document(d.id, visible_to="JPN")
    with pytest.raises(ForbiddenError):
        svc(users["kor_viewer"]).update_document(d.id, kind="other")
    with pytest.raises(NotFoundError):
        svc(users["usa_staff"]).update_document(d.id, kind="other")
    assert len(updates(session, "document")) == 2


# ----------------------------------------------------------------------------- pages
def _created(client: TestClient, path: str, data: dict[str, Any]) -> str:
    r = client.post(path, data=data)
    assert r.status_code == 200, r.text
    return r.url.path


CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any], str]] = {
    "workstream": (
        "/workstreams",
        {"key": "ws1", "title_en": "Space", "owners": ["KOR"], "status": "active"},
        {"title_en": "Space security", "owners": ["KOR", "USA"], "status": "paused"},
        "Space security",
    ),
    "series": (
        "/series",
        {
            "key": "s1",
            "kind": "dtt",
            "title_en": "DTT",
            "rule": "annually",
            "tz": "Asia/Seoul",
            "anchor": "2025-04-15T10:00",
        },
        {
            "title_en": "Defense trilateral talks",
            "kind": "dtt",
            "rule": "quarterly",
            "tz": "Asia/Tokyo",
            "anchor": "2025-04-15T10:00",
            "duration_min": "90",
            "location": "Tokyo",
        },
        "Defense trilateral talks",
    ),
    "exercise": (
        "/exercises",
        {
            "key": "e1",
            "name_en": "Freedom Edge",
            "starts_on": "2025-09-15",
            "ends_on": "2025-09-19",
            "participants": ["KOR", "USA"],
            "status": "planned",
        },
        {
            "name_en": "Freedom Edge 25",
            "starts_on": "2025-09-15",
            "ends_on": "2025-09-20",
            "participants": ["KOR", "USA", "JPN"],
            "domains": ["maritime"],
            "status": "conducted",
        },
        "Freedom Edge 25",
    ),
    "document": (
        "/documents",
        {"key": "d1", "kind": "joint_statement", "title_en": "Statement", "body_en": "text"},
        {
            "title_en": "Joint statement of Lima",
            "kind": "joint_statement",
            "issued_on": "2024-11-15",
            "source_url": "https://example.org/lima",
        },
        "Joint statement of Lima",
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_edit_form(app: Any, kind: str) -> None:
    create, fields, changes, shown = CASES[kind]
    kor, csrf = page_login(app, "kor_staff")
    path = _created(kor, create, {"csrf": csrf, **fields, "vis": ["KOR", "USA"]})
    assert f'action="{path}/edit"' in kor.get(path).text
    forged = kor.post(f"{path}/edit", data={"csrf": "forged", **changes, "vis": ["KOR", "USA"]})
    assert forged.status_code == 422 and "CSRF" in forged.text
    r = kor.post(f"{path}/edit", data={"csrf": csrf, **changes, "vis": ["KOR", "USA", "JPN"]})
    assert r.status_code == 200 and shown in r.text, r.text
    # wrong role: a viewer sees no form and is refused
    viewer, vcsrf = page_login(app, "usa_viewer")
    assert f'action="{path}/edit"' not in viewer.get(path).text
    r = viewer.post(f"{path}/edit", data={"csrf": vcsrf, **changes, "vis": nationsall()})
    assert r.status_code == 403
    # another nation may not take the record away from KOR
    usa, ucsrf = page_login(app, "usa_staff")
    r = usa.post(f"{path}/edit", data={"csrf": ucsrf, **changes, "vis": ["USA"]})
    assert r.status_code == 409
    # a record hidden from a nation answers 404 to its edit form
    hidden = _created(kor, create, {"csrf": csrf, **fields, "key": f"{kind}-k", "vis": ["KOR"]})
    jpn, jcsrf = page_login(app, "jpn_staff")
    r = jpn.post(f"{hidden}/edit", data={"csrf": jcsrf, **changes, "vis": nationsall()})
    assert r.status_code == 404


def nationsall() -> list[str]:
    return ["KOR", "USA", "JPN"]


def test_exercise_edit_keeps_or_checks_the_scenario(app: Any) -> None:
    kor, csrf = page_login(app, "kor_staff")
    path = _created(
        kor,
        "/exercises",
        {
            "csrf": csrf,
            "key": "e2",
            "name_en": "FE",
            "starts_on": "2025-09-15",
            "ends_on": "2025-09-19",
            "vis": nationsall(),
        },
    )
    base = {
        "csrf": csrf,
        "name_en": "FE",
        "starts_on": "2025-09-15",
        "ends_on": "2025-09-19",
        "participants": nationsall(),
        "status": "planned",
        "vis": nationsall(),
    }
    r = kor.post(f"{path}/edit", data={**base, "scenario": "not-a-scenario"})
    assert r.status_code == 422
    name = library_names()[0]
    r = kor.post(f"{path}/edit", data={**base, "scenario": name})
    assert r.status_code == 200 and f'id="exercise-scenario">{name}<' in r.text


API_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str, Any]] = {
    "workstreams": ({"key": "w", "title": "W"}, {"status": "paused"}, "status", "paused"),
    "series": (
        {
            "key": "s",
            "kind": "dtt",
            "title": "S",
            "rule": "annually",
            "tz": "Asia/Seoul",
            "anchor": "2025-04-15T10:00",
        },
        {"rule": "quarterly"},
        "rule",
        "quarterly",
    ),
    "exercises": (
        {"key": "e", "name": "E", "starts_on": "2025-09-15", "ends_on": "2025-09-19"},
        {"status": "conducted", "domains": ["space"]},
        "domains",
        ["space"],
    ),
    "documents": (
        {"key": "d", "kind": "agreement", "title": "D", "body": "text"},
        {"issued_on": "2014-12-29"},
        "title",
        "D",
    ),
}


@pytest.mark.parametrize("kind", sorted(API_CASES))
def test_patch_api(app: Any, kind: str) -> None:
    fields, change, name, value = API_CASES[kind]

    def api(user: str) -> tuple[TestClient, dict[str, str]]:
        client = TestClient(app)
        r = client.post("/api/v1/login", json={"username": user, "password": PASSWORD})
        return client, {"X-CSRF-Token": r.json()["csrf"]}

    kor, h = api("kor_staff")
    r = kor.post(f"/api/v1/{kind}", json={**fields, "visible_to": "KOR,USA"}, headers=h)
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    r = kor.patch(f"/api/v1/{kind}/{oid}", json=change, headers=h)
    assert r.status_code == 200 and r.json()[name] == value, r.text
    assert kor.patch(f"/api/v1/{kind}/{oid}", json=change).status_code in (403, 422)  # no CSRF
    assert kor.patch(f"/api/v1/{kind}/{oid}", json={"nope": 1}, headers=h).status_code == 422
    usa, uh = api("usa_staff")
    assert (
        usa.patch(f"/api/v1/{kind}/{oid}", json={"visible_to": "USA"}, headers=uh).status_code
        == 409
    )
    viewer, vh = api("usa_viewer")
    assert viewer.patch(f"/api/v1/{kind}/{oid}", json=change, headers=vh).status_code == 403
    jpn, jh = api("jpn_staff")
    r = jpn.patch(f"/api/v1/{kind}/{oid}", json=change, headers=jh)
    assert (r.status_code, r.json()) == (404, {"error": "not found"})
