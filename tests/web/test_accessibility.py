"""Accessibility of the pages in Debian's chromium (Playwright): axe-core and the keyboard.

axe-core comes from ``node_modules`` (npm, a devDependency of ``package.json``) and is put into
the page by the test; the pages themselves never load it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from trilink.warning.model import AreaThreat
from trilink.web.fake import FakeNodeView

from .conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORDS, Served, needs_chromium

__all__: list[str] = []

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(not AXE.exists(), reason="node_modules/axe-core missing (make / npm ci)"),
    pytest.mark.xdist_group("browser"),
]

#: the impacts that fail a test (axe's scale: minor, moderate, serious, critical)
FAILING = ("serious", "critical")


@contextmanager
def _page(errors: list[str]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # Reduced motion: the map jumps instead of gliding, so its place can be read at once.
            page = browser.new_page(
                viewport={"width": 1500, "height": 900}, reduced_motion="reduce"
            )
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page
        finally:
            browser.close()


def _login(page: Any, s: Served, user: str) -> None:
    page.goto(f"{s.url}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORDS[user])
    page.press("#password", "Enter")
    page.wait_for_url(f"{s.url}/")


def _axe(page: Any) -> dict[str, Any]:
    """axe-core's WCAG 2.0/2.1 A and AA results for the page as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's CSP (script-src 'self', enforced
        # here as in production) refuses an injected <script> element such as add_script_tag's.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        })"""
    )
    return result


def _failures(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Violations of impact serious or critical, and contrast axe could not decide for text.

    axe leaves contrast "incomplete" when it cannot find the background (a layer over the text,
    a gradient); those count as failures too, except for content made only of symbols (the
    booster's ◇ on the map, Leaflet's zoom "−"), which axe never measures.
    """
    failures = [v for v in result["violations"] if v["impact"] in FAILING]
    for v in result["incomplete"]:
        if v["id"] != "color-contrast":
            continue
        nodes = [
            n
            for n in v["nodes"]
            if not any((c.get("data") or {}).get("messageKey") == "nonBmp" for c in n["any"])
        ]
        if nodes:
            failures.append({**v, "nodes": nodes})
    return failures


def _report(failures: list[dict[str, Any]]) -> str:
    lines = []
    for v in failures:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}: {node['failureSummary']}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines) or json.dumps(failures)


def _contrast_checked(result: dict[str, Any], fragment: str) -> bool:
    """Whether axe measured and passed the contrast of an element with ``fragment`` in it."""
    rule = next((r for r in result["passes"] if r["id"] == "color-contrast"), None)
    return rule is not None and any(fragment in n["html"] for n in rule["nodes"])


@pytest.mark.parametrize(
    ("user", "lang"),
    [("operator", "English"), ("operator", "한국어"), ("operator", "日本語"), ("admin", "English")],
)
def test_axe_finds_no_serious_violation_on_the_picture(serve: Any, user: str, lang: str) -> None:
    from playwright.sync_api import expect

    s = serve(poll_s=0.1)
    errors: list[str] = []
    with _page(errors) as page:
        _login(page, s, user)
        alert = page.locator("article.alert")
        expect(alert).to_have_count(1)
        expect(alert.locator(".areas li")).to_have_count(2)
        expect(page.locator("#status-banner")).to_be_visible()
        page.get_by_role("button", name=lang).click()
        expect(page.get_by_role("button", name=lang)).to_have_attribute("aria-pressed", "true")
        alert.locator("summary").click()
        expect(alert.locator("details")).to_have_attribute("open", "")
        expect(page.locator("#announce-urgent")).to_contain_text("shelter")
        result = _axe(page)
        failures = _failures(result)
        assert not failures, _report(failures)
        # The alert, its texts in the chosen language and the banner were there and measured.
        for fragment in ('class="headline"', 'class="stage"', "NOT A REAL EVENT", "<h1>"):
            assert _contrast_checked(result, fragment), fragment
        assert not errors, errors


def test_axe_finds_no_serious_violation_on_the_login_page(serve: Any) -> None:
    from playwright.sync_api import expect

    s = serve()
    errors: list[str] = []
    with _page(errors) as page:
        page.goto(f"{s.url}/login")
        expect(page.locator(".banner")).to_contain_text("EXERCISE")
        result = _axe(page)
        failures = _failures(result)
        assert not failures, _report(failures)
        assert _contrast_checked(result, "EXERCISE")
        # With the error of a wrong password showing.
        page.fill("#username", "operator")
        page.fill("#password", "not the password")
        page.press("#password", "Enter")
        expect(page.locator("p.error")).to_contain_text("Wrong user name or password")
        result = _axe(page)
        failures = _failures(result)
        assert not failures, _report(failures)
        assert _contrast_checked(result, 'class="error"')
    # The refused login's 401 is the only console error.
    assert all("401" in e for e in errors), errors


def _focused(page: Any) -> dict[str, Any]:
    """What has the keyboard focus: tag, classes, launch of its card, its outline."""
    info: dict[str, Any] = page.evaluate(
        """() => {
            const e = document.activeElement;
            const card = e.closest ? e.closest("article.alert") : null;
            const st = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), cls: e.getAttribute("class") || "",
                    name: e.textContent, card: e === card,
                    launch: card ? card.dataset.launch : null,
                    outline: st.outlineStyle, width: parseFloat(st.outlineWidth)};
        }"""
    )
    return info


def _tab_to(page: Any, want: Callable[[dict[str, Any]], bool], back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``want(focused)``; at most 25 presses."""
    for _ in range(25):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if want(_focused(page)):
            return
    raise AssertionError(f"never reached; focus is on {_focused(page)}")


