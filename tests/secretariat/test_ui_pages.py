"""Pages in-process: offline API docs, deadlines in the reader's zone, per-nation checkboxes,
CSRF on the new forms, search filters, scenario checks and the after-action chart."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from trilink.scenarios.model import _library_dir, library_names
from trilink.secretariat.errors import ValidationError
from trilink.secretariat.web.render import deadline_input, fmt_when
from trilink.secretariat.web.routes.pages_docs import swagger_dir
from trilink.secretariat.web.routes.pages_records import after_action_chart

from .helpers import PASSWORD, page_login, page_meeting, per_nation

WEB_USERS = [*per_nation("staff"), ("kor_admin", "KOR", "admin")]


@pytest.mark.skipif(swagger_dir() is None, reason="swagger-ui-dist not installed (npm)")
def test_docs_page_uses_only_same_origin_assets(app: Any) -> None:
    client = TestClient(app)
    r = client.get("/docs")
    assert r.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert refs and all(ref.startswith("/") and not ref.startswith("//") for ref in refs)
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    policy = r.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "http" not in policy
    for ref in refs:
        assert client.get(ref).status_code == 200, ref
    assert client.get("/api/docs").status_code == 404


def test_deadline_keeps_its_instant_and_shows_in_the_reader_zone(app: Any) -> None:
    client, csrf = page_login(app, "kor_staff")
    r = client.post(
        "/commitments",
        data={
            "csrf": csrf,
            "title_en": "Liaison",
            "owners": ["KOR", "JPN"],
            "deadline": "2025-03-10T09:00+09:00",
            "vis": ["KOR", "USA", "JPN"],
        },
    )
    cid = int(r.url.path.rsplit("/", 1)[1])
    client.post("/settings", data={"csrf": csrf, "tz": "Asia/Tokyo"})
    assert "2025-03-10 09:00 JST (+09:00)" in client.get(f"/commitments/{cid}").text
    client.post("/settings", data={"csrf": csrf, "tz": "America/New_York"})
    assert "2025-03-09 20:00 EDT (-04:00)" in client.get(f"/commitments/{cid}").text
    assert (
        client.get(f"/api/v1/commitments/{cid}").json()["deadline"].startswith("2025-03-10T00:00")
    )
    # the zone preference is the reader's own
    other, _ = page_login(app, "jpn_staff")
    other.cookies.set("trilink_tz", "kor_staff|America/New_York")
    assert "2025-03-10 09:00 JST" in other.get(f"/commitments/{cid}").text


def test_deadline_input_and_format() -> None:
    assert deadline_input("", "2025-03-10T09:00", "Asia/Tokyo") == "2025-03-10T09:00:00+09:00"
    assert deadline_input("year end") == "year end"
    assert deadline_input("  ") is None
    with pytest.raises(ValidationError):
        deadline_input("", "2025-03-10T09:00", "Mars/Olympus")
    when = dt.datetime(2025, 3, 10, 0, 0, tzinfo=dt.UTC)
    assert fmt_when(when, "Asia/Tokyo") == "2025-03-10 09:00 JST (+09:00)"


def test_visibility_checkboxes_restrict(app: Any) -> None:
    client, csrf = page_login(app, "kor_staff")
    r = client.post(
        "/commitments",
        data={"csrf": csrf, "title_en": "Bilateral", "owners": ["KOR"], "vis": ["KOR", "USA"]},
    )
    cid = r.url.path.rsplit("/", 1)[1]
    jpn, _ = page_login(app, "jpn_staff")
    usa, _ = page_login(app, "usa_staff")
    assert jpn.get(f"/commitments/{cid}").status_code == 404
    assert usa.get(f"/commitments/{cid}").status_code == 200
    assert 'type="checkbox" name="vis" value="JPN"' in client.get("/commitments").text


@pytest.mark.parametrize(
    "path",
    [
        "/workstreams",
        "/series",
        "/documents",
        "/exercises",
        "/admin/users",
        "/settings",
        "/notifications/read",
        "/follow",
    ],
)
def test_new_forms_need_csrf(app: Any, path: str) -> None:
    client, _ = page_login(app, "kor_admin")
    r = client.post(path, data={"csrf": "forged", "kind": "meeting", "obj_id": "1"})
    assert r.status_code == 422 and "CSRF" in r.text


def test_admin_pages_are_for_admins(app: Any) -> None:
    staff, _ = page_login(app, "kor_staff")
    assert staff.get("/admin/users").status_code == 403
    admin, csrf = page_login(app, "kor_admin")
    r = admin.post(
        "/admin/users",
        data={
            "csrf": csrf,
            "username": "new_jpn",
            "nation": "JPN",
            "role": "approver",
            "password": "long enough",
        },
    )
    assert "new_jpn" in r.text
    assert "new_jpn" not in admin.get("/admin/users?nation=USA").text


def test_search_filters_on_the_server(app: Any) -> None:
    client, csrf = page_login(app, "kor_staff")
    for title, start in (
        ("Maritime talks", "2025-04-01T10:00"),
        ("Space dialogue", "2025-05-01T10:00"),
    ):
        page_meeting(client, csrf, title, start, ["KOR", "USA", "JPN"])
    html = client.get("/meetings?q=space").text
    assert "Space dialogue" in html and "Maritime talks" not in html
    assert "Maritime talks" in client.get("/meetings?q=MARITIME+talks").text


def test_exercise_scenario_from_library_or_upload(app: Any) -> None:
    client, csrf = page_login(app, "kor_staff")
    name = library_names()[0]
    base = {"csrf": csrf, "name_en": "Drill", "starts_on": "2025-09-01", "ends_on": "2025-09-02"}
    r = client.post("/exercises", data={**base, "key": "d1", "scenario": "no-such-scenario"})
    assert r.status_code == 422 and "not in the scenario library" in r.text
    text = _library_dir().joinpath(f"{name}.toml").read_text("utf-8")
    r = client.post(
        "/exercises",
        data={**base, "key": "d2"},
        files={"scenario_file": ("mine.toml", text.encode(), "application/toml")},
    )
    assert r.status_code == 200 and name in r.text
    r = client.post(
        "/exercises",
        data={**base, "key": "d3"},
        files={"scenario_file": ("bad.toml", b"name = [", "application/toml")},
    )
    assert r.status_code == 422 and "invalid TOML" in r.text
    # a run attaches as the after-action record
    ex_path = client.get("/exercises?q=d2").text
    ex_id = re.search(r'href="/exercises/(\d+)"', ex_path)
    assert ex_id
    run = {
        "scenario": name,
        "launch_utc": "2017-08-28T20:57:00Z",
        "status": "exercise",
        "nations": {
            "JPN": {
                "first_launch_notice_s": 30.0,
                "first_area_warning_s": 61.5,
                "first_area_warning_alone_s": None,
                "areas_warned": ["JP-01"],
                "areas_threatened_truth": ["JP-01"],
                "final_impact": None,
                "messages": [],
            }
        },
    }
    r = client.post(
        f"/exercises/{ex_id.group(1)}/run",
        data={"csrf": csrf},
        files={"run_file": ("timeline.json", json.dumps(run).encode(), "application/json")},
    )
    assert 'tr data-nation="JPN"' in r.text and "61.5" in r.text


def test_after_action_chart_geometry() -> None:
    assert after_action_chart({"latency_s": 1}) is None
    chart = after_action_chart(
        {
            "nations": {
                "KOR": {
                    "first_launch_notice_s": 10,
                    "first_area_warning_s": 100,
                    "areas_warned": ["a"],
                    "areas_threatened_truth": ["a", "b"],
                }
            }
        }
    )
    assert chart is not None
    (row,) = chart["rows"]
    assert row["x_notice"] < row["x_area"] <= chart["right"]
    assert row["x_alone"] is None and row["w_warned"] < row["w_truth"] and row["hits"] == 1


def test_document_versions_and_uploads(app: Any) -> None:
    client, csrf = page_login(app, "kor_staff")
    r = client.post(
        "/documents",
        data={
            "csrf": csrf,
            "key": "tscf",
            "kind": "framework",
            "title_en": "TSCF",
            "body_en": "First text",
            "vis": ["KOR", "USA", "JPN"],
        },
        files={"file": ("C:\\scans\\tscf.pdf", b"%PDF-1.4 one", "application/pdf")},
    )
    assert r.status_code == 200 and "tscf.pdf" in r.text and "scans" not in r.text
    d_id = r.url.path.rsplit("/", 1)[1]
    r = client.post(
        f"/documents/{d_id}/versions",
        data={"csrf": csrf, "body_en": "Second text", "note": "signed"},
        files={"file": ("annex.txt", b"annex", "text/plain")},
    )
    assert 'data-version="2"' in r.text and "annex.txt" in r.text
    ids = re.findall(r'href="/attachments/(\d+)"', r.text)
    assert sorted(client.get(f"/attachments/{i}").content for i in ids) == [
        b"%PDF-1.4 one",
        b"annex",
    ]
    v1 = re.search(r'action="/documents/\d+/versions/(\d+)/attachments"', r.text)
    assert v1
    too_big = b"x" * (5 * 1024 * 1024 + 1)
    r = client.post(
        f"/documents/{d_id}/versions/{v1.group(1)}/attachments",
        data={"csrf": csrf},
        files={"file": ("big.bin", too_big, "application/octet-stream")},
    )
    assert r.status_code == 422
    assert "TSCF" in client.get("/documents?kind=framework&q=tscf").text.split("<tbody>")[1]
    assert "TSCF" not in client.get("/documents?kind=agreement").text.split("<tbody>")[1]


def test_notifications_follow_and_read_marker(app: Any) -> None:
    kor, kcsrf = page_login(app, "kor_staff")
    r = page_meeting(kor, kcsrf, "DTT", "2025-04-01T10:00", ["KOR", "USA", "JPN"])
    m_path = r.url.path
    m_id = int(m_path.rsplit("/", 1)[1])
    kor.post("/follow", data={"csrf": kcsrf, "kind": "meeting", "obj_id": m_id, "next": m_path})
    usa, ucsrf = page_login(app, "usa_staff")
    usa.post(f"{m_path}/minutes", data={"csrf": ucsrf, "body": "Draft by USA"})
    html = kor.get("/notifications").text
    assert 'id="unread-count">1<' in html and "usa_staff" in html
    kor.post("/notifications/read", data={"csrf": kcsrf})
    assert 'id="unread-count"' not in kor.get("/notifications").text
    # unfollowing stops further notices
    kor.post("/follow", data={"csrf": kcsrf, "kind": "meeting", "obj_id": m_id, "on": "0"})
    usa.post(f"{m_path}/minutes", data={"csrf": ucsrf, "body": "Second draft"})
    assert 'id="unread-count"' not in kor.get("/notifications").text
    # one cannot follow what one cannot see
    assert (
        kor.post("/follow", data={"csrf": kcsrf, "kind": "meeting", "obj_id": 999}).status_code
        == 404
    )


def test_revocation_from_the_pages(app: Any) -> None:
    staff, csrf = page_login(app, "kor_staff")
    other, _ = page_login(app, "kor_staff")  # a second session of the same user
    old_url = re.search(r"/calendar/[^<]+\.ics", staff.get("/settings").text)
    assert old_url
    r = staff.post("/settings/calendar-token", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert old_url.group(0) not in staff.get("/settings").text
    assert staff.get(old_url.group(0)).status_code == 404
    bad = staff.post("/settings/password", data={"csrf": csrf, "current": "x", "new": "n3w pass!"})
    assert bad.status_code == 403
    ok = staff.post(
        "/settings/password",
        data={"csrf": csrf, "current": PASSWORD, "new": "n3w pass phrase"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert staff.get("/settings").status_code == 200  # this session kept
    assert other.get("/settings", follow_redirects=False).status_code in (303, 401)  # ended
    admin, acsrf = page_login(app, "kor_admin")
    # another nation's user looks missing; one's own nation's user is deactivated
    assert admin.post("/admin/users/usa_staff/deactivate", data={"csrf": acsrf}).status_code == 404
    r = admin.post(
        "/admin/users/kor_staff/deactivate", data={"csrf": acsrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert staff.get("/settings", follow_redirects=False).status_code in (303, 401)
    assert "(inactive)" in admin.get("/admin/users").text
    # without the form's token nothing changes
    forged = admin.post("/admin/users/kor_admin/calendar-token", data={"csrf": "forged"})
    assert forged.status_code == 422 and "CSRF" in forged.text
