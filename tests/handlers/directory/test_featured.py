"""Featured profiles and listings: a trainer features one with a citation (a button on the profile, or
``/feature``), everyone sees it under Featured, and "Announce it" opens the announcement with it prefilled."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import ManualClock
from bot.service import Service
from storage.announcements import Broadcast
from storage.directory import Featured
from storage.market import ListingStatus
from tests.handlers.directory.helpers import seen, set_role, write_profile
from tests.handlers.market.helpers import add_listing


async def test_feature_a_profile_and_announce_it(service: Service, chat_user) -> None:
    owner, trainer, learner = chat_user("terminal:noy"), chat_user("terminal:kham"), chat_user("terminal:dara")
    for person, name in ((owner, "Noy"), (trainer, "Kham"), (learner, "Dara")):
        await person.onboard(name=name)
    await set_role(service, trainer.address, "trainer")
    await write_profile(owner, name="Xang Khong Weavers", story="Natural-dye silk.")
    await owner.press("Send for review")
    trainer.last = trainer.inbox()
    await trainer.press("Approve")
    assert "Nothing is featured yet" in seen(await learner.send(payload="dir:featured"))
    assert "Only moderators" in seen(await learner.send(payload="dir:feat:p:1"))
    shown = await trainer.send(payload="dir:v:1")
    assert "Feature" in seen(shown)
    assert "short citation" in seen(await trainer.press("Feature"))
    done = await trainer.say("Best natural dyes of the 2026 fair")
    assert "is featured" in seen(done)
    listed = await learner.send(payload="dir:featured")
    assert "⭐ Xang Khong Weavers" in seen(listed)
    assert "Best natural dyes of the 2026 fair" in seen(await learner.press("⭐ Xang Khong Weavers"))
    screen = await trainer.press("Announce it")
    assert "Audience" in seen(screen)
    async with service.db.read() as session:
        draft = (await session.scalars(select(Broadcast))).one()
    assert "Best natural dyes of the 2026 fair" in draft.text
    assert draft.links == [{"kind": "item", "payload": "dir:v:1", "label": "Xang Khong Weavers"}]


async def test_feature_a_listing_by_command(service: Service, chat_user, clock: ManualClock) -> None:
    seller, admin = chat_user("terminal:noy"), chat_user("terminal:kham")
    await seller.onboard(name="Noy")
    await admin.onboard(name="Kham")
    await set_role(service, admin.address, "admin")
    listing_id = await add_listing(service, seller.address, "Indigo silk scarf", clock.now(),
                                   status=ListingStatus.ACTIVE)
    await admin.say("/myprofile")  # (right after a "Featured" button, the engine takes "/feature" for it)
    assert "Send /feature and a few words" in seen(await admin.say("/feature"))
    found = await admin.say("/feature indigo scarf")
    assert "🛍 Indigo silk scarf" in seen(found)
    await admin.press("🛍 Indigo silk scarf")
    await admin.say("Exemplary product")
    async with service.db.read() as session:
        row = (await session.scalars(select(Featured))).one()
    assert (row.kind, row.item_id, row.citation) == ("listing", listing_id, "Exemplary product")
    assert "⭐ Indigo silk scarf" in seen(await seller.send(payload="dir:featured"))
    await admin.send(payload=f"dir:unfeat:l:{listing_id}")
    assert "Nothing is featured yet" in seen(await seller.send(payload="dir:featured"))
