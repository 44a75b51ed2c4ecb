"""The console's action pages in a real browser (Playwright for Python driving Debian's chromium,
``/usr/bin/chromium``; never ``playwright install``): a seller on Telegram posts a listing with a photo and
an admin approves and rejects listings from the moderation queue, answers an inbox ticket whose reply
reaches the asker at the fake Telegram Bot API, grants and revokes a role. The hostile name, title and
question are on those pages: no JS dialog may fire. Screenshots of the moderation queue at 360 and 1280 px
go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.service import Service
from bot.types import Media
from storage.market import ListingStatus
from storage.models import Role
from tests.conftest import MakeService
from tests.console.browser import ARGS, ARTIFACTS, CHROMIUM, needs_chromium, playwright_api, serve
from tests.console.conftest import Person, user_id_of, web_link
from tests.console.hostile import NAME, QUESTION, TITLE
from tests.console.test_moderation import jpeg, listing
from tests.driver import RecordingSender
from tests.driver import User as ChatUser
from tests.fakes.telegram_api import FakeTelegramAPI

pytestmark = needs_chromium

SELLER, ASKER = "telegram:5001", "telegram:5005"


@pytest.fixture
async def service(make_service: MakeService, fake_telegram: FakeTelegramAPI) -> Service:
    """Telegram through the fake Bot API; served over plain http (the browser's cookies)."""
    return await make_service(public_url=None, telegram_token=fake_telegram.token,
                              telegram_api_url=fake_telegram.base_url, telegram_file_url=fake_telegram.file_url)


@pytest.fixture
async def base_url(service: Service) -> AsyncIterator[str]:
    async for url in serve(service):
        yield url


async def post_with_photo(service: Service, seller: ChatUser, name: str, file_id: str) -> None:
    """The listing conversation on Telegram, by payloads (the replies go to the fake Bot API)."""
    await seller.send(payload="market:post")
    await seller.say(name)
    await seller.say("Hand-woven silk scarf, natural indigo dye, 180 x 40 cm.")
    await seller.say("150k")
    await seller.send(payload="market:cat:weaving")
    await seller.send(media=(Media("photo", file_id=file_id, content_type="image/jpeg", size=20000),))
    await seller.send(payload="market:photos:done")
    await seller.say("Ban Xang Khong, Luang Prabang")
    await seller.send(payload="market:contact:relay")
    await seller.send(payload="market:confirm")


async def test_actions_in_chromium(service: Service, person: Person, base_url: str, fake_telegram: FakeTelegramAPI,
                                   request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params.get("database_url") != "sqlite":
        pytest.skip("one browser run is enough (SQLite)")
    ARTIFACTS.mkdir(exist_ok=True)
    unheard = RecordingSender(channel="telegram")  # not registered: Telegram replies go to the fake Bot API
    seller, asker = ChatUser(service, unheard, SELLER), ChatUser(service, unheard, ASKER)
    await seller.onboard(name=NAME, country="LA")
    for number, name in enumerate((TITLE, "Teak bowl")):
        fake_telegram.files[f"AgADphoto{number}"] = jpeg()
        await post_with_photo(service, seller, name, f"AgADphoto{number}")
    await service.scheduler.run_once()  # copies the photos from the Bot API into the media store
    await asker.onboard(name=NAME, country="LA")
    await asker.say("talk to a trainer")
    await asker.say(QUESTION)
    await person("terminal:noy", Role.LEARNER, name="Noy")
    noy = await user_id_of(service, "terminal:noy")
    admin = await person("terminal:ada", Role.ADMIN, name="Ada")
    path = await web_link(admin)
    title_id, bowl_id = 1, 2

    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(base_url + path)
        await page.click("#sign-in")
        await page.wait_for_url(base_url + "/admin")

        # Moderation: the queue with its photos, at 1280 and 360 pixels.
        await page.click("nav >> text=Moderation")
        await page.wait_for_url("**/admin/listings")
        await page.wait_for_load_state("load")  # every image loaded (no wait_for_function: the CSP forbids eval)
        for _ in range(100):  # thumbnails are made on first request: on a busy machine that takes a while
            if await page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)"):
                break
            await page.wait_for_timeout(100)
        assert await page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert await page.evaluate("document.querySelector('img.thumb').naturalWidth") == 240
        await page.screenshot(path=str(ARTIFACTS / "console-moderation-1280.png"), full_page=True)
        await page.set_viewport_size({"width": 360, "height": 780})
        await page.screenshot(path=str(ARTIFACTS / "console-moderation-360.png"), full_page=True)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the moderation queue scrolls sideways at 360 px ({width} px)"
        await page.set_viewport_size({"width": 1280, "height": 900})
        full = await page.get_attribute(f"#listing-{title_id} .photos a", "href")
        response = await page.goto(base_url + str(full))
        assert response is not None and response.headers["content-type"] == "image/jpeg"
        await page.go_back()
        await page.click(f"#approve-{title_id}")
        await page.wait_for_selector("#notice")
        assert f"Listing #{title_id} is in the marketplace" in (await page.text_content("#notice") or "")
        await page.select_option(f"#reason-{bowl_id}", "photos")
        await page.click(f"#reject-{bowl_id}")
        await page.wait_for_selector(f"text=Listing #{bowl_id} was not accepted")
        assert (await listing(service, title_id)).status == ListingStatus.ACTIVE
        assert (await listing(service, bowl_id)).status == ListingStatus.REJECTED
        await page.goto(base_url + "/admin/listings/search")
        assert await page.locator(f"#hide-{title_id}").count() == 1

        # The inbox: claim the ticket, answer it; the answer reaches the asker at the fake Bot API.
        await page.click("nav >> text=Inbox")
        await page.click("#tickets a >> nth=0")
        await page.click("#claim")
        await page.wait_for_selector("#reply-text")
        await page.fill("#reply-text", "Send it by Lao Post, it takes three days.")
        await page.click("#send-reply")
        await page.wait_for_selector("text=sent.")
        await service.outbox.drain()
        assert any("Send it by Lao Post, it takes three days." in text for text in fake_telegram.texts("5005"))
        assert any("now in the marketplace" in text for text in fake_telegram.texts("5001"))

        # People: grant a role by address, then revoke it.
        await page.click("nav >> text=People")
        await page.select_option("#grant-channel", "terminal")
        await page.fill("#grant-address", "noy")
        await page.click("#grant")
        await page.wait_for_selector(f"#person-{noy}")
        await page.click(f"#learner-{noy}")
        await page.wait_for_selector("text=is a learner again")
        assert await page.locator(f"#person-{noy}").count() == 0
        await page.goto(base_url + "/admin/audit")
        assert await page.locator("#audit tbody tr").count() == 6
        assert dialogs == [], dialogs
        await browser.close()
