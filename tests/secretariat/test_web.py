"""Web pages and REST API (in-process client, SQLite)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from trilink.secretariat.db import Database
from trilink.secretariat.services import Secretariat, system_user

from .helpers import api_create, api_login, api_meeting, per_nation

WEB_USERS = per_nation("viewer", "staff", "approver")


def test_login_required_and_wrong_password(app: Any) -> None:
    client = TestClient(app)
    assert client.get("/api/v1/commitments").status_code == 401
    r = client.get("/commitments", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    bad = client.post("/api/v1/login", json={"username": "kor_staff", "password": "nope"})
    assert bad.status_code == 401
    kor, h = api_login(app, "kor_staff")
    assert kor.post("/api/v1/logout", headers=h).status_code == 200
    assert kor.get("/api/v1/me").status_code == 401
    admin, _ = api_login(app, "kor_viewer")
    actions = [e["action"] for e in admin.get("/api/v1/audit?object_type=user").json()]
    assert actions[:3] == ["login", "logout", "login"]
    page = client.post("/login", data={"username": "kor_staff", "password": "nope"})
    assert page.status_code == 401 and "wrong user name or password" in page.text


def test_api_flow_decision_to_commitment(app: Any, clock: Any) -> None:
    kor, h = api_login(app, "kor_staff")
    ministerial = {"en": "Ministerial", "ko": "장관회의"}
    m = api_meeting(kor, h, ministerial, "2025-03-10T10:00", "Asia/Seoul")
    assert m["starts_at"] == "2025-03-10T01:00:00+00:00"
    o = api_create(
        kor,
        h,
        f"/api/v1/meetings/{m['id']}/outcomes",
        kind="decision",
        text="Hold a maritime exercise with Pacific partners",
    )
    c = kor.post(
        f"/api/v1/outcomes/{o['id']}/commitment",
        json={"owners": ["KOR", "JPN"], "deadline": "2025-04-01"},
        headers=h,
    )
    assert c.status_code == 201, c.text
    cid = c.json()["id"]
    assert c.json()["source_outcome_id"] == o["id"]
    assert kor.get("/api/v1/commitments?view=overdue").json() == []
    clock.advance(days=45)
    assert kor.get("/api/v1/commitments").status_code == 401  # the session expired meanwhile
    kor, h = api_login(app, "kor_staff")
    overdue = kor.get("/api/v1/commitments?view=overdue").json()
    assert [x["id"] for x in overdue] == [cid]
    r = kor.patch(f"/api/v1/commitments/{cid}", json={"progress": 30}, headers=h)
    assert r.json()["progress"] == 30
    history = kor.get(f"/api/v1/commitments/{cid}/history").json()
    assert [e["action"] for e in history] == ["update", "create"]
    meeting = kor.get(f"/api/v1/meetings/{m['id']}?lang=ko").json()
    assert meeting["title"] == "장관회의" and meeting["outcomes"][0]["commitment_id"] == cid


def test_minutes_through_api(app: Any) -> None:
    staff, h = api_login(app, "usa_staff")
    m = api_meeting(staff, h, "DTT", "2025-04-15T09:00", "America/New_York")
    assert (
        staff.put(
            f"/api/v1/meetings/{m['id']}/minutes", json={"body": "Text"}, headers=h
        ).status_code
        == 200
    )
    states = []
    for nation in ("kor", "usa", "jpn"):
        client, hh = api_login(app, f"{nation}_approver")
        states.append(
            client.post(f"/api/v1/meetings/{m['id']}/minutes/approve", headers=hh).json()["state"]
        )
    assert states == ["draft", "draft", "approved"]
    lock = staff.post(f"/api/v1/meetings/{m['id']}/minutes/lock", headers=h)
    assert lock.status_code == 403  # staff may not lock
    client, hh = api_login(app, "jpn_approver")
    assert (
        client.post(f"/api/v1/meetings/{m['id']}/minutes/lock", headers=hh).json()["state"]
        == "locked"
    )
    edit = staff.put(f"/api/v1/meetings/{m['id']}/minutes", json={"body": "changed"}, headers=h)
    assert edit.status_code == 409 and "locked" in edit.json()["error"]


def test_audit_log_cannot_be_altered_through_the_api(app: Any) -> None:
    client, h = api_login(app, "kor_staff")
    api_create(client, h, "/api/v1/commitments", title="x", owners="KOR")
    entries = client.get("/api/v1/audit").json()
    eid = entries[0]["id"]
    for method in ("put", "patch", "delete"):
        r = getattr(client, method)(f"/api/v1/audit/{eid}", headers=h)
        assert r.status_code == 405
        r = getattr(client, method)("/api/v1/audit", headers=h)
        assert r.status_code == 405
    assert client.get(f"/api/v1/audit/{eid}").json() == entries[0]
    spec = client.get("/api/openapi.json").json()
    audit_methods = {
        m for p, ops in spec["paths"].items() if p.startswith("/api/v1/audit") for m in ops
    }
    assert audit_methods == {"get"}


def test_visibility_through_api(app: Any) -> None:
    kor, h = api_login(app, "kor_staff")
    cid = api_create(
        kor, h, "/api/v1/commitments", title="KOR-USA only", owners="KOR", visible_to="KOR,USA"
    )["id"]
    jpn, _ = api_login(app, "jpn_viewer")
    assert jpn.get(f"/api/v1/commitments/{cid}").status_code == 404
    assert jpn.get(f"/commitments/{cid}").status_code == 404
    assert all(c["id"] != cid for c in jpn.get("/api/v1/commitments").json())
    assert all(
        e["object_id"] != cid or e["object_type"] != "commitment"
        for e in jpn.get("/api/v1/audit").json()
    )
    usa, _ = api_login(app, "usa_viewer")
    assert usa.get(f"/api/v1/commitments/{cid}").status_code == 200


def test_csrf_required_for_writes(app: Any) -> None:
    client, _ = api_login(app, "kor_staff")
    r = client.post("/api/v1/commitments", json={"title": "x", "owners": "KOR"})
    assert r.status_code == 422 and "CSRF" in r.json()["error"]
    r = client.post("/commitments", data={"title": "x", "owners": "KOR", "csrf": "forged"})
    assert r.status_code == 422 and "CSRF" in r.text


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"title": "x", "owners": "KOR,XYZ"}, 422, "unknown nation"),
        ({"title": "x", "owners": "KOR", "deadline": "2025-13-45"}, 422, "not a real date"),
        ({"title": "x", "owners": "KOR", "deadline": "31/12/2025"}, 422, "cannot read"),
        ({"title": "<script>alert('x')</script>", "owners": "KOR"}, 422, "HTML markup"),
        ({"title": "x" * 600, "owners": "KOR"}, 422, "too long"),
        ({"title": "x" * (10 * 1024 * 1024), "owners": "KOR"}, 413, "too large"),
        ({"owners": "KOR"}, 422, "title"),
    ],
)
def test_bad_input_gets_a_clear_error(
    app: Any, payload: dict[str, Any], status: int, message: str
) -> None:
    client, h = api_login(app, "kor_staff")
    r = client.post("/api/v1/commitments", json=payload, headers=h)
    assert r.status_code == status
    assert message in r.json()["error"]
    assert client.get("/api/v1/commitments").json() == []


def test_markup_in_stored_text_is_escaped_on_pages(
    app_db: tuple[Any, Database], clock: Any
) -> None:
    app, db = app_db
    # Write hostile text straight into the database, past validation, to prove templates escape.
    with db.session() as s:
        root = Secretariat(s, system_user(), clock)
        c = root.create_commitment("placeholder", owners="all")
        from trilink.secretariat.models import Commitment

        row = s.get(Commitment, c.id)
        assert row is not None
        row.title = {"en": '<script>alert("x")</script><img src=x onerror=alert(1)>'}
        s.commit()
    client = TestClient(app)
    client.post("/login", data={"username": "kor_viewer", "password": "correct horse"})
    for path in ("/commitments", f"/commitments/{c.id}", "/"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in client.get("/commitments").text
    assert "script-src 'none'" in client.get("/commitments").headers["content-security-policy"]


def test_language_switch_and_fallback(app: Any) -> None:
    client, h = api_login(app, "jpn_staff")
    api_create(
        client, h, "/api/v1/commitments", title={"en": "Hotline only in English"}, owners="JPN"
    )
    page = client.get("/commitments").text
    assert "Commitments" in page
    assert client.put("/api/v1/me/lang", json={"lang": "ja"}, headers=h).status_code == 200
    page = client.get("/commitments").text
    assert "コミットメント" in page and "Hotline only in English" in page and "[en]" in page
    assert "약속 사항" in client.get("/commitments?lang=ko").text
    assert client.put("/api/v1/me/lang", json={"lang": "fr"}, headers=h).status_code == 422


def test_calendar_feed_token(app: Any) -> None:
    client, h = api_login(app, "kor_staff")
    api_meeting(client, h, "Summit", "2025-08-18T10:00", "America/New_York")
    feed = client.get("/api/v1/me").json()["calendar"]
    anon = TestClient(app)  # calendar clients have no session: the token is the key
    r = anon.get(feed)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Summit"]
    assert anon.get("/calendar/not-a-real-token-at-all.ics").status_code == 404


def test_exercise_after_action_and_documents(app: Any) -> None:
    client, h = api_login(app, "usa_staff")
    ex = api_create(
        client,
        h,
        "/api/v1/exercises",
        key="fe-test",
        name="Freedom Edge",
        starts_on="2025-09-15",
        ends_on="2025-09-19",
        domains=["air_missile_defence", "maritime", "cyber"],
        scenario="salvo-3",
    )
    run = {
        "scenario": "salvo-3",
        "latency_s": {"KOR": 1.2, "USA": 0.8, "JPN": 1.1},
        "impact_error_km": 4.5,
    }
    r = client.post(f"/api/v1/exercises/{ex['id']}/run", json=run, headers=h)
    assert r.json()["after_action"] == run and r.json()["status"] == "conducted"
    assert "impact_error_km" in client.get("/exercises").text
    bad = client.post(
        "/api/v1/exercises",
        json={
            "key": "x",
            "name": "x",
            "starts_on": "2025-09-15",
            "ends_on": "2025-09-19",
            "domains": ["underwater-basket"],
        },
        headers=h,
    )
    assert bad.status_code == 422 and "domains" in bad.json()["error"]
    d = api_create(
        client,
        h,
        "/api/v1/documents",
        key="tscf",
        kind="framework",
        title="TSCF",
        body="v1",
        issued_on="2024-07-28",
    )
    v = api_create(client, h, f"/api/v1/documents/{d['id']}/versions", body="v2", note="rev")
    up = client.post(
        f"/api/v1/versions/{v['id']}/attachments?filename=tscf.pdf",
        content=b"%PDF-1.4 test",
        headers={**h, "content-type": "application/pdf"},
    )
    assert up.status_code == 201
    docs = client.get("/api/v1/documents").json()
    assert [x["number"] for x in docs[0]["versions"]] == [1, 2]
    assert docs[0]["versions"][1]["attachments"][0]["filename"] == "tscf.pdf"
    aid = docs[0]["versions"][1]["attachments"][0]["id"]
    assert client.get(f"/attachments/{aid}").content == b"%PDF-1.4 test"


def test_openapi_lists_the_api(app: Any) -> None:
    spec = TestClient(app).get("/api/openapi.json").json()
    for path in (
        "/api/v1/commitments",
        "/api/v1/meetings/{m_id}/minutes/approve",
        "/api/v1/outcomes/{o_id}/commitment",
    ):
        assert path in spec["paths"]


def test_openapi_describes_every_json_response(app: Any) -> None:
    client, h = api_login(app, "kor_staff")
    api_create(client, h, "/api/v1/commitments", title="x", owners="KOR", deadline="2025-04-01")
    sent = client.get("/api/v1/commitments").json()[0]
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def body(op: dict[str, Any], status: str) -> dict[str, Any]:
        schema = op["responses"][status]["content"]["application/json"]["schema"]
        ref = schema.get("$ref") or schema["items"]["$ref"]
        named: dict[str, Any] = schemas[ref.rsplit("/", 1)[1]]
        return named

    listing = spec["paths"]["/api/v1/commitments"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    commitment = body(listing, "200")
    assert set(commitment["properties"]) == set(sent)  # the schema is what clients get
    assert set(commitment["required"]) == set(sent)
    assert {"type": "string", "format": "date-time"} in commitment["properties"]["deadline"][
        "anyOf"
    ]
    assert sent["deadline"] == "2025-04-01T23:59:59+00:00"
    milestone = schemas[commitment["properties"]["milestones"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(milestone["properties"]) == {"id", "title", "due", "done_at"}
    assert list(body(listing, "404")["properties"]) == ["error"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            ok = next(code for code in op["responses"] if code.startswith("2"))
            assert body(op, ok)["properties"], f"{method} {path}"


def test_language_switch_never_redirects_off_site(app: Any) -> None:
    client = TestClient(app)
    client.post("/login", data={"username": "kor_viewer", "password": "correct horse"})
    csrf = client.get("/api/v1/me").json()["csrf"]
    for target, expected in (
        ("/meetings", "/meetings"),
        ("//evil.test/x", "/"),
        ("https://evil.test", "/"),
    ):
        r = client.post(
            "/lang", data={"lang": "ko", "csrf": csrf, "next": target}, follow_redirects=False
        )
        assert r.status_code == 303 and r.headers["location"] == expected
    assert client.get("/api/v1/me").json()["lang"] == "ko"


def test_staff_create_meeting_and_agenda_on_pages(app: Any) -> None:
    client = TestClient(app)
    client.post("/login", data={"username": "jpn_staff", "password": "correct horse"})
    csrf = client.get("/api/v1/me").json()["csrf"]
    r = client.post(
        "/meetings",
        data={
            "title": "Working group",
            "start": "2025-04-15T09:00",
            "tz": "Pacific/Honolulu",
            "duration_min": "90",
            "location": "Camp Smith",
            "visible_to": "USA,JPN",
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    mid = int(r.headers["location"].rsplit("/", 1)[1])
    client.post(
        f"/meetings/{mid}/agenda",
        data={"title": "Data links", "presenter": "J-3", "duration_min": "20", "csrf": csrf},
    )
    m = client.get(f"/api/v1/meetings/{mid}").json()
    assert m["starts_at"] == "2025-04-15T19:00:00+00:00" and m["visible_to"] == ["USA", "JPN"]
    assert m["agenda"][0]["presenter"] == "J-3" and m["agenda"][0]["duration_min"] == 20
    bad = client.post(
        f"/meetings/{mid}/agenda", data={"title": "x", "duration_min": "lots", "csrf": csrf}
    )
    assert bad.status_code == 422 and "whole number" in bad.text
    client.put("/api/v1/me/lang", json={"lang": "ko"}, headers={"X-CSRF-Token": csrf})
    assert "예정" in client.get("/meetings").text  # status label in Korean


def test_minutes_revisions_on_the_meeting_page(app: Any) -> None:
    staff, h = api_login(app, "kor_staff")
    mid = api_meeting(staff, h, "WG", "2025-04-15T09:00", "Asia/Seoul")["id"]
    staff.put(f"/api/v1/meetings/{mid}/minutes", json={"body": "first text"}, headers=h)
    staff.put(
        f"/api/v1/meetings/{mid}/minutes",
        json={"body": {"en": "second text", "ko": "둘째"}},
        headers=h,
    )
    html = staff.get(f"/meetings/{mid}").text
    assert "first text" in html and "second text" in html and "rev 2" in html
    revisions = staff.get(f"/api/v1/meetings/{mid}").json()["minutes"]["revisions"]
    assert [r["number"] for r in revisions] == [1, 2]