def _on_map(page: Any, selector: str) -> tuple[bool, float]:
    """Whether the shapes matching ``selector`` all lie inside the map's box, and their width."""
    out: list[Any] = page.locator(selector).evaluate_all(
        """(els) => {
            const m = document.getElementById("map").getBoundingClientRect();
            const r = els.map((e) => e.getBoundingClientRect());
            const left = Math.min(...r.map((b) => b.left));
            const right = Math.max(...r.map((b) => b.right));
            const top = Math.min(...r.map((b) => b.top));
            const bottom = Math.max(...r.map((b) => b.bottom));
            return [left >= m.left && right <= m.right && top >= m.top && bottom <= m.bottom,
                    right - left];
        }"""
    )
    return bool(out[0]), float(out[1])


def test_the_alert_panel_works_by_keyboard(serve: Any) -> None:
    from playwright.sync_api import expect

    view = FakeNodeView(t0_ns=time.time_ns() - 150 * 10**9)
    s = serve(view, poll_s=0.1)
    errors: list[str] = []
    with _page(errors) as page:
        _login(page, s, "operator")
        l1 = page.locator('article.alert[data-launch="L1"]')
        expect(l1).to_be_visible()
        # The shelter alert (it names areas) is read out at once; the live regions are there.
        expect(page.locator("#announce-urgent")).to_have_attribute("role", "alert")
        expect(page.locator("#announce")).to_have_attribute("role", "status")
        expect(page.locator("#announce-urgent")).to_contain_text("shelter: [EXERCISE]")

        # Tab reaches the language buttons, then the alert; its focus is visible.
        passed: list[dict[str, Any]] = []

        def on_card(f: dict[str, Any]) -> bool:
            passed.append(f)
            return bool(f["card"])

        _tab_to(page, on_card)
        assert [f["name"] for f in passed if f["tag"] == "button"][-3:] == [
            "English",
            "한국어",
            "日本語",
        ], passed
        expect(l1).to_be_focused()
        focus = _focused(page)
        assert focus["outline"] == "solid" and focus["width"] >= 2, focus

        # Enter on the alert shows it on the map: the map zooms to it, its two areas outlined
        # inside the map's box, and says so to screen readers.
        _, ellipse_before = _on_map(page, "path.impact-ellipse")
        page.keyboard.press("Enter")
        expect(page.locator("path.area-shown")).to_have_count(2)
        expect(page.locator("#announce")).to_contain_text("Map shows alert JPN-L1-1: JP-01")
        inside, _ = _on_map(page, "path.area-shown, path.impact-ellipse, path.launch-point")
        assert inside
        assert _on_map(page, "path.impact-ellipse")[1] != ellipse_before
        expect(l1).to_be_focused()

        # The language, by keyboard: back to 日本語, Space, and the alert's words change.
        page.keyboard.press("Shift+Tab")
        assert _focused(page)["name"] == "日本語"
        page.keyboard.press("Space")
        expect(page.get_by_role("button", name="日本語")).to_have_attribute("aria-pressed", "true")
        expect(l1.locator(".headline")).to_contain_text("【訓練】")

        # Acknowledge with Space: it comes back live; the button is gone, the focus is on the card.
        _tab_to(page, lambda f: "ack" in f["cls"].split())
        assert _focused(page)["outline"] == "solid"
        page.keyboard.press("Space")
        expect(l1.locator(".acks")).to_contain_text("operator")
        assert view.acknowledged() == {"JPN-L1-1": ["operator"]}
        expect(l1).to_be_focused()

        # The history unfolds with Enter, and stays so, focused, across a live update.
        _tab_to(page, lambda f: f["tag"] == "summary")
        assert _focused(page)["outline"] == "solid"
        page.keyboard.press("Enter")
        expect(l1.locator("details")).to_have_attribute("open", "")
        track = page.locator("path.track-rv").get_attribute("d")
        view.move()
        expect(page.locator("path.track-rv")).not_to_have_attribute("d", track or "")
        expect(l1.locator("details")).to_have_attribute("open", "")
        expect(l1.locator("summary")).to_be_focused()

        # A new launch's alert arrives: read out at once, and reachable by keyboard.
        first = view.alerts()[1]
        view.issue(
            replace(
                first,
                alert_id="JPN-L2-0",
                launch_id="L2",
                seq=0,
                references=(),
                areas=(AreaThreat(code="JP-47", probability=0.3, kind="impact", arrival_ns=None),),
                impact=None,
            )
        )
        l2 = page.locator('article.alert[data-launch="L2"]')
        expect(l2).to_be_visible()
        expect(page.locator("#announce-urgent")).to_contain_text("shelter: 【訓練】")
        expect(page.locator("#announce-urgent")).to_have_attribute("lang", "ja")
        expect(l1.locator("summary")).to_be_focused()
        _tab_to(page, lambda f: f["card"] and f["launch"] == "L2", back=True)
        # Okinawa lies south of the view on L1; Space on L2's card brings it in.
        expect(page.locator('path[data-area="JP-47"]')).to_have_count(1)
        assert not _on_map(page, 'path[data-area="JP-47"]')[0]
        page.keyboard.press("Space")
        expect(page.locator("path.area-shown")).to_have_count(1)
        expect(page.locator("#announce")).to_contain_text("Map shows alert JPN-L2-0: JP-47")
        assert _on_map(page, "path.area-shown")[0]
        expect(l2).to_have_class(re.compile(r"\bcentred\b"))

        # All clear for L1 with Enter (confirmed in the dialog): announced, the card closes.
        _tab_to(page, lambda f: f["launch"] == "L1" and "all-clear" in f["cls"].split())
        page.once("dialog", lambda d: d.accept())
        page.keyboard.press("Enter")
        expect(l1).to_have_class(re.compile(r"\bclosed\b"))
        expect(page.locator("#announce")).to_contain_text("all clear")
        expect(l1).to_be_focused()
        assert not errors, errors


def test_a_skip_link_leads_past_the_map_to_the_alerts(serve: Any) -> None:
    from playwright.sync_api import expect

    s = serve(poll_s=0.1)
    errors: list[str] = []
    with _page(errors) as page:
        _login(page, s, "viewer")
        expect(page.locator("article.alert")).to_have_count(1)
        skip = page.get_by_role("link", name="Skip to the alerts")
        expect(skip).not_to_be_in_viewport()
        page.keyboard.press("Tab")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="English")).to_be_focused()
        _tab_to(page, lambda f: bool(f["card"]))
        # A viewer may not act: the card's only control is its history.
        page.keyboard.press("Tab")
        assert _focused(page)["tag"] == "summary"
        assert not errors, errors
