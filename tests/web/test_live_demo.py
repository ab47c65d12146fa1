"""``trilink demo`` live, as a subprocess on free ports of 127.0.0.1: the three nations' pages
served from the real stack (NATS servers, nodes, warning desks) in Debian's chromium.

One demo serves the whole module (a cut of the Hwasong-12 scenario at high speed, replayed in a
loop); the last test stops it with SIGTERM and checks nothing is left behind. Screenshots of each
nation's page at its first alert go to the tmp dir; with ``TRILINK_DOC_IMAGES=1`` the JPN one is
also written to ``docs/img/demo-jpn.png``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest

from trilink.livedemo import free_port_base
from trilink.node.fusion import FusionBook

from .conftest import CHROMIUM, CHROMIUM_ARGS, login_form, needs_chromium

__all__: list[str] = []

DOC_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "demo-jpn.png"
#: the scenario cut (s) and replay speed: JPN's shelter warning for Hokkaido comes in the cut
UNTIL_S = "360"
SPEED = "12"

pytestmark = [
    needs_chromium,
    pytest.mark.xdist_group("nats"),
]


@dataclass
class Demo:
    proc: subprocess.Popen[str]
    out: Path
    urls: dict[str, str]
    passwords: dict[str, dict[str, str]]
    stderr: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def client(self, nation: str, role: str = "viewer") -> Iterator[httpx.Client]:
        """A client logged in as ``role`` on ``nation``'s page, its CSRF token set."""
        with httpx.Client(base_url=self.urls[nation].rstrip("/"), timeout=15.0) as c:
            token = login_form(c)
            pw = self.passwords[nation][role]
            r = c.post("/login", data={"username": role, "password": pw, "csrf_token": token})
            assert r.status_code == 303, r.text
            c.headers["x-csrf-token"] = c.get("/api/v1/session").json()["csrf"]
            yield c


