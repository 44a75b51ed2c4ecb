"""The directory on the WhatsApp fake: numbered answers write a profile, a trainer approves it by number, and
someone finds it with a typo and sees its live listing."""

from __future__ import annotations

from bot.context import ManualClock
from bot.service import Service
from storage.directory import ProfileStatus
from storage.market import ListingStatus
from tests.fakes.whatsapp import number_of, onboard
from tests.handlers.directory.helpers import profiles, set_role
from tests.handlers.market.helpers import add_listing


async def test_whatsapp_profile_by_numbers(wa_user, wa_service: Service, clock: ManualClock) -> None:
    owner, trainer, visitor = wa_user("+8562055512345", "Noy"), wa_user("+8562055500001", "Kham"), \
        wa_user("+8562055500002", "Dara")
    for person in (owner, trainer, visitor):
        await onboard(person)
    await set_role(wa_service, trainer.address, "trainer")
    text = await owner.say("/directory")
    text = await owner.say(number_of(text, "Create my profile"))
    text = await owner.say(number_of(text, "A group (cooperative, workshop)"))
    assert "What name" in text
    text = await owner.say("Xang Khong Weavers")
    text = await owner.say(number_of(text, "Weaving and textiles"))
    assert "✅ Weaving and textiles" in text
    text = await owner.say(number_of(text, "Done"))
    text = await owner.say(number_of(text, "Skip"))
    text = await owner.say("We weave natural-dye silk on foot looms.")
    text = await owner.say("Ban Xang Khong, Luang Prabang")
    text = await owner.say(number_of(text, "Laos"))
    text = await owner.say(number_of(text, "Skip photos"))
    text = await owner.say(number_of(text, "Through the bot (private)"))
    text = await owner.say(number_of(text, "ພາສາລາວ"))
    text = await owner.say(number_of(text, "Done"))
    assert "Here is your profile" in text and "We weave natural-dye silk" in text
    text = await owner.say(number_of(text, "Send for review"))
    assert "sent for review" in text
    [profile] = await profiles(wa_service)
    assert profile.status == ProfileStatus.PENDING and profile.languages == ["lo"]

    text = trainer.text()
    assert "waits for review" in text and "Xang Khong Weavers" in text
    text = await trainer.say(number_of(text, "Approve"))
    assert "is in the directory" in text
    assert "now in the directory" in owner.text()

    await add_listing(wa_service, owner.address, "Indigo silk scarf", clock.now(), status=ListingStatus.ACTIVE)
    text = await visitor.say("/directory")
    text = await visitor.say(number_of(text, "Search"))
    text = await visitor.say("xang khong weavrs")
    text = await visitor.say(number_of(text, "Xang Khong Weavers"))
    assert "We weave natural-dye silk" in text and "Indigo silk scarf" in text
    text = await visitor.say(number_of(text, "🛍 Indigo silk scarf"))
    assert "Indigo silk scarf" in text and "Contact the seller" in text
