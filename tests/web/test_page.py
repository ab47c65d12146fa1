"""The page in Debian's chromium (Playwright) against a real server: map, alert panel, live updates.

Screenshots go to the test's tmp dir; with ``TRILINK_DOC_IMAGES=1`` the JPN one is also written
to ``docs/img/cop-jpn.png``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from trilink.web.fake import FakeNodeView

from .conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORDS, Served, needs_chromium

__all__: list[str] = []

DOC_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "cop-jpn.png"

pytestmark = [
    needs_chromium,
    pytest.mark.xdist_group("browser"),
]


def _browse(
    s: Served, user: str, tmp_path: Path, body: Callable[[Any, list[str]], None]
) -> list[str]:
    """Log ``user`` in and run ``body(page, errors)``; returns every URL the page requested."""
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 900})
            page.on("request", lambda r: requested.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{s.url}/")
            assert page.url == f"{s.url}/login"
            page.fill("#username", user)
            page.fill("#password", PASSWORDS[user])
            page.press("#password", "Enter")
            page.wait_for_url(f"{s.url}/")
            body(page, errors)
        finally:
            browser.close()
    return requested


def test_the_picture_the_alert_and_the_exercise_banner(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    # Launched 150 s ago, so the countdown to arrival runs.
    view = FakeNodeView(t0_ns=time.time_ns() - 150 * 10**9)
    # A hostile object id: shown as text everywhere, never run as markup.
    view._tracks[1] = view._tracks[1].model_copy(
        update={"object_id": '<img src=x onerror="window.__pwned=1">'}
    )
    s = serve(view, poll_s=0.1)

    def body(page: Any, errors: list[str]) -> None:
        banner = page.locator("#status-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("EXERCISE")
        alert = page.locator("article.alert")
        expect(alert).to_have_count(1)
        expect(alert).to_contain_text("JP-01")
        expect(alert).to_contain_text("Hokkaido")
        expect(alert.locator(".headline")).to_contain_text("[EXERCISE]")
        expect(alert.locator(".countdown")).to_contain_text("to arrival")
        # The map: tracks by role, launch point and circle, ground track, impact ellipse.
        expect(page.locator("path.track-rv")).to_have_count(1)
        expect(page.locator("path.track-booster")).to_have_count(1)
        expect(page.locator("path.impact-ellipse")).to_have_count(1)
        expect(page.locator("path.ground-track")).to_have_count(1)
        expect(page.locator("path.launch-sigma")).to_have_count(1)
        expect(page.locator(".booster-icon")).to_have_count(1)
        # The warned area is shaded: its fill differs from the plain land's.
        expect(page.locator('.leaflet-overlay-pane path[fill="#e53935"]')).to_have_count(2)
        expect(page.locator("#links tbody tr")).to_have_count(2)
        expect(page.locator("#links")).to_contain_text("via hub")
        expect(page.locator("#counters")).to_contain_text("sent:track")
        page.wait_for_timeout(600)  # let the zone lines arrive before the picture is taken
        page.screenshot(path=str(tmp_path / "cop-jpn-en.png"))
        # The language switch changes the alert's words.
        english = alert.locator(".headline").inner_text()
        page.get_by_role("button", name="日本語").click()
        expect(alert.locator(".headline")).to_contain_text("【訓練】")
        expect(alert).to_contain_text("北海道")
        assert alert.locator(".headline").inner_text() != english
        page.screenshot(path=str(tmp_path / "cop-jpn-ja.png"))
        if os.environ.get("TRILINK_DOC_IMAGES") == "1":
            DOC_IMAGE.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(DOC_IMAGE))
        page.get_by_role("button", name="한국어").click()
        expect(alert.locator(".headline")).to_contain_text("[훈련]")
        # A viewer has no action buttons.
        expect(page.locator("article.alert button.ack")).to_have_count(0)
        expect(page.locator("#agreements button")).to_have_count(0)
        assert page.evaluate("window.__pwned") is None
        assert not errors, errors

    requested = _browse(s, "viewer", tmp_path, body)
    assert requested
    hosts = {urlsplit(u).hostname for u in requested if not u.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    assert (tmp_path / "cop-jpn-en.png").stat().st_size > 20_000


def test_operator_acknowledges_by_keyboard_and_sees_it_live(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    s = serve(poll_s=0.1)

    def body(page: Any, errors: list[str]) -> None:
        ack = page.locator("article.alert button.ack")
        expect(ack).to_be_visible()
        expect(page.locator("article.alert button.cancel")).to_be_visible()
        expect(page.locator("article.alert button.all-clear")).to_be_visible()
        ack.focus()
        page.keyboard.press("Enter")
        # The change comes back through the stream, not the POST's answer.
        expect(page.locator("article.alert .acks")).to_contain_text("operator")
        assert s.view.acknowledged() == {"JPN-L1-1": ["operator"]}
        # All clear, confirmed in the dialog.
        page.once("dialog", lambda d: d.accept())
        page.locator("article.alert button.all-clear").click()
        expect(page.locator("article.alert .stage")).to_have_text("all clear")
        expect(page.locator("article.alert.closed")).to_have_count(1)
        # Live: a new point from the node reaches the map without a reload, and the unfolded
        # history of the alert stays unfolded across the redraw.
        page.locator("article.alert summary").click()
        expect(page.locator("article.alert details")).to_have_attribute("open", "")
        before = page.locator("path.track-rv").get_attribute("d")
        s.view.move()
        # Polled from here: the page's CSP forbids the string evaluation wait_for_function uses.
        expect(page.locator("path.track-rv")).not_to_have_attribute("d", before or "")
        expect(page.locator("#live")).to_have_text("live")
        expect(page.locator("article.alert details")).to_have_attribute("open", "")
        expect(page.locator("article.alert details li")).to_have_count(3)
        page.screenshot(path=str(tmp_path / "cop-operator.png"))
        assert not errors, errors

    _browse(s, "operator", tmp_path, body)


def test_admin_suspends_an_agreement_from_the_status_panel(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    s = serve(FakeNodeView(status="actual"), poll_s=0.1)

    def body(page: Any, errors: list[str]) -> None:
        # Not an exercise: no banner.
        expect(page.locator("#status-banner")).to_be_hidden()
        row = page.locator("#agreements tbody tr", has_text="gsomia")
        expect(row.get_by_role("button", name="suspend")).to_be_visible()
        # Without a reason nothing is sent.
        row.get_by_role("button", name="suspend").click()
        expect(page.locator("#error")).to_contain_text("reason")
        row.get_by_role("textbox").fill("<b>drill</b>")
        row.get_by_role("button", name="suspend").click()
        expect(row).to_contain_text("suspended")
        assert next(a for a in s.view.agreements() if a.name == "gsomia").reason == "<b>drill</b>"
        expect(page.locator("article.alert button")).to_have_count(0)
        assert not errors, errors

    _browse(s, "admin", tmp_path, body)
