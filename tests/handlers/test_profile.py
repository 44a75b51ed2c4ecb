"""``/profile``: name, craft, country and the two optional answers shown and changed later, by button, by
typed answer and by number on WhatsApp; an optional answer removed again."""

from __future__ import annotations

from collections.abc import Callable

from bot.service import Service
from tests.driver import User as ChatUser
from tests.driver import text_of, user_at
from tests.fakes.whatsapp import WhatsAppUser, number_of, onboard


async def test_profile_shows_and_changes_the_optional_answers(chat_user: Callable[..., ChatUser],
                                                              service: Service) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard(name="Ana", sex="woman")
    replies = await ana.press("My profile")
    text = text_of(replies)
    assert "Name: Ana" in text and "Craft: Weaving and textiles" in text and "Country: Laos" in text
    assert "Sex: Woman" in text and "Age band: Not given" in text
    assert "used only for anonymous programme reports" in text
    replies = await ana.press("Age band")
    assert "How old are you?" in text_of(replies)
    replies = await ana.say("41")  # typed: its band
    assert "Saved." in text_of(replies) and "Age band: 35 to 44" in text_of(replies)
    await ana.press("Sex")
    replies = await ana.press("Remove my answer")
    assert "Sex: Not given" in text_of(replies)
    user = await user_at(service, ana.address)
    assert (user.sex, user.age_band) == (None, "35_44")


async def test_profile_changes_name_craft_and_country(chat_user: Callable[..., ChatUser], service: Service) -> None:
    bo = chat_user("terminal:bo")
    await bo.onboard(name="Bo", country="LA")
    await bo.say("/profile")
    await bo.press("Name")
    replies = await bo.say("x" * 200)
    assert "at most 60 characters" in text_of(replies)
    replies = await bo.say("Bo Ceramics")
    assert "Name: Bo Ceramics" in text_of(replies)
    await bo.press("Craft")
    replies = await bo.say("pottery")
    assert "Craft: Ceramics" in text_of(replies)
    await bo.press("Country")
    replies = await bo.say("Atlantis")
    assert "not one of the choices" in text_of(replies)
    replies = await bo.press("Thailand")
    assert "Country: Thailand" in text_of(replies)
    user = await user_at(service, bo.address)
    assert (user.name, user.craft, user.country, user.timezone) == ("Bo Ceramics", "ceramics", "TH", "Asia/Bangkok")
    # A forged button sets nothing.
    replies = await bo.send(payload="profile:set:sex:queen")
    assert "Your profile:" in text_of(replies)
    assert (await user_at(service, bo.address)).sex is None


async def test_profile_by_numbers_on_whatsapp(wa_user: Callable[..., WhatsAppUser], wa_service: Service) -> None:
    noy = wa_user("+8562055512399", "Noy")
    await onboard(noy)
    text = await noy.say("/profile")
    text = await noy.say(number_of(text, "Sex"))
    text = await noy.say(number_of(text, "Another identity"))
    assert "Sex: Another identity" in text
    text = await noy.say(number_of(text, "Age band"))
    text = await noy.say(number_of(text, "Prefer not to say"))
    assert "Age band: Prefer not to say" in text
    user = await user_at(wa_service, noy.address)
    assert (user.sex, user.age_band) == ("another", "undisclosed")
