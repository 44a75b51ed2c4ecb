"""The owner's own profile by chat: the web page consent for the profile and for a listing, hiding and showing
again, each seen from the public web (200, then 410 Gone)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.context import ManualClock
from bot.service import Service
from storage.market import ListingStatus
from tests.handlers.directory.helpers import profiles, seen, set_role, write_profile
from tests.handlers.market.helpers import add_listing


async def test_consent_hide_and_show_reach_the_web(service: Service, chat_user, clock: ManualClock) -> None:
    owner = chat_user("terminal:noy")
    await owner.onboard(name="Noy", language="lo")
    await set_role(service, owner.address, "trainer")  # approved at once: this test is about the owner's buttons
    await write_profile(owner, name='Noy <b>"Weaves"</b>', story="Indigo <script>x</script>")
    await owner.send(payload="dir:confirm")
    [profile] = await profiles(service)
    listing_id = await add_listing(service, owner.address, "Indigo scarf", clock.now(), status=ListingStatus.ACTIVE)
    async with TestClient(TestServer(service.web_app())) as web:
        page = f"/p/{profile.slug}"
        assert (await web.get(page)).status == 410  # no consent yet
        mine = await owner.send(payload="dir:web:on")
        assert f"https://bot.example.org{page}" in seen(mine)
        response = await web.get(page)
        html = await response.text()
        assert response.status == 200 and 'lang="lo"' in html
        assert "<script>x" not in html and "&lt;b&gt;" in html
        await owner.send(payload="dir:hide")
        assert (await web.get(page)).status == 410
        await owner.send(payload="dir:show")
        assert (await web.get(page)).status == 200
        await owner.send(payload="dir:web:off")
        assert (await web.get(page)).status == 410
        # a listing's page: the owner's choice per product
        assert (await web.get(f"/l/{listing_id}")).status == 410
        shown = await owner.send(payload="dir:wl")
        assert "○ Indigo scarf" in seen(shown)
        on = await owner.press("○ Indigo scarf")
        assert f"https://bot.example.org/l/{listing_id}" in seen(on) and "🌐 Indigo scarf" in seen(on)
        assert (await web.get(f"/l/{listing_id}")).status == 200
        await owner.press("🌐 Indigo scarf")
        assert (await web.get(f"/l/{listing_id}")).status == 410


async def test_someone_else_cannot_toggle_my_listing(service: Service, chat_user, clock: ManualClock) -> None:
    owner, other = chat_user("terminal:noy"), chat_user("terminal:dara")
    await owner.onboard(name="Noy")
    await other.onboard(name="Dara")
    listing_id = await add_listing(service, owner.address, "Indigo scarf", clock.now(), status=ListingStatus.ACTIVE)
    assert "no longer available" in seen(await other.send(payload=f"dir:lw:{listing_id}:on"))
    assert "no profile in the directory yet" in seen(await other.send(payload="dir:web:on"))
