"""The console in a real browser: Playwright for Python driving Debian's chromium (``/usr/bin/chromium``;
never ``playwright install``). Signs in through a /web link, opens each page, applies a filter, downloads
an export and parses it, and saves screenshots at 360 and 1280 pixels under tests/artifacts/."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.service import Service
from tests.console.conftest import Person, console_web_app, web_link
from tests.console.test_pages import seed

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

playwright_api = pytest.importorskip("playwright.async_api",
                                     reason="playwright is not installed (pip install playwright)")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="no /usr/bin/chromium: apt-get install -y chromium (as .ci/run does)")


@pytest.fixture
async def base_url(service: Service) -> AsyncIterator[str]:
    runner = web.AppRunner(console_web_app(service))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_console_in_chromium(service: Service, person: Person, base_url: str,
                                   request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params.get("database_url") != "sqlite":
        pytest.skip("one browser run is enough (SQLite)")
    ARTIFACTS.mkdir(exist_ok=True)
    await seed(service)
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
        await page.goto(base_url + "/admin?lang=th")
        assert await page.get_attribute("html", "lang") == "th"
        await page.screenshot(path=str(ARTIFACTS / "console-dashboard-th-360.png"), full_page=True)

        await page.click("header button[type=submit]")  # sign out
        await page.goto(base_url + "/admin")
        assert page.url.endswith("/admin/signin")
        assert dialogs == []
        await browser.close()
