"""Attempts on login, sessions and request limits: in-process client and a real uvicorn server."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from trilink.cli import main
from trilink.secretariat.db import Database
from trilink.secretariat.services import Secretariat
from trilink.secretariat.web.app import create_app

from .helpers import PASSWORD, api_login, serve

WEB_USERS = [
    ("kor_staff", "KOR", "staff"),
    ("kor_admin", "KOR", "admin"),
    ("usa_staff", "USA", "staff"),
]


def attempt(app: Any, username: str, password: str) -> int:
    r = TestClient(app).post("/api/v1/login", json={"username": username, "password": password})
    return r.status_code


# ----------------------------------------------------------------------------- throttling
def test_failed_logins_are_throttled_per_user_name(
    app_db: tuple[Any, Database], clock: Any
) -> None:
    app, _ = app_db
    assert [attempt(app, "kor_staff", "guess") for _ in range(6)] == [401] * 6
    # locked now: even the right password waits, and the answer says for how long
    locked = TestClient(app).post(
        "/api/v1/login", json={"username": "kor_staff", "password": PASSWORD}
    )
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    clock.advance(seconds=2)
    assert attempt(app, "kor_staff", PASSWORD) == 200


def test_failed_logins_are_throttled_per_address(app_db: tuple[Any, Database], clock: Any) -> None:
    app, _ = app_db
    for i in range(6):  # a spray over many names from one address
        assert attempt(app, f"nobody{i}", "guess") == 401
    assert attempt(app, "usa_staff", PASSWORD) == 429
    clock.advance(seconds=2)
    assert attempt(app, "usa_staff", PASSWORD) == 200


def test_the_lockout_doubles_with_every_failure(app_db: tuple[Any, Database], clock: Any) -> None:
    app, _ = app_db
    for _ in range(6):
        attempt(app, "kor_staff", "guess")
    clock.advance(seconds=2)
    assert attempt(app, "kor_staff", "guess") == 401  # 7th failure: locked for 2 s
    clock.advance(seconds=1.5)
    assert attempt(app, "kor_staff", PASSWORD) == 429
    clock.advance(seconds=1)
    assert attempt(app, "kor_staff", PASSWORD) == 200


def test_login_page_is_throttled_too(app_db: tuple[Any, Database]) -> None:
    app, _ = app_db
    client = TestClient(app)
    for _ in range(6):
        client.post("/login", data={"username": "kor_staff", "password": "guess"})
    r = client.post("/login", data={"username": "kor_staff", "password": PASSWORD})
    assert r.status_code == 429 and "too many failed logins" in r.text


# ----------------------------------------------------------------------------- equal work
def test_unknown_users_cost_the_same_hash_work(
    app_db: tuple[Any, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, db = app_db
    real = hashlib.scrypt
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(kwargs.get("n", 0))
        return real(*args, **kwargs)

    with db.session() as s:
        Secretariat.authenticate(s, "warm-up", "x")  # any one-time set-up happens here
        monkeypatch.setattr(hashlib, "scrypt", counting)
        assert Secretariat.authenticate(s, "nobody", "whatever") is None
        unknown = list(calls)
        calls.clear()
        assert Secretariat.authenticate(s, "kor_staff", "whatever") is None
        known = list(calls)
    assert len(unknown) == len(known) == 1 and unknown == known


# ----------------------------------------------------------------------------- cookie, CSRF
def test_session_cookie_is_secure_over_tls(app_db: tuple[Any, Database]) -> None:
    app, _ = app_db
    plain = TestClient(app).post(
        "/api/v1/login", json={"username": "kor_staff", "password": PASSWORD}
    )
    assert "secure" not in plain.headers["set-cookie"].lower()
    tls = TestClient(app, base_url="https://testserver").post(
        "/api/v1/login", json={"username": "kor_staff", "password": PASSWORD}
    )
    assert tls.status_code == 200 and "; secure" in tls.headers["set-cookie"].lower()


def test_cross_site_login_is_refused(app_db: tuple[Any, Database]) -> None:
    app, _ = app_db
    form = {"username": "kor_staff", "password": PASSWORD}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        client = TestClient(app)
        page = client.post("/login", data=form, headers=headers, follow_redirects=False)
        assert page.status_code == 403 and "trilink_sec" not in page.headers.get("set-cookie", "")
        api = client.post("/api/v1/login", json=form, headers=headers)
        assert api.status_code == 403 and "cross-site" in api.json()["error"]
    same = TestClient(app).post(
        "/login",
        data=form,
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert same.status_code == 303


# ----------------------------------------------------------------------------- revocation
def test_password_change_ends_the_other_sessions(app_db: tuple[Any, Database]) -> None:
    app, _ = app_db
    a, ah = api_login(app, "kor_staff")
    b, _ = api_login(app, "kor_staff")
    wrong = a.put(
        "/api/v1/me/password", json={"current": "nope", "new": "new password"}, headers=ah
    )
    assert wrong.status_code == 403 and b.get("/api/v1/me").status_code == 200
    r = a.put("/api/v1/me/password", json={"current": PASSWORD, "new": "new password"}, headers=ah)
    assert r.status_code == 200
    assert a.get("/api/v1/me").status_code == 200
    assert b.get("/api/v1/me").status_code == 401
    assert attempt(app, "kor_staff", PASSWORD) == 401
    assert attempt(app, "kor_staff", "new password") == 200


def test_rotating_the_calendar_token_kills_the_old_feed(app_db: tuple[Any, Database]) -> None:
    app, _ = app_db
    a, ah = api_login(app, "kor_staff")
    old = a.get("/api/v1/me").json()["calendar"]
    assert TestClient(app).get(old).status_code == 200
    new = a.post("/api/v1/me/calendar-token", headers=ah).json()["calendar"]
    assert new != old
    assert TestClient(app).get(old).status_code == 404
    assert TestClient(app).get(new).status_code == 200


def test_deactivating_a_user_ends_everything_at_once(app_db: tuple[Any, Database]) -> None:
    app, _ = app_db
    staff, _ = api_login(app, "kor_staff")
    feed = staff.get("/api/v1/me").json()["calendar"]
    admin, h = api_login(app, "kor_admin")
    # an admin manages only their own nation's users; others are simply not found
    assert admin.post("/api/v1/users/usa_staff/deactivate", headers=h).status_code == 404
    assert admin.post("/api/v1/users/kor_staff/deactivate", headers=h).status_code == 200
    assert staff.get("/api/v1/me").status_code == 401
    assert TestClient(app).get(feed).status_code == 404
    assert attempt(app, "kor_staff", PASSWORD) == 401
    peer, ph = api_login(app, "usa_staff")
    assert peer.post("/api/v1/users/usa_staff/deactivate", headers=ph).status_code == 403


def test_revocation_from_the_cli(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], clock: Any
) -> None:
    db = ["--db", sqlite_url]
    main(["secretariat", "user", "add", "kim", "--nation", "KOR", "--password", PASSWORD, *db])
    app = create_app(sqlite_url, clock=clock)
    client, _ = api_login(app, "kim")
    feed = client.get("/api/v1/me").json()["calendar"]
    capsys.readouterr()
    main(["secretariat", "user", "rotate-token", "kim", *db])
    new_feed = capsys.readouterr().out.strip()
    assert new_feed.startswith("/calendar/") and new_feed != feed
    assert TestClient(app).get(feed).status_code == 404
    assert TestClient(app).get(new_feed).status_code == 200
    main(["secretariat", "user", "passwd", "kim", "--password", "another one", *db])
    assert client.get("/api/v1/me").status_code == 401
    client, _ = api_login(app, "kim", "another one")
    main(["secretariat", "user", "deactivate", "kim", *db])
    assert client.get("/api/v1/me").status_code == 401
    assert attempt(app, "kim", "another one") == 401
    with pytest.raises(SystemExit) as exc:
        main(["secretariat", "user", "deactivate", "nobody", *db])
    assert exc.value.code == 2
    assert capsys.readouterr().err.startswith("trilink: error: ")


def test_serve_takes_a_certificate_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("c")
    key.write_text("k")
    db = ["--db", str(tmp_path / "s.db")]
    main(["secretariat", "serve", *db, "--tls-cert", str(cert), "--tls-key", str(key)])
    assert seen["ssl_certfile"] == str(cert) and seen["ssl_keyfile"] == str(key)
    assert seen["app"].state.web.secure_cookies is True
    for args in (["--tls-cert", str(cert)], ["--tls-cert", str(cert), "--tls-key", "nope.pem"]):
        with pytest.raises(SystemExit) as exc:
            main(["secretariat", "serve", *db, *args])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("trilink: error: --tls") and err.count("\n") == 1


# ----------------------------------------------------------------------------- streamed bodies
def test_a_chunked_body_over_the_limit_gets_413(live: str) -> None:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        chunk = b"x" * (1024 * 1024)
        for _ in range(64):
            sent += len(chunk)
            yield chunk

    with httpx.Client(base_url=live, timeout=30) as client:
        r = client.post(
            "/api/v1/login", content=body(), headers={"Content-Type": "application/json"}
        )
        assert "content-length" not in {k.lower() for k in r.request.headers}
        assert r.status_code == 413 and "too large" in r.json()["error"]
    # the server is still up and serves the next request
    with httpx.Client(base_url=live, timeout=30) as client:
        assert client.get("/login").status_code == 200
        small = client.post(
            "/api/v1/login",
            content=iter([b'{"username": "kor_staff", ', b'"password": "correct horse"}']),
            headers={"Content-Type": "application/json"},
        )
        assert small.status_code == 200


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_a_real_tls_server_sets_a_secure_cookie(
    app_db: tuple[Any, Database], tmp_path: Path
) -> None:
    app, _ = app_db
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    tls = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    with serve(app, **tls) as url, httpx.Client(base_url=url, verify=False) as client:
        r = client.post("/api/v1/login", json={"username": "kor_staff", "password": PASSWORD})
    assert r.status_code == 200 and "; secure" in r.headers["set-cookie"].lower()
