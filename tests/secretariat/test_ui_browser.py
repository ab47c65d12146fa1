"""The secretariat officer's job end to end in Debian's chromium against the real server.

Only users are set up outside the browser; everything else (series, meeting, agenda, minutes,
decision, commitment with milestones, workstream timeline, document upload, exercise with its
after-action run, approvals by KOR, USA and JPN, locking, notifications, the overdue view after
the clock moves, user administration and the offline API docs) goes through the pages, partly in
Korean and Japanese. Screenshots go to the test's tmp dir; the Japanese meeting page is kept as
``docs/img/secretariat-meeting-ja.png`` (refreshed with ``TRILINK_UPDATE_DOCS_IMG=1``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from .helpers import CHROMIUM, CHROMIUM_ARGS, PASSWORD, fill_form, needs_chromium, submit

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
WEB_USERS = [
    ("admin", "KOR", "admin", "Admin"),
    ("kor_officer", "KOR", "approver", "Kim"),
    ("usa_approver", "USA", "approver", "Smith"),
    ("jpn_approver", "JPN", "approver", "Sato"),
]

pytestmark = needs_chromium


def _timeline() -> dict[str, Any]:
    """A scenario run's ``timeline.json`` (the documented keys)."""

    def nation(notice: float, area: float, alone: float, warned: list[str]) -> dict[str, Any]:
        return {
            "first_launch_notice_s": notice,
            "first_area_warning_s": area,
            "first_area_warning_alone_s": alone,
            "areas_warned": warned,
            "areas_threatened_truth": ["JP-01", "JP-02"] if warned else [],
            "final_impact": {"zone": "eez", "nation": "JPN", "area": None},
            "messages": [{"t_s": notice, "stage": "launch", "areas": []}],
        }

    return {
        "scenario": "2017-08-29-hwasong12",
        "launch_utc": "2017-08-28T20:57:00Z",
        "status": "exercise",
        "nations": {
            "KOR": nation(18.0, 95.0, 140.0, []),
            "USA": nation(25.0, 110.0, 160.0, []),
            "JPN": nation(30.0, 60.0, 120.0, ["JP-01", "JP-02"]),
        },
    }