def _read_accounts(proc: subprocess.Popen[str]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    assert proc.stdout is not None
    urls: dict[str, str] = {}
    pws: dict[str, dict[str, str]] = {}
    nation = ""
    for line in proc.stdout:
        m = re.match(r"^(KOR|USA|JPN)\s+(http://\S+)$", line.strip())
        if m:
            nation = m.group(1)
            urls[nation] = m.group(2)
            continue
        m = re.match(r"^\s+(viewer|operator|admin)\s+(\S+)$", line)
        if m and nation:
            pws.setdefault(nation, {})[m.group(1)] = m.group(2)
        if len(pws) == 3 and all(len(p) == 3 for p in pws.values()):
            break
    return urls, pws


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    out = tmp_path_factory.mktemp("live") / "demo"
    base = free_port_base()
    cmd = [sys.executable, "-m", "trilink.cli", "demo", "--until", UNTIL_S, "--speed", SPEED]
    cmd += ["--workers", "0", "--port-base", str(base), "--out", str(out), "--loop"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    d = Demo(proc, out, {}, {})
    assert proc.stderr is not None
    err = proc.stderr
    pump = threading.Thread(target=lambda: d.stderr.extend(err), daemon=True)
    pump.start()
    try:
        d.urls, d.passwords = _read_accounts(proc)
        assert set(d.urls) == {"KOR", "USA", "JPN"}, d.stderr
        yield d
    finally:
        if proc.poll() is None:  # a test failed before the SIGTERM test: stop it the same way
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        (out.parent / "demo.err").write_text("".join(d.stderr))


def _wait(pred: Any, timeout: float, what: str, step: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def test_health_logins_and_ports(demo: Demo) -> None:
    ports = {n: urlsplit(u).port for n, u in demo.urls.items()}
    assert ports["USA"] == ports["KOR"] + 1 and ports["JPN"] == ports["KOR"] + 2  # type: ignore[operator]
    for n, url in demo.urls.items():
        assert urlsplit(url).hostname == "127.0.0.1"
        r = httpx.get(url + "health", timeout=10)
        assert r.status_code == 200 and r.json() == {"nation": n, "status": "ok"}
    with demo.client("JPN", "operator") as c:
        me = c.get("/api/v1/session").json()
        assert me["nation"] == "JPN" and me["role"] == "operator" and me["status"] == "exercise"
    # a wrong password, another nation's password and a cross-site login are refused
    with httpx.Client(base_url=demo.urls["KOR"].rstrip("/"), timeout=15.0) as c:
        for pw in ("wrong", demo.passwords["JPN"]["viewer"]):
            token = login_form(c)
            r = c.post("/login", data={"username": "viewer", "password": pw, "csrf_token": token})
            assert r.status_code == 401
        token = login_form(c)
        good = {"username": "viewer", "password": demo.passwords["KOR"]["viewer"]}
        r = c.post(
            "/login", data={**good, "csrf_token": token}, headers={"origin": "https://evil.example"}
        )
        assert r.status_code == 403
        assert c.get("/api/v1/tracks").status_code == 401


def _first_alert(c: httpx.Client, nation: str) -> dict[str, Any]:
    """The first alert with areas (JPN), else the first alert (KOR, USA: not threatened)."""

    def find() -> dict[str, Any] | None:
        alerts = c.get("/api/v1/alerts").json()
        if nation == "JPN":
            alerts = [a for a in alerts if a["areas"]]
        return alerts[0] if alerts else None

    got: dict[str, Any] = _wait(find, 150, f"{nation}'s first alert")
    return got


def _warning_ahead(c: httpx.Client, lead_s: float = 30.0) -> dict[str, Any]:
    """JPN's first area alert of a round while its object is still at least ``lead_s`` scenario
    seconds from arriving (the next round's, if this round is past it)."""

    def find() -> dict[str, Any] | None:
        snap = c.get("/api/v1/state").json()
        alerts = [a for a in snap["alerts"] if a["areas"]]
        if not alerts:
            return None
        arrivals = [x["arrival_ns"] for x in alerts[0]["areas"] if x["arrival_ns"]]
        if arrivals and min(arrivals) > snap["now_ns"] + lead_s * 1e9:
            return dict(alerts[0])
        return None

    got: dict[str, Any] = _wait(find, 150, "JPN's first area alert ahead of arrival", step=0.1)
    return got


def _replay_state(c: httpx.Client) -> dict[str, Any]:
    state: dict[str, Any] = c.get("/api/v1/replay").json()
    return state


def _replay(c: httpx.Client, **change: Any) -> dict[str, Any]:
    r = c.post("/api/v1/replay", json=change)
    assert r.status_code == 200, r.text
    state: dict[str, Any] = r.json()
    return state


def _logged_in_page(
    browser: Any, demo: Demo, nation: str, role: str, errors: list[str], requested: list[str]
) -> Any:
    """A new page of ``nation``'s picture, logged in through the login form as ``role``; its
    console errors go to ``errors`` and the URLs it asks for to ``requested``."""
    page = browser.new_page(viewport={"width": 1500, "height": 900})
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(demo.urls[nation])
    assert page.url.endswith("/login")
    page.fill("#username", role)
    page.fill("#password", demo.passwords[nation][role])
    page.press("#password", "Enter")
    page.wait_for_url(demo.urls[nation])
    return page


def test_each_page_shows_the_shared_track_ellipse_and_timely_alert(
    demo: Demo, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    requested: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            pages = {}
            for n in ("JPN", "KOR", "USA"):
                page = _logged_in_page(browser, demo, n, "viewer", errors, requested)
                expect(page.locator("#status-banner")).to_contain_text("EXERCISE")
                pages[n] = page
            for n, page in pages.items():
                with demo.client(n) as c, demo.client("JPN", "operator") as op:
                    if n == "JPN":
                        # Paused as soon as it is seen, so a loaded machine cannot let the
                        # object arrive before the page is looked at.
                        alert = _warning_ahead(c)
                        _replay(op, paused=True)
                    else:
                        alert = _first_alert(c, n)
                    # the launch's card shows its latest alert (an update may follow at once)
                    card = page.locator(f'article.alert[data-launch="{alert["launch_id"]}"]')
                    expect(card).to_be_visible(timeout=20_000)
                    partner = {"JPN": "KOR", "KOR": "JPN", "USA": "KOR"}[n]
                    if n == "JPN":
                        try:
                            # Hokkaido warned before anything arrives over it
                            codes = {a["code"] for a in alert["areas"]}
                            assert "JP-01" in codes and all(x.startswith("JP-") for x in codes)
                            expect(card).to_contain_text("JP-01")
                            arrivals = [a["arrival_ns"] for a in alert["areas"] if a["arrival_ns"]]
                            assert arrivals and alert["issued_ns"] < min(arrivals)
                            # the picture's own clock: still before the arrival, and so the page
                            assert c.get("/api/v1/state").json()["now_ns"] < min(arrivals)
                            expect(card.locator(".countdown")).to_contain_text("to arrival")
                        finally:
                            _replay(op, paused=False)
                    else:
                        # Korea and the US are not under this flight: told of the launch, no
                        # area of their own
                        assert not alert["areas"]
                    # the shared track: fused with (or seen by) a partner, with its ellipse
                    tracks = _wait(
                        lambda c=c, p=partner: [
                            t for t in c.get("/api/v1/tracks").json() if p in t["nations"]
                        ],
                        60,
                        f"a track of {partner} on {n}'s page",
                    )
                    assert tracks[0]["origin"] in ("fused", "partner")
                    expect(page.locator("path.track").first).to_be_visible(timeout=20_000)
                    expect(page.locator("path.impact-ellipse").first).to_be_attached(timeout=30_000)
                    page.wait_for_timeout(800)
                    shot = tmp_path / f"demo-{n.lower()}.png"
                    page.screenshot(path=str(shot))
                    assert shot.stat().st_size > 20_000
                    if n == "JPN" and os.environ.get("TRILINK_DOC_IMAGES") == "1":
                        DOC_IMAGE.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(DOC_IMAGE))
                    # the language switch changes the alert's words
                    headline = card.locator(".headline")
                    english = headline.inner_text()
                    page.get_by_role("button", name="日本語").click()
                    expect(headline).to_contain_text("【訓練】")
                    assert headline.inner_text() != english
                    page.get_by_role("button", name="한국어").click()
                    expect(headline).to_contain_text("[훈련]")
                    page.get_by_role("button", name="English").click()
        finally:
            browser.close()
    assert not errors, errors
    hosts = {urlsplit(u).hostname for u in requested if not u.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts


def test_an_operator_pauses_and_speeds_the_replay_from_the_page_and_reads_the_timeline(
    demo: Demo,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with (
        sync_playwright() as pw,
        demo.client("JPN") as c,
        demo.client("JPN", "operator") as op,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = _logged_in_page(browser, demo, "JPN", "operator", errors, [])
            alert = _warning_ahead(c)
            lid = alert["launch_id"]
            countdown = page.locator(f'article.alert[data-launch="{lid}"] .countdown')
            expect(countdown).to_contain_text("to arrival", timeout=20_000)
            # Pause by keyboard: the picture's clock and the countdown stand still.
            pause = page.locator("#replay-pause")
            pause.focus()
            page.keyboard.press("Enter")
            expect(page.locator("#replay-state")).to_contain_text("paused")
            expect(pause).to_have_text("Resume replay")
            state = c.get("/api/v1/state").json()
            assert state["replay"]["paused"] and state["clock_rate"] == 0.0
            # The click re-anchors the page's clock at once; the server's paused snapshot may
            # then move it by under a second, once. Then it stands still.
            frozen, settled = countdown.inner_text(), False
            for _ in range(6):
                page.wait_for_timeout(1500)  # the page redraws countdowns every second
                now = countdown.inner_text()
                settled, frozen = now == frozen, now
                if settled:
                    break
            assert settled and "to arrival" in frozen, frozen
            page.wait_for_timeout(2500)
            assert countdown.inner_text() == frozen
            assert c.get("/api/v1/state").json()["now_ns"] == state["now_ns"]
            # The timeline: launch, each nation's first notice (Korea's and the US's as they
            # told Japan over the fabric), JPN's first area warning, outcome pending.
            table = page.locator(f'table.timeline[data-launch="{lid}"]')
            expect(table.locator('tr[data-what="launch"]')).to_have_count(1)
            for n in ("JPN", "KOR", "USA"):
                notice = table.locator(f'tr[data-what="first_notice"][data-nation="{n}"]')
                expect(notice).to_have_count(1, timeout=20_000)
            expect(table.locator('tr.partner[data-what="first_notice"]')).to_have_count(2)
            first = table.locator('tr[data-what="first_area_warning"][data-nation="JPN"]')
            expect(first).to_contain_text("JP-01")
            expect(first).to_contain_text("+")
            expect(table.locator('tr[data-what="pending"]')).to_contain_text("pending")
            page.get_by_role("button", name="日本語").click()
            own_notice = table.locator('tr[data-what="first_notice"][data-nation="JPN"]')
            expect(own_notice).to_contain_text("第一報")
            # the replay's words follow the language too (still paused)
            expect(pause).to_have_text("再生を再開")
            expect(page.locator("#replay-state")).to_contain_text("一時停止中")
            expect(page.locator('label[for="replay-speed"]')).to_have_text("速度")
            page.get_by_role("button", name="English").click()
            # The operator ends it (still paused): the outcome is the all clear.
            page.once("dialog", lambda d: d.accept())
            page.locator(f'article.alert[data-launch="{lid}"] button.all-clear').click()
            expect(table.locator('tr[data-what="all_clear"]')).to_contain_text("all clear")
            expect(table).to_have_attribute("data-outcome", "all_clear")
            # A new speed from the list, then resume by a click: the picture runs at it.
            page.select_option("#replay-speed", "50")
            expect(page.locator("#replay-state")).to_contain_text("50×")
            pause.click()
            expect(page.locator("#replay-state")).to_contain_text("running")
            state2 = c.get("/api/v1/state").json()
            assert state2["replay"]["speed"] == 50.0 and state2["clock_rate"] == 50.0
            _wait(
                lambda: c.get("/api/v1/state").json()["now_ns"] > state["now_ns"],
                30,
                "the picture's clock to run again",
                step=0.1,
            )
        finally:
            browser.close()
            _replay(op, paused=False, speed=float(SPEED))
    with demo.client("JPN", "admin") as admin:
        details = [a["detail"] for a in admin.get("/api/v1/audit").json() if a["kind"] == "replay"]
        assert any("paused" in d for d in details) and any("50x" in d for d in details)
    assert not errors, errors


def _kor_state_rows(jpn_admin: httpx.Client, seen: set[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    """Add JPN's audit rows of state received from KOR (track batches, heartbeats) to ``seen``;
    return it."""
    for e in jpn_admin.get("/api/v1/audit", params={"limit": 1000}).json():
        if e["direction"] == "received" and e["origin"] == "KOR" and e["kind"] != "event":
            seen.add((e["at_ns"], e["kind"], e["route"], e["detail"]))
    return seen


def test_gsomia_suspended_from_the_admin_page_reroutes_kor_to_jpn_via_the_hub(
    demo: Demo,
) -> None:
    """An admin suspends GSOMIA on KOR's page: KOR's tracks reach JPN via the hub with no gap
    (JPN's audit of what it received from KOR), and come direct again once it is restored."""
    from playwright.sync_api import expect, sync_playwright

    seen: set[tuple[Any, ...]] = set()
    errors: list[str] = []
    requested: list[str] = []
    with (
        sync_playwright() as pw,
        demo.client("JPN", "admin") as jpn,
        demo.client("JPN", "operator") as op,
    ):
        # Real time from early in a round, once KOR's radars track: they do for the whole
        # switch, and a gap in wall time is a gap in the picture's time.
        _wait(
            lambda: (st := _replay_state(op))["running"] and 50 <= st["t_s"] <= 110,
            120,
            "a round 50-110 s in",
            step=0.2,
        )
        _replay(op, speed=1)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = _logged_in_page(browser, demo, "KOR", "admin", errors, requested)

            def act(action: str, reason: str) -> None:
                page.fill(f'input[data-agreement="GSOMIA"][data-action="{action}"]', reason)
                page.click(f'button[data-agreement="GSOMIA"]:has-text("{action}")')

            def via_hub() -> bool:
                _kor_state_rows(jpn, seen)
                links = {x["peer"]: x for x in jpn.get("/api/v1/links").json()}
                return bool(links["KOR"]["route"] == "via_hub")

            _wait(
                lambda: any(
                    k == "tracks" and r == "d" for _, k, r, _ in _kor_state_rows(jpn, seen)
                ),
                30,
                "KOR's tracks reaching JPN direct",
                step=0.2,
            )
            t_switch = time.time_ns()
            act("suspend", "demo test")
            row = page.locator("#agreements tbody tr", has_text="GSOMIA")
            expect(row).to_contain_text("suspended", timeout=20_000)
            _wait(via_hub, 30, "JPN to see KOR via the hub", step=0.2)
            _wait(
                lambda: (
                    via_hub()
                    and any(k == "tracks" and r == "r" and t > t_switch for t, k, r, _ in seen)
                ),
                60,
                "KOR's tracks relayed to JPN",
                step=0.2,
            )
            time.sleep(2.0)
            _kor_state_rows(jpn, seen)
            t_end = time.time_ns()
            act("restore", "demo test done")
            expect(row).to_contain_text("in force", timeout=20_000)
            _wait(lambda: not via_hub(), 30, "JPN to see KOR direct again", step=0.2)
        finally:
            browser.close()
            _replay(op, speed=float(SPEED))
    # No gap in the picture: from a second before the click until the relayed tracks had flowed
    # for 2 s, KOR's track batches kept reaching JPN, none later after the one before (or the
    # window's edges) than JPN's fusion keeps a report: KOR never dropped out of JPN's picture.
    lo, hi = t_switch - 10**9, t_end
    times = sorted(t for t, k, _, _ in seen if k == "tracks" and lo <= t <= hi)
    assert len(times) >= 3, times
    gaps = np.diff(np.asarray([lo, *times, hi], dtype=np.int64)) / 1e9
    assert float(gaps.max()) < FusionBook.max_age_s, gaps
    routes = [r for t, k, r, _ in sorted(seen) if k == "tracks" and lo <= t <= hi]
    assert routes[0] == "d" and routes[-1] == "r"
    assert not errors, errors
    assert {urlsplit(u).hostname for u in requested if not u.startswith("data:")} == {"127.0.0.1"}


def test_loop_starts_each_round_with_fresh_desks(demo: Demo) -> None:
    with demo.client("JPN") as jpn:
        _wait(
            lambda: any("JP-01" in str(a["areas"]) for a in jpn.get("/api/v1/alerts").json()),
            120,
            "JPN's warning for Hokkaido",
        )
        before = len(jpn.get("/api/v1/alerts").json())
        rounds = sum("replaying at" in x for x in demo.stderr)
        _wait(lambda: sum("replaying at" in x for x in demo.stderr) > rounds, 120, "a new round")
        # the new round's desk starts empty: no alert, no area carried over
        _wait(
            lambda: len(jpn.get("/api/v1/alerts").json()) < before, 30, "the alerts reset", step=0.2
        )
        # and warns Hokkaido again on its own
        _wait(
            lambda: any("JP-01" in str(a["areas"]) for a in jpn.get("/api/v1/alerts").json()),
            120,
            "JPN's warning for Hokkaido in the new round",
        )


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def test_sigterm_stops_everything(demo: Demo) -> None:
    layout = json.loads((demo.out / "fabric" / "fabric.json").read_text())
    ports = [(s["host"], s["client_port"]) for s in layout["servers"].values()]
    ports += [(urlsplit(u).hostname or "", urlsplit(u).port or 0) for u in demo.urls.values()]
    assert all(_port_open(h, p) for h, p in ports)
    demo.proc.send_signal(signal.SIGTERM)
    assert demo.proc.wait(timeout=60) == 0, "".join(demo.stderr[-20:])
    assert not any(_port_open(h, p) for h, p in ports)
    # no nats-server (or anything else) of this demo left running
    left = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if str(demo.out).encode() in cmdline:
                left.append(cmdline)
    assert not left, left
