"""Browser test: Debian's chromium driven by Playwright against the real server (uvicorn)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from trilink.secretariat.db import Database
from trilink.secretariat.services import Secretariat, system_user

from .helpers import CHROMIUM, CHROMIUM_ARGS, PASSWORD, needs_chromium, submit

pytestmark = needs_chromium
WEB_USERS = [("kor_staff", "KOR", "staff", "Kim")]


@pytest.fixture
def meeting_id(app_db: tuple[FastAPI, Database], clock: Any) -> int:
    with app_db[1].session() as s:
        m = Secretariat(s, system_user(), clock).create_meeting(
            {"en": "Foreign ministerial", "ko": "외교장관회의", "ja": "外相会合"},
            start="2025-03-01T09:00",
            tz="Asia/Seoul",
        )
        return m.id


def test_decision_to_overdue_commitment_and_language_switch(
    live: str, meeting_id: int, clock: Any
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = live
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{base}/commitments")
            expect(page).to_have_url(f"{base}/login")
            page.fill("#username", "kor_staff")
            page.fill("#password", PASSWORD)
            page.click("#login-button")
            expect(page.locator("h1")).to_have_text("Dashboard")

            # markup in a text field gets a clear error and is never rendered
            page.goto(f"{base}/meetings/{meeting_id}")
            submit(page, "#outcome-form", kind="decision", text="Exchange <b>liaison</b> officers")
            expect(page.locator("[role=alert]")).to_contain_text("HTML markup is not allowed")
            expect(page.locator("main b")).to_have_count(0)

            # record a decision at the meeting, then turn it into a tracked commitment
            page.goto(f"{base}/meetings/{meeting_id}")
            submit(
                page,
                "#outcome-form",
                kind="decision",
                text="Exchange liaison officers (R&D < 5 people)",
            )
            row = page.locator("table.outcomes tbody tr").first
            expect(row).to_contain_text("Exchange liaison officers (R&D < 5 people)")
            row.locator("input[name=deadline]").fill("2025-03-01T15:00+00:00")
            row.locator("button").click()
            expect(page.locator("#commitment-title")).to_contain_text("Exchange liaison officers")

            page.goto(f"{base}/commitments?view=overdue")
            expect(page.locator("table.commitments")).not_to_contain_text("liaison")

            clock.advance(hours=7)  # 16:00 UTC: the deadline has passed
            page.goto(f"{base}/")
            page.click("#overdue-link")
            overdue = page.locator("table.commitments tbody tr")
            expect(overdue).to_have_count(1)
            expect(overdue.first).to_contain_text("Exchange liaison officers")
            expect(overdue.first.locator("td.overdue")).to_have_count(1)

            page.click("button[data-lang=ko]")
            expect(page.locator("h1")).to_contain_text("약속 사항")
            expect(page.locator("#overdue-link")).to_have_text("기한 초과")
            page.click("button[data-lang=ja]")
            expect(page.locator("h1")).to_contain_text("コミットメント")
            page.goto(f"{base}/meetings/{meeting_id}")
            expect(page.locator("#meeting-title")).to_contain_text("外相会合")
        finally:
            browser.close()
