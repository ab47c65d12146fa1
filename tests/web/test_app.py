"""The node web app over HTTP against a real uvicorn server: login, sessions, CSRF, roles, limits.

Every test talks to a server on 127.0.0.1 serving a :class:`FakeNodeView`.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from lxml import etree

from trilink.web import auth
from trilink.web.app import LOGIN_COOKIE, SESSION_COOKIE

from .conftest import PASSWORDS, Served, login, login_form

__all__: list[str] = []

Serve = Callable[..., Served]


@pytest.fixture
def served(serve: Serve) -> Served:
    return serve()


def _routes(app: Any) -> list[tuple[str, str]]:
    """(method, path with sample parameters) of every API route of the app."""
    out = []
    for route in app.routes:
        methods = getattr(route, "methods", None)
        if not methods:
            continue
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        out += [(m, path) for m in sorted(methods) if m != "HEAD"]
    return out


# -- public surface -------------------------------------------------------------------------
def test_health_is_public_and_every_answer_carries_the_security_headers(served: Served) -> None:
    with served.client() as c:
        r = c.get("/health")
        assert r.status_code == 200
        assert r.json() == {"nation": "JPN", "status": "ok"}
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in r.headers  # plain HTTP here
        assert c.get("/api/v1/tracks").headers["content-security-policy"] == csp


def test_secure_cookies_and_hsts_under_tls(serve: Serve) -> None:
    s = serve(secure_cookies=True)
    with s.client() as c:
        r = c.get("/login")
        assert "strict-transport-security" in r.headers
        cookie = r.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_every_route_needs_a_login(served: Served) -> None:
    public = {("GET", "/health"), ("GET", "/login"), ("POST", "/login")}
    routes = _routes(served.app)
    assert ("GET", "/api/v1/audit") in routes and ("POST", "/api/v1/agreements/x") in routes
    with served.client() as c:
        for method, path in routes:
            if (method, path) in public:
                continue
            r = c.request(method, path)
            if path == "/":
                assert r.status_code == 303 and r.headers["location"] == "/login"
            else:
                assert r.status_code == 401, (method, path, r.status_code)
        for path in ("/openapi.json", "/metrics", "/api/v1/stream", "/api/v1/map/areas.geojson"):
            assert c.get(path).status_code == 401, path
        # Static files too, except the login page's stylesheet.
        assert c.get("/static/app/cop.js").status_code == 401
        assert c.get("/static/leaflet/leaflet.js").status_code == 401
        assert c.get("/static/app/login.css").status_code == 200
        # A made-up or malformed session cookie is no session.
        for value in ("forged", "", "a" * 4000):
            c.cookies.set(SESSION_COOKIE, value)
            assert c.get("/api/v1/tracks").status_code == 401
        r = c.get("/api/v1/tracks", headers={"cookie": 'trilink_session="unterminated; x=;;'})
        assert r.status_code == 401


# -- login ----------------------------------------------------------------------------------
def test_login_works_and_logout_ends_the_session_for_good(served: Served) -> None:
    with served.client() as c:
        token = login_form(c)
        r = c.post(
            "/login",
            data={"username": "operator", "password": PASSWORDS["operator"], "csrf_token": token},
        )
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
        sid = c.cookies[SESSION_COOKIE]
        me = c.get("/api/v1/session").json()
        assert me["user"] == "operator" and me["role"] == "operator" and me["nation"] == "JPN"
        page = c.get("/")
        assert page.status_code == 200 and 'id="map"' in page.text
        # Logging out needs the CSRF token too.
        assert c.post("/logout").status_code == 403
        assert c.get("/api/v1/session").status_code == 200
        r = c.post("/logout", headers={"x-csrf-token": me["csrf"]})
        assert r.status_code == 303
    with served.client() as replay:
        replay.cookies.set(SESSION_COOKIE, sid)
        assert replay.get("/api/v1/session").status_code == 401


def test_wrong_password_and_unknown_user_are_refused_alike(served: Served) -> None:
    with served.client() as c:
        for user, pw in (("operator", "wrong"), ("nobody", "wrong"), ("operator", "")):
            token = login_form(c)
            r = c.post("/login", data={"username": user, "password": pw, "csrf_token": token})
            assert r.status_code in (401, 422)
            assert SESSION_COOKIE not in c.cookies
            if r.status_code == 401:
                assert "Wrong user name or password." in r.text
        assert c.get("/api/v1/tracks").status_code == 401


def test_an_unknown_user_costs_one_hash_like_a_known_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Equal timing: the unknown name is verified against a dummy hash, not skipped."""
    calls: list[str] = []
    real = auth._HASHER

    class Spy:
        def hash(self, pw: str) -> str:
            return real.hash(pw)

        def verify(self, h: str, pw: str) -> bool:
            calls.append(h)
            return real.verify(h, pw)

    monkeypatch.setattr(auth, "_HASHER", Spy())
    users = {"a": auth.User.create("a", "pw-a", "viewer")}
    assert auth.check_password(users, "nobody", "pw-a") is None
    assert auth.check_password(users, "a", "nope") is None
    assert auth.check_password(users, "a", "pw-a") == users["a"]
    assert len(calls) == 3 and calls[0] == auth._DUMMY_HASH
    assert users["a"].password_hash.startswith("$argon2id$")
    # A stored hash that is not a hash refuses, it does not raise.
    broken = {"b": auth.User("b", "not-a-hash", "viewer")}
    assert auth.check_password(broken, "b", "x") is None