def test_officer_job_end_to_end(live: str, clock: Any, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    base = live
    shots = tmp_path / "shots"
    shots.mkdir()

    def shot(page: Page, name: str) -> Path:
        path = shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def login(page: Page, username: str) -> None:
        page.goto(f"{base}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        expect(page.locator("#notifications-link")).to_be_visible()

    def logout(page: Page) -> None:
        page.locator("header form[action='/logout'] button").click()
        expect(page).to_have_url(f"{base}/login")

    upload = tmp_path / "joint-statement.pdf"
    upload.write_bytes(b"%PDF-1.4 Camp David\n")
    run_file = tmp_path / "timeline.json"
    run_file.write_text(json.dumps(_timeline()))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            login(page, "kor_officer")

            # the reader's zone: Tokyo
            page.goto(f"{base}/settings")
            page.locator("#tz-form select[name=tz]").select_option("Asia/Tokyo")
            page.locator("#tz-form button").click()
            expect(page.locator("#current-zone")).to_have_text("Asia/Tokyo")

            # a workstream
            page.goto(f"{base}/workstreams")
            submit(
                page,
                "#workstream-form",
                key="mw-data",
                title_en="Missile warning data sharing",
                title_ko="미사일 경보 정보 공유",
                title_ja="ミサイル警戒情報の共有",
            )
            expect(page.locator("#workstream-title")).to_contain_text("Missile warning")

            # a meeting series, its meetings, and a stand-alone meeting
            page.goto(f"{base}/meetings")
            submit(
                page,
                "#series-form",
                key="tmm",
                kind="foreign_ministerial",
                title_en="Trilateral ministerial",
                title_ja="日米韓外相会合",
                rule="annually",
                anchor="2025-04-15T10:00",
                tz="America/New_York",
            )
            expect(page.locator("#series-title")).to_contain_text("Trilateral ministerial")
            page.fill("#generate-form input[name=until]", "2027-12-31")
            page.click("#generate-form button")
            expect(page.locator("table.meetings tbody tr")).to_have_count(3)
            expect(page.locator("table.meetings")).to_contain_text("2026-04-15 10:00")

            page.goto(f"{base}/meetings")
            submit(
                page,
                "#meeting-form",
                title_en="Working group on warning data",
                title_ko="경보 정보 실무그룹",
                title_ja="警戒情報作業部会",
                start="2025-03-01T09:00",
                tz="Asia/Seoul",
                location="Seoul",
            )
            expect(page.locator("#meeting-title")).to_contain_text("Working group")
            meeting_url = page.url
            page.locator("form.follow button").click()  # follow the meeting
            expect(page.locator("form.follow button")).to_have_text("Unfollow")

            # agenda and minutes
            submit(page, "#agenda-form", title="Real-time data sharing status", presenter="KOR JCS")
            expect(page.locator("ol.agenda")).to_contain_text("Real-time data sharing status")
            page.fill("#minutes-form textarea", "The parties reviewed the data link.")
            page.click("#minutes-form button")
            expect(page.locator("#minutes-state")).to_have_attribute("data-state", "draft")
            page.fill("#minutes-form textarea", "The parties reviewed the data link and agreed.")
            page.click("#minutes-form button")
            expect(page.locator("#minutes-body")).to_contain_text("and agreed")
            expect(page.locator("#minutes-state")).to_contain_text("draft")
            expect(page.locator("main")).to_contain_text("rev 2")

            # a decision, turned into a commitment due 09:00 Tokyo time
            form = fill_form(
                page, "#outcome-form", kind="decision", text="Exchange liaison officers"
            )
            form.locator("select[name=agenda_item_id]").select_option(index=1)
            form.locator("button[type=submit]").click()
            row = page.locator("table.outcomes tbody tr").first
            expect(row).to_contain_text("Exchange liaison officers")
            row.locator("input[name=deadline_local]").fill("2025-03-10T09:00")
            row.locator("select[name=deadline_tz]").select_option("Asia/Tokyo")
            row.locator("button[type=submit]").click()
            expect(page.locator("#commitment-title")).to_contain_text("Exchange liaison")
            expect(page.locator("#deadline")).to_contain_text("2025-03-10 09:00 JST (+09:00)")
            commitment_url = page.url

            # milestones, then edit: workstream, progress, status
            steps = [("Nominate officers", "2025-03-05T17:00")]
            steps.append(("First posting", "2025-03-09T09:00"))
            for title, due in steps:
                submit(page, "#milestone-form", title_en=title, due_local=due, due_tz="Asia/Tokyo")
            expect(page.locator("table.milestones tbody tr")).to_have_count(2)
            expect(page.locator("table.milestones")).to_contain_text("2025-03-05 17:00 JST")
            page.locator("table.milestones button").first.click()
            expect(page.locator("table.milestones")).to_contain_text("✔")
            page.locator("details summary").first.click()
            form = page.locator("#commitment-edit")
            form.locator("select[name=workstream_id]").select_option(
                label="Missile warning data sharing"
            )
            form.locator("select[name=status]").select_option("in_progress")
            form.locator("input[name=progress]").fill("40")
            form.locator("button[type=submit]").click()
            expect(page.locator("#status")).to_have_attribute("data-status", "in_progress")
            # the deadline was re-submitted in Tokyo time and kept its instant
            expect(page.locator("#deadline")).to_contain_text("2025-03-10 09:00 JST (+09:00)")
            page.fill("#evidence-form input[name=url]", "https://example.org/liaison")
            page.fill("#evidence-form input[name=label]", "Posting orders")
            page.click("#evidence-form button")
            expect(page.locator("main")).to_contain_text("Posting orders")

            # the workstream's timeline
            page.goto(f"{base}/workstreams")
            page.click("text=Missile warning data sharing")
            chart = page.locator("svg.timeline")
            expect(chart.locator("g.bar")).to_have_count(1)
            expect(chart.locator("path.milestone")).to_have_count(2)
            shot(page, "workstream-timeline")

            # search and filters
            page.goto(f"{base}/commitments?q=liaison")
            expect(page.locator("table.commitments tbody tr[data-commitment]")).to_have_count(1)
            page.fill("#commitment-search input[name=q]", "nothing-like-this")
            page.click("#commitment-search button")
            expect(page.locator("table.commitments tbody tr[data-commitment]")).to_have_count(0)

            # a document with a file
            page.goto(f"{base}/documents")
            form = fill_form(
                page,
                "#document-form",
                key="camp-david-2023",
                kind="joint_statement",
                title_en="The Spirit of Camp David",
                title_ko="캠프 데이비드 정신",
                body_en="We commit to consult one another.",
            )
            form.locator("input[name=file]").set_input_files(str(upload))
            form.locator("button[type=submit]").click()
            expect(page.locator("#document-title")).to_contain_text("Camp David")
            expect(page.locator("ul.attachments")).to_contain_text("joint-statement.pdf")
            with page.expect_download() as download:
                page.locator("ul.attachments a").first.click()
            assert Path(download.value.path()).read_bytes() == upload.read_bytes()

            # an exercise from the scenario library, with its run attached
            page.goto(f"{base}/exercises")
            form = fill_form(
                page,
                "#exercise-form",
                key="freedom-edge-25",
                name_en="Freedom Edge 25",
                starts_on="2025-09-15",
                ends_on="2025-09-19",
                scenario="2017-08-29-hwasong12",
            )
            form.locator("input[value=air_missile_defence]").check()
            form.locator("button[type=submit]").click()
            expect(page.locator("#exercise-scenario")).to_have_text("2017-08-29-hwasong12")
            page.locator("#run-form input[name=run_file]").set_input_files(str(run_file))
            page.click("#run-form button")
            expect(page.locator("table.after-action tbody tr")).to_have_count(3)
            expect(page.locator("table.after-action tr[data-nation=JPN]")).to_contain_text("JP-01")
            expect(page.locator("svg.after-action circle.notice")).to_have_count(3)
            expect(page.locator("svg.after-action path.area-warning")).to_have_count(3)
            shot(page, "exercise-after-action")

            # KOR approves the minutes
            page.goto(meeting_url)
            page.click("#approve-form button")
            expect(page.locator("#approved-by")).to_have_text("KOR")
            shot(page, "meeting-en")
            logout(page)

            # USA approves, in Korean
            login(page, "usa_approver")
            page.click("button[data-lang=ko]")
            page.goto(meeting_url)
            expect(page.locator("#meeting-title")).to_contain_text("경보 정보 실무그룹")
            expect(page.locator("h2").filter(has_text="회의록")).to_have_count(1)
            # in the reader's zone (a Washington user): 09:00 Seoul is 19:00 EST the day before
            expect(page.locator("main")).to_contain_text("2025-02-28 19:00 EST (-05:00)")
            submit(page, "#agenda-form", title="후속 조치 검토")
            expect(page.locator("ol.agenda")).to_contain_text("후속 조치 검토")
            page.click("#approve-form button")
            expect(page.locator("#approved-by")).to_have_text("KOR, USA")
            shot(page, "meeting-ko")
            logout(page)

            # JPN approves and locks, in Japanese
            login(page, "jpn_approver")
            page.click("button[data-lang=ja]")
            page.goto(meeting_url)
            expect(page.locator("#meeting-title")).to_contain_text("警戒情報作業部会")
            page.click("#approve-form button")
            expect(page.locator("#minutes-state")).to_have_attribute("data-state", "approved")
            expect(page.locator("#minutes-state")).to_have_text("承認済み")
            page.click("#lock-form button")
            expect(page.locator("#minutes-state")).to_have_text("確定済み")
            expect(page.locator("#minutes-form")).to_have_count(0)
            expect(page.locator("#outcome-form")).to_have_count(0)
            ja_shot = shot(page, "meeting-ja")
            page.goto(commitment_url)
            expect(page.locator("h2").filter(has_text="マイルストーン")).to_have_count(1)
            logout(page)

            # the clock moves past the deadline; the officer sees it overdue and what changed
            clock.advance(days=10)
            login(page, "kor_officer")
            expect(page.locator("#unread-count")).to_be_visible()
            page.click("#notifications-link")
            table = page.locator("table.notifications")
            expect(table).to_contain_text("usa_approver")
            expect(table).to_contain_text("jpn_approver")
            page.click("#mark-read button")
            expect(page.locator("#unread-count")).to_have_count(0)
            expect(page.locator("table.notifications tr.unread")).to_have_count(0)
            page.goto(f"{base}/")
            page.click("#overdue-link")
            overdue = page.locator("table.commitments tbody tr[data-commitment]")
            expect(overdue).to_have_count(1)
            expect(overdue.first).to_contain_text("Exchange liaison officers")
            expect(overdue.first.locator("td.overdue")).to_contain_text("2025-03-10 09:00 JST")
            shot(page, "overdue-en")
            logout(page)

            # the admin adds a user on the users page
            login(page, "admin")
            page.goto(f"{base}/admin/users")
            submit(
                page,
                "#user-form",
                username="jpn_staff2",
                display_name="Tanaka",
                password="another horse",
                nation="JPN",
                role="staff",
            )
            expect(page.locator("table.users")).to_contain_text("Tanaka")

            # the API docs load only from this server
            origins: list[str] = []
            page.on("request", lambda r: origins.append(r.url))
            page.goto(f"{base}/docs")
            expect(page.locator(".swagger-ui .info")).to_contain_text("trilink secretariat")
            assert origins and all(u.startswith(base) or u.startswith("data:") for u in origins)
        finally:
            browser.close()

    for png in shots.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the documentation's screenshot: written when missing or when asked to refresh it
    target = DOCS_IMG / "secretariat-meeting-ja.png"
    if not target.exists() or os.environ.get("TRILINK_UPDATE_DOCS_IMG") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ja_shot, target)
