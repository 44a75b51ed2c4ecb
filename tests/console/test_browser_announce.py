"""Announcements in a real browser (Playwright driving Debian's chromium, as tests/console/test_browser.py):
sign in through a /web link, compose an announcement with hostile text, count, review, schedule it, cancel
it; send another and open its delivery funnel; screenshots at 360 and 1280 px under tests/artifacts/. No
JavaScript dialog may fire."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.service import Service
from tests.console.browser import ARGS, ARTIFACTS, CHROMIUM, needs_chromium, playwright_api, serve
from tests.console.conftest import Person, web_link
from tests.console.test_announcements import HOSTILE, deliver, recorders, seed

pytestmark = needs_chromium


@pytest.fixture
async def base_url(service: Service) -> AsyncIterator[str]:
    async for url in serve(service):
        yield url


async def test_compose_schedule_cancel_and_funnel_in_chromium(service: Service, person: Person, base_url: str,
                                                              request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params.get("database_url") != "sqlite":
        pytest.skip("one browser run is enough (SQLite)")
    ARTIFACTS.mkdir(exist_ok=True)
    await seed(service)
    recorders(service)
    trainer = await person("terminal:tom", "trainer", name="Tom")
    path = await web_link(trainer)
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(base_url + path)
        await page.click("#sign-in")
        await page.wait_for_url(base_url + "/admin")

        await page.click("nav >> text=Announcements")
        await page.click("#new-announcement")
        await page.fill("#text", "Craft fair on Saturday " + HOSTILE)
        await page.select_option("select[name=country]", "LA")
        await page.fill("input[name=link_label]", "Programme")
        await page.fill("input[name=link_url]", "https://example.org/fair")
        await page.click("#count")
        await page.wait_for_selector("#reach-count")
        assert await page.text_content("#reach-count") == "3"
        assert await page.text_content("#outside-count") == "1"
        await page.screenshot(path=str(ARTIFACTS / "console-announce-compose-1280.png"), full_page=True)

        await page.check("#when-later")
        await page.fill("input[name=date]", "2026-01-10")
        await page.fill("input[name=time]", "09:00")
        await page.select_option("select[name=zone]", "Asia/Vientiane")
        await page.click("#review")
        await page.wait_for_selector("#confirm-count")
        assert await page.text_content("#confirm-count") == "3"
        await page.click("#confirm")
        await page.wait_for_selector("#cancel")
        await page.click("#cancel")
        await page.wait_for_selector("#stat-cancelled")
        assert await page.query_selector("#cancel") is None

        await page.goto(base_url + "/admin/announcements/new")
        await page.fill("#text", "Training day next week")
        await page.click("#count")
        await page.click("#review")
        await page.click("#confirm")
        await page.wait_for_selector("#funnel")
        await deliver(service)
        await page.reload()
        assert await page.text_content("#stat-opted_out") == "1"
        await page.screenshot(path=str(ARTIFACTS / "console-announce-funnel-1280.png"), full_page=True)
        await page.set_viewport_size({"width": 360, "height": 780})
        await page.screenshot(path=str(ARTIFACTS / "console-announce-funnel-360.png"), full_page=True)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the funnel page scrolls sideways at 360 px ({width} px)"

        await page.goto(base_url + "/admin/announcements")
        assert "<script>alert" not in await page.content()
        assert dialogs == []
        await browser.close()