def test_cross_site_login_is_refused(served: Served) -> None:
    good = {"username": "operator", "password": PASSWORDS["operator"]}
    with served.client() as c, served.client() as other:
        # No token, a forged token, and a real token of another browser's form.
        login_form(c)
        assert c.post("/login", data=good).status_code == 403
        login_form(c)
        assert c.post("/login", data={**good, "csrf_token": "forged"}).status_code == 403
        theirs = login_form(other)
        login_form(c)
        assert c.post("/login", data={**good, "csrf_token": theirs}).status_code == 403
        # No pre-session cookie at all.
        token = login_form(c)
        c.cookies.delete(LOGIN_COOKIE, path="/login")
        assert c.post("/login", data={**good, "csrf_token": token}).status_code == 403
        # A real token from a foreign origin, and a browser saying it is cross-site.
        token = login_form(c)
        r = c.post(
            "/login",
            data={**good, "csrf_token": token},
            headers={"origin": "https://evil.example"},
        )
        assert r.status_code == 403
        token = login_form(c)
        r = c.post(
            "/login", data={**good, "csrf_token": token}, headers={"sec-fetch-site": "cross-site"}
        )
        assert r.status_code == 403
        assert SESSION_COOKIE not in c.cookies
        # A token is good once.
        token = login_form(c)
        ok = c.post("/login", data={**good, "csrf_token": token})
        assert ok.status_code == 303
        c.cookies.set(LOGIN_COOKIE, "whatever", path="/login")
        assert c.post("/login", data={**good, "csrf_token": token}).status_code == 403


def test_login_form_expires(served: Served) -> None:
    with served.client() as c:
        token = login_form(c)
        served.clock[0] += 601 * 10**9
        r = c.post(
            "/login",
            data={"username": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token},
        )
        assert r.status_code == 403


