"""The directory on the terminal chat: writing a profile, moderation, browsing, search (typos, Lao and Thai
text), the profile's live listings, contact, editing and hiding."""

from __future__ import annotations

from bot.context import ManualClock
from bot.service import Service
from storage.directory import ProfileStatus
from storage.market import ListingStatus
from tests.handlers.directory.helpers import profiles, seen, set_role, write_profile
from tests.handlers.market.helpers import add_listing

LAO_NAME = "ກຸ່ມທໍຜ້າບ້ານຊຽງຄົງ"  # Ban Xang Khong weaving group
THAI_STORY = "ทอผ้าไหมมือด้วยสีธรรมชาติจากเปลือกไม้"


async def test_profile_written_moderated_found_and_contacted(service: Service, chat_user, clock: ManualClock) -> None:
    owner, trainer, visitor = chat_user("terminal:noy"), chat_user("terminal:kham"), chat_user("terminal:dara")
    await owner.onboard(name="Noy", language="en", craft="weaving", country="LA")
    await trainer.onboard(name="Kham", language="en", craft="other", country="LA")
    await visitor.onboard(name="Dara", language="en", craft="other", country="KH")
    await set_role(service, trainer.address, "trainer")
    await write_profile(owner, name="Xang Khong Weavers", story="We weave natural-dye silk on foot looms.")
    preview = seen(owner.last)
    assert "Send it, change something" in preview and "Xang Khong Weavers" in seen(owner.last[-2:-1])
    done = seen(await owner.press("Send for review"))
    assert "sent for review" in done
    [profile] = await profiles(service)
    assert profile.status == ProfileStatus.PENDING and profile.crafts == ["weaving"]
    assert profile.languages == ["lo", "en"] and profile.country == "LA" and profile.contact == "relay"
    # not in the directory yet
    await visitor.say("/directory")
    await visitor.press("Search")
    assert "Nothing found" in seen(await visitor.say("weavers"))
    # the trainer got it with Approve / Reject
    got = trainer.inbox()
    assert "waits for review" in seen(got)
    trainer.last = got
    approved = seen(await trainer.press("Approve"))
    assert "is in the directory" in approved
    assert "now in the directory" in seen(owner.inbox())
    # found with a typo, and by the craft's name in another language
    await visitor.send(payload="dir:search")
    assert "Xang Khong Weavers" in seen(await visitor.say("weavrs"))
    await visitor.send(payload="dir:search")
    assert "Xang Khong Weavers" in seen(await visitor.say("สิ่งทอ"))  # Thai: the craft "textiles"
    # the profile shows its live listings
    await add_listing(service, owner.address, "Indigo silk scarf", clock.now(), status=ListingStatus.ACTIVE)
    shown = await visitor.press("Xang Khong Weavers")
    assert "Indigo silk scarf" in seen(shown)
    assert "We weave natural-dye silk" in seen(shown)
    # contact through the bot
    await visitor.press("Contact")
    assert "Sent" in seen(await visitor.say("Do you take orders for 20 scarves?"))
    relayed = seen(owner.inbox())
    assert "Do you take orders for 20 scarves?" in relayed and "+" not in relayed


async def test_browse_by_craft_and_place(service: Service, chat_user) -> None:
    owner, moderator, visitor = chat_user("terminal:noy"), chat_user("terminal:kham"), chat_user("terminal:dara")
    await moderator.onboard(name="Kham")
    await set_role(service, moderator.address, "admin")
    await write_profile(moderator, name="Kham Ceramics", story="Pots", crafts=("ceramics",), country="TH")
    await moderator.press("Send for review")
    assert "is in the directory" in seen(moderator.last)  # a moderator's own profile needs no review
    await visitor.onboard(name="Dara")
    await visitor.send(payload="dir:crafts")
    assert "Kham Ceramics" in seen(await visitor.send(payload="dir:b:ceramics:-:0"))
    assert "Kham Ceramics" not in seen(await visitor.send(payload="dir:b:weaving:-:0"))
    places = await visitor.send(payload="dir:places")
    assert any(b.payload == "dir:b:-:TH:0" for r in places for b in r.flat_buttons)
    del owner


async def test_lao_and_thai_text_found_and_edit_and_hide(service: Service, chat_user) -> None:
    owner, visitor = chat_user("terminal:noy"), chat_user("terminal:dara")
    await owner.onboard(name="Noy", language="lo")
    await set_role(service, owner.address, "trainer")
    await write_profile(owner, name=LAO_NAME, story=THAI_STORY)
    await owner.send(payload="dir:confirm")
    await visitor.onboard(name="Dara")
    await visitor.send(payload="dir:search")
    assert LAO_NAME in seen(await visitor.say("ທໍຜ້າບ້ານຊຽງ"))  # a part of the Lao name
    await visitor.send(payload="dir:search")
    assert LAO_NAME in seen(await visitor.say("ผ้าไหมมือ"))  # Thai words of the story
    # edit: a new story, kept through the preview (a trainer's change needs no review)
    await owner.send(payload="dir:edit:profile")
    await owner.send(payload="dir:edit:story")
    await owner.say("New story about indigo.")
    await owner.send(payload="dir:confirm")
    [profile] = await profiles(service)
    assert profile.story == "New story about indigo." and profile.status == ProfileStatus.ACTIVE
    # hide: gone from search and browsing; show: back
    await owner.send(payload="dir:hide")
    await visitor.send(payload="dir:search")
    assert LAO_NAME not in seen(await visitor.say("indigo"))
    await owner.send(payload="dir:show")
    await visitor.send(payload="dir:search")
    assert LAO_NAME in seen(await visitor.say("indigo"))


async def test_hostile_and_odd_input(service: Service, chat_user) -> None:
    owner = chat_user("terminal:noy")
    await owner.onboard(name="Noy")
    await owner.send(payload="dir:new")
    await owner.send(payload="dir:kind:group")
    assert "limit is 80" in seen(await owner.say("x" * 200))
    asked = seen(await owner.say("dir:kind:robot"))  # a typed payload is just text: taken as the name
    assert "Which crafts" in asked
    assert "at least one craft" in seen(await owner.send(payload="dir:craft:done"))
    assert "Only moderators" in seen(await owner.send(payload="dir:mod:ok:1"))
