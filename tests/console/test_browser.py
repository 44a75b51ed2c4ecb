"""The console in a real browser: Playwright for Python driving Debian's chromium (``/usr/bin/chromium``;
never ``playwright install``). Signs in through a /web link, opens each page, applies a filter, downloads
an export and parses it, and saves screenshots at 360 and 1280 pixels under tests/artifacts/."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.service import Service
from storage.models import LessonProgress, QuizAnswer
from tests.console.browser import ARGS, ARTIFACTS, CHROMIUM, needs_chromium, playwright_api, serve
from tests.console.conftest import Person, web_link
from tests.console.test_pages import seed

pytestmark = needs_chromium


@pytest.fixture
async def base_url(service: Service) -> AsyncIterator[str]:
    async for url in serve(service):
        yield url


async def seed_course(service: Service, ids: dict[str, int]) -> None:
    """The seeded learners in the test library's course (basics: lessons 1 and 3 have a question each)."""
    now = service.clock.now()
    async with service.db.transaction() as session:
        for name, shown, done, answers in (("Noy", 3, True, {"q1": 1, "q2": 0}), ("Kham", 1, False, {"q1": 1}),
                                           ("Sok", 2, False, {"q1": 0}), ("Lan", 3, False, {"q1": 0})):
            session.add(LessonProgress(user_id=ids[name], course_id="basics", lessons_done=shown, next_lesson=shown,
                                       started_at=now - timedelta(days=4),
                                       completed_at=now - timedelta(days=1) if done else None))
            for question, choice in answers.items():
                session.add(QuizAnswer(user_id=ids[name], course_id="basics", question_id=question, choice=choice,
                                       correct=choice == 0, answered_at=now))


async def test_console_in_chromium(service: Service, person: Person, base_url: str,
                                   request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params.get("database_url") != "sqlite":
        pytest.skip("one browser run is enough (SQLite)")
    ARTIFACTS.mkdir(exist_ok=True)
    await seed_course(service, (await seed(service))[0])
    trainer = await person("terminal:tom", "trainer", name="Tom")
    path = await web_link(trainer)
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = await context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(base_url + path)
        await page.click("#sign-in")
        await page.wait_for_url(base_url + "/admin")
        assert await page.text_content("#total") == "4"
        await page.screenshot(path=str(ARTIFACTS / "console-dashboard-1280.png"), full_page=True)
        await page.set_viewport_size({"width": 360, "height": 780})
        await page.screenshot(path=str(ARTIFACTS / "console-dashboard-360.png"), full_page=True)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the dashboard scrolls sideways at 360 px ({width} px)"
        await page.set_viewport_size({"width": 1280, "height": 900})

        await page.select_option("select[name=country]", "LA")
        await page.select_option("select[name=period]", "all")
        await page.click("form.filters button[type=submit]")
        await page.wait_for_url("**country=LA**")
        assert await page.text_content("#total") == "2"

        await page.click("nav >> text=Learners")
        await page.wait_for_url("**/admin/learners")
        await page.select_option("select[name=country]", "LA")
        await page.select_option("select[name=period]", "all")
        await page.click("form.filters button[type=submit]")
        await page.wait_for_url("**country=LA**")
        await page.screenshot(path=str(ARTIFACTS / "console-learners-1280.png"), full_page=True)
        async with page.expect_download() as info:
            await page.click("#export-csv")
        download = await info.value
        saved = await download.path()
        text = await asyncio.to_thread(Path(saved).read_text, "utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted(r["name"] for r in rows) == ["Kham", "Noy"]

        await page.click("text=Noy")
        await page.wait_for_selector("#learner-name")
        assert await page.text_content("#learner-name") == "Noy"
        await page.set_viewport_size({"width": 360, "height": 780})
        await page.screenshot(path=str(ARTIFACTS / "console-learner-360.png"), full_page=True)

        await page.goto(base_url + "/admin/report?period=all")
        assert "Periodic report" in await page.content()

        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.click("nav >> text=Courses")
        await page.wait_for_url("**/admin/courses")
        assert await page.text_content("#course-course0 td.num") == "4"  # started in the last 30 days
        await page.screenshot(path=str(ARTIFACTS / "console-courses-1280.png"), full_page=True)
        async with page.expect_download() as info:
            await page.click("#export-completions-csv")
        saved = await (await info.value).path()
        text = await asyncio.to_thread(Path(saved).read_text, "utf-8-sig")
        done = sorted((r["learner"], r["course"]) for r in csv.DictReader(io.StringIO(text)))
        assert done == [("Noy", "basics"), ("Noy", "course0"), ("Sok", "course0"), ("Sok", "course1")]
        await page.click("text=Selling basics")
        await page.wait_for_selector("#course-title")
        assert await page.text_content("#course-title") == "Selling basics"
        assert await page.text_content("#started") == "4" and await page.text_content("#completed") == "1"
        assert "Only the silk" in (await page.text_content("#question-q1") or "")  # the most chosen wrong answer
        await page.screenshot(path=str(ARTIFACTS / "console-course-1280.png"), full_page=True)
        await page.set_viewport_size({"width": 360, "height": 780})
        await page.screenshot(path=str(ARTIFACTS / "console-course-360.png"), full_page=True)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the course page scrolls sideways at 360 px ({width} px)"
        await page.goto(base_url + "/admin?lang=th")
        assert await page.get_attribute("html", "lang") == "th"
        await page.screenshot(path=str(ARTIFACTS / "console-dashboard-th-360.png"), full_page=True)

        await page.click("header button[type=submit]")  # sign out
        await page.goto(base_url + "/admin")
        assert page.url.endswith("/admin/signin")
        assert dialogs == []
        await browser.close()