def test_login_is_throttled_after_repeated_failures(serve: Serve) -> None:
    s = serve(login_limit=3, login_window_s=60.0)

    def attempt(c: httpx.Client, user: str, pw: str) -> httpx.Response:
        token = login_form(c)
        return c.post("/login", data={"username": user, "password": pw, "csrf_token": token})

    with s.client() as c:
        for _ in range(3):
            assert attempt(c, "operator", "guess").status_code == 401
        # Now even the right password waits, and says for how long.
        r = attempt(c, "operator", PASSWORDS["operator"])
        assert r.status_code == 429
        assert 0 < int(r.headers["retry-after"]) <= 61
        assert SESSION_COOKIE not in c.cookies
        # Another account from the same address is not locked out by these three.
        assert attempt(c, "viewer", PASSWORDS["viewer"]).status_code == 303
        # After the window, the account may log in again.
        s.clock[0] += 61 * 10**9
        assert attempt(c, "operator", PASSWORDS["operator"]).status_code == 303


def test_an_address_guessing_many_names_is_throttled(serve: Serve) -> None:
    s = serve(login_limit=2)
    with s.client() as c:
        for i in range(8):
            token = login_form(c)
            r = c.post("/login", data={"username": f"u{i}", "password": "x", "csrf_token": token})
            assert r.status_code == 401
        token = login_form(c)
        r = c.post(
            "/login",
            data={"username": "viewer", "password": PASSWORDS["viewer"], "csrf_token": token},
        )
        assert r.status_code == 429


def test_an_idle_session_expires(served: Served) -> None:
    with served.client() as c:
        login(c, "viewer")
        served.clock[0] += 8 * 3600 * 10**9 + 1
        assert c.get("/api/v1/session").status_code == 401


# -- roles, CSRF, input ---------------------------------------------------------------------
@pytest.fixture
def clients(served: Served) -> Iterator[dict[str, tuple[httpx.Client, str]]]:
    out = {}
    for role in ("viewer", "operator", "admin"):
        c = served.client()
        out[role] = (c, login(c, role))
    yield out
    for c, _ in out.values():
        c.close()


def _post(cl: tuple[httpx.Client, str], path: str, body: Any = None) -> httpx.Response:
    c, csrf = cl
    return c.post(path, headers={"x-csrf-token": csrf}, json=body)


def test_roles_decide_who_may_act(
    served: Served, clients: dict[str, tuple[httpx.Client, str]]
) -> None:
    suspend = {"action": "suspend", "reason": "exercise of the suspension drill"}
    ack = "/api/v1/alerts/JPN-L1-1/acknowledge"
    # Everybody reads.
    for c, _ in clients.values():
        assert c.get("/api/v1/alerts").status_code == 200
    # The viewer acts on nothing.
    v = clients["viewer"]
    assert _post(v, ack).status_code == 403
    assert _post(v, "/api/v1/launches/L1/cancel").status_code == 403
    assert _post(v, "/api/v1/agreements/gsomia", suspend).status_code == 403
    assert v[0].get("/api/v1/audit").status_code == 403
    # The operator handles alerts, not agreements or the audit log.
    op = clients["operator"]
    assert _post(op, "/api/v1/agreements/gsomia", suspend).status_code == 403
    assert op[0].get("/api/v1/audit").status_code == 403
    # The administrator handles agreements, not public messages.
    ad = clients["admin"]
    assert _post(ad, ack).status_code == 403
    assert _post(ad, "/api/v1/launches/L1/cancel").status_code == 403
    assert _post(ad, "/api/v1/launches/L1/all-clear").status_code == 403
    # Nothing changed so far.
    assert served.view.acknowledged() == {}
    assert all(a.state == "in_force" for a in served.view.agreements())
    # The right role succeeds, and it is audited.
    r = _post(op, ack)
    assert r.status_code == 200 and r.json()["acknowledged_by"] == ["operator"]
    r = _post(ad, "/api/v1/agreements/gsomia", suspend)
    assert r.status_code == 200 and r.json()["state"] == "suspended" and r.json()["by"] == "admin"
    audit = ad[0].get("/api/v1/audit", params={"limit": 5}).json()
    assert audit[0]["kind"] == "agreement" and audit[0]["origin"] == "admin"
    assert audit[0]["reason"] == suspend["reason"]
    assert audit[1]["kind"] == "acknowledge" and audit[1]["origin"] == "operator"
    r = _post(ad, "/api/v1/agreements/gsomia", {"action": "restore", "reason": "drill over"})
    assert r.json()["state"] == "in_force"
    assert _post(ad, "/api/v1/agreements/nope", suspend).status_code == 409


def test_writes_need_the_session_csrf_token_and_the_same_origin(
    served: Served, clients: dict[str, tuple[httpx.Client, str]]
) -> None:
    c, csrf = clients["operator"]
    path = "/api/v1/alerts/JPN-L1-1/acknowledge"
    assert c.post(path).status_code == 403
    assert c.post(path, headers={"x-csrf-token": "forged"}).status_code == 403
    # The viewer's own valid token is not the operator's.
    assert c.post(path, headers={"x-csrf-token": clients["viewer"][1]}).status_code == 403
    bad_origin = {"x-csrf-token": csrf, "origin": "http://127.0.0.1.evil.example"}
    assert c.post(path, headers=bad_origin).status_code == 403
    assert served.view.acknowledged() == {}
    same = {"x-csrf-token": csrf, "origin": served.url, "sec-fetch-site": "same-origin"}
    assert c.post(path, headers=same).status_code == 200


def test_malformed_and_hostile_input_is_refused_cleanly(
    clients: dict[str, tuple[httpx.Client, str]],
) -> None:
    c, csrf = clients["admin"]
    h = {"x-csrf-token": csrf, "content-type": "application/json"}
    path = "/api/v1/agreements/gsomia"
    assert c.post(path, headers=h, content=b"{not json").status_code == 422
    assert c.post(path, headers=h, content=b"\xff\xfe\x00").status_code in (400, 422)
    assert c.post(path, headers=h, json={"action": "explode", "reason": "x"}).status_code == 422
    assert c.post(path, headers=h, json={"action": "suspend"}).status_code == 422
    assert c.post(path, headers=h, json={"action": "suspend", "reason": ""}).status_code == 422
    long = {"action": "suspend", "reason": "x" * 501}
    assert c.post(path, headers=h, json=long).status_code == 422
    assert c.post(path, headers=h, json=[1, 2]).status_code == 422
    for limit in ("-1", "0", "1001", "10" * 30, "abc"):
        assert c.get("/api/v1/audit", params={"limit": limit}).status_code == 422
    # Odd ids are a 404, never a crash.
    for alert_id in ("..%2F..%2Fetc%2Fpasswd", "%00", "JPN-L1-1'--", "日本", "x" * 3000):
        assert c.get(f"/api/v1/alerts/{alert_id}").status_code == 404
        assert c.get(f"/api/v1/alerts/{alert_id}.cap").status_code == 404
    op, op_csrf = clients["operator"]
    r = op.post("/api/v1/launches/%3Cscript%3E/cancel", headers={"x-csrf-token": op_csrf})
    assert r.status_code == 409 and "<script>" in r.json()["detail"]
    assert r.headers["content-type"].startswith("application/json")


def test_a_malformed_request_line_or_length_is_a_client_error(served: Served) -> None:
    host, port = served.url.removeprefix("http://").split(":")
    for raw in (
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n",
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    ):
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(raw)
            head = sock.recv(4096)
        assert head.startswith(b"HTTP/1.1 4"), (raw, head[:40])


def test_oversized_bodies_are_refused_with_or_without_content_length(
    serve: Serve,
) -> None:
    s = serve(max_body=1024)
    big = b'{"action": "suspend", "reason": "' + b"x" * 4000 + b'"}'

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(big), 256):
            yield big[i : i + 256]

    with s.client() as c:
        csrf = login(c, "admin")
        h = {"x-csrf-token": csrf, "content-type": "application/json"}
        r = c.post("/api/v1/agreements/gsomia", headers=h, content=big)
        assert r.status_code == 413
        r = c.post("/api/v1/agreements/gsomia", headers=h, content=chunks())
        assert r.status_code == 413
        assert all(a.state == "in_force" for a in s.view.agreements())
        # The login form is capped too, before anyone is logged in.
    with s.client() as anon:
        token = login_form(anon)
        form = {"username": "a", "password": "p" * 5000, "csrf_token": token}
        assert anon.post("/login", data=form).status_code == 413

        def form_chunks() -> Iterator[bytes]:
            yield b"username=a&password="
            for _ in range(20):
                yield b"p" * 512

        r = anon.post(
            "/login",
            content=form_chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 413
        # A body just under the limit is fine.
        ok = {"action": "suspend", "reason": "short"}
        assert len(json.dumps(ok)) < 1024


# -- content --------------------------------------------------------------------------------
def test_alerts_texts_cap_and_geojson(served: Served) -> None:
    with served.client() as c:
        login(c, "viewer")
        alerts = c.get("/api/v1/alerts").json()
        shelter = next(a for a in alerts if a["stage"] == "shelter")
        assert [a["code"] for a in shelter["areas"]] == ["JP-01", "JP-02"]
        assert shelter["status"] == "exercise"
        assert "北海道" in shelter["texts"]["ja"]["description"]
        assert shelter["texts"]["ja"]["headline"].startswith("【訓練】")
        assert shelter["texts"]["en"]["headline"].startswith("[EXERCISE]")
        assert shelter["texts"]["ko"]["headline"].startswith("[훈련]")
        r = c.get(f"/api/v1/alerts/{shelter['alert_id']}.cap")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/cap+xml")
        doc = etree.fromstring(r.content)
        ns = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
        assert doc.findtext("c:status", namespaces=ns) == "Exercise"
        assert doc.findtext("c:identifier", namespaces=ns) == shelter["alert_id"]
        codes = doc.xpath("//c:geocode/c:value/text()", namespaces=ns)
        assert "JP-01" in codes
        assert len(doc.findall("c:info", namespaces=ns)) == 3
        pic = c.get("/api/v1/picture.geojson")
        assert pic.headers["content-type"].startswith("application/geo+json")
        fc = pic.json()
        layers = {f["properties"].get("layer") for f in fc["features"]}
        assert {"track", "impact_ellipse", "launch_point", "warned_area"} <= layers, layers
        assert {f["properties"]["status"] for f in fc["features"]} == {"exercise"}
        areas = [f for f in fc["features"] if f["properties"].get("layer") == "warned_area"]
        assert {f["properties"]["code"] for f in areas} == {"JP-01", "JP-02"}
        for path in ("tracks", "launches", "predictions", "events", "links", "counters"):
            assert c.get(f"/api/v1/{path}").status_code == 200
        tracks = c.get("/api/v1/tracks").json()
        assert {t["role"] for t in tracks} == {"rv", "booster"}
        assert {t["origin"] for t in tracks} == {"fused", "partner"}


def test_operator_closes_a_launch_once(
    served: Served, clients: dict[str, tuple[httpx.Client, str]]
) -> None:
    op = clients["operator"]
    before = served.view.version()
    r = _post(op, "/api/v1/launches/L1/all-clear")
    assert r.status_code == 200
    body = r.json()
    assert body["stage"] == "all_clear" and body["references"] == ["JPN-L1-1"]
    assert body["alert_id"] == "JPN-L1-2" and body["areas"] == []
    assert served.view.version() > before
    assert _post(op, "/api/v1/launches/L1/cancel").status_code == 409
    assert _post(op, "/api/v1/launches/L9/cancel").status_code == 409
    stages = [a["stage"] for a in op[0].get("/api/v1/alerts").json()]
    assert stages == ["launch", "shelter", "all_clear"]


def test_cancel_references_every_alert_of_the_launch(
    clients: dict[str, tuple[httpx.Client, str]],
) -> None:
    body = _post(clients["operator"], "/api/v1/launches/L1/cancel").json()
    assert body["stage"] == "cancel"
    assert body["references"] == ["JPN-L1-0", "JPN-L1-1"]
    assert "[EXERCISE]" in body["texts"]["en"]["headline"]


def test_metrics_by_login_or_scrape_token(serve: Serve) -> None:
    s = serve(metrics_token="scrape-secret")
    with s.client() as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/metrics", headers={"authorization": "scrape-secret"}).status_code == 401
        r = c.get("/metrics", headers={"authorization": "Bearer scrape-secret"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        text = r.text
        assert 'trilink_messages_total{direction="sent",kind="track"} 120' in text
        assert 'trilink_messages_total{direction="refused",kind="signature"} 2' in text
        assert 'trilink_alerts_total{stage="shelter"} 1' in text
        assert 'trilink_link_up{peer="USA",route="via_hub"} 0' in text
        for line in text.splitlines():
            assert line.startswith("#") or re.fullmatch(r"[a-z_]+(\{[^}]*\})? \d+", line), line
        login(c, "viewer")
        assert c.get("/metrics").status_code == 200
    # Without a configured token, no bearer opens it.
    t = serve()
    with t.client() as c:
        assert c.get("/metrics", headers={"authorization": "Bearer x"}).status_code == 401


def test_map_layers_are_geojson_of_the_three_nations(served: Served) -> None:
    with served.client() as c:
        login(c, "viewer")
        areas = c.get("/api/v1/map/areas.geojson").json()
        codes = {f["properties"]["code"] for f in areas["features"]}
        assert {"JP-01", "KR-11", "US-GU"} <= codes
        jp01 = next(f for f in areas["features"] if f["properties"]["code"] == "JP-01")
        assert jp01["properties"]["name_ja"] == "北海道"
        zones = c.get("/api/v1/map/zones.geojson").json()
        kinds = {(f["properties"]["nation"], f["properties"]["zone"]) for f in zones["features"]}
        assert ("JPN", "eez") in kinds and ("KOR", "territorial_sea") in kinds
        coast = c.get("/api/v1/map/coast.geojson").json()
        assert coast["features"][0]["geometry"]["type"] == "MultiLineString"


def test_openapi_documents_the_response_models(served: Served) -> None:
    with served.client() as c:
        login(c, "viewer")
        doc = c.get("/openapi.json").json()
        schemas = doc["components"]["schemas"]
        for name in ("TrackRow", "AlertModel", "Snapshot", "AgreementRow", "LinkRow"):
            assert name in schemas
        get = doc["paths"]["/api/v1/tracks"]["get"]
        ref = get["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
        assert ref.endswith("/TrackRow")


def test_no_get_route_in_the_openapi_document_answers_5xx(served: Served) -> None:
    with served.client() as c:
        login(c, "admin")
        doc = c.get("/openapi.json").json()
        seen = 0
        for path, ops in doc["paths"].items():
            if "get" not in ops or path == "/api/v1/stream":
                continue
            for sample in ("JPN-L1-1", "x", "%00", "..", "日本"):
                url = re.sub(r"\{[^}]+\}", sample, path)
                r = c.get(url)
                assert r.status_code < 500, (url, r.status_code)
                seen += 1
        assert seen > 20


def test_login_forms_and_failed_names_cannot_pile_up() -> None:
    now = [0]
    store = auth.SessionStore(lambda: now[0], max_logins=3)
    first = store.new_login()
    for _ in range(5):
        store.new_login()
    assert len(store._logins) == 3
    assert not store.take_login(*first)  # the oldest form went first
    pid, token = store.new_login()
    assert store.take_login(pid, token) and not store.take_login(pid, token)
    throttle = auth.Throttle(lambda: now[0], limit=2, window_s=10.0, max_keys=4)
    for i in range(10):
        throttle.fail([f"user:guess{i}"])
    now[0] += 11 * 10**9
    throttle.fail(["user:last"])
    assert list(throttle._fails) == ["user:last"]
