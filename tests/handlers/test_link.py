"""WhatsApp with the rest: STOP/START through Twilio webhooks, linking a Telegram chat and a WhatsApp
number (progress follows), photos we hold served for Twilio, inbound photos fetched from Twilio."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.i18n import translator
from bot.service import Service
from bot.types import Media, Reply
from handlers.subscription import STOPPED_LOCAL
from storage.models import User
from tests.driver import RecordingSender, text_of, user_at
from tests.driver import User as ChatUser
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.fakes.whatsapp import PUBLIC_URL, number_of, queue

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


async def test_stop_and_start_on_whatsapp(wa_user, wa_service: Service) -> None:
    som = wa_user("+66811112222", "Som")
    text = await som.say("หยุด")  # STOP in Thai, as the very first message: answered in Thai
    assert text == translator("th").gettext(STOPPED_LOCAL, word="เริ่ม")
    user = await user_at(wa_service, som.address)
    assert user.opted_out is True and user.language == "th" and user.country == "TH"
    text = await som.say("START")
    assert "STOP" in text and "1. ภาษาไทย" in text  # confirmed, then onboarding goes on
    assert (await user_at(wa_service, som.address)).opted_out is False
    await onboard_thai_user_in_english(som)
    await som.say("Unsubscribe")
    assert (await user_at(wa_service, som.address)).opted_out is True


async def onboard_thai_user_in_english(user) -> None:
    text = await user.say("/language")
    text = await user.say(number_of(text, "English"))
    text = await user.say("Som")
    text = await user.say(number_of(text, "Ceramics"))
    assert "1. Thailand" in text
    text = await user.say("1")
    text = await user.say(number_of(text, "Skip"))  # the two optional questions
    text = await user.say(number_of(text, "Skip"))
    text = await user.say(number_of(text, "Full photos"))
    assert "All set, Som" in text


async def test_link_telegram_and_whatsapp_progress_follows(wa_user, wa_service: Service,
                                                          fake_twilio: FakeTwilioAPI) -> None:
    telegram = RecordingSender(channel="telegram")
    wa_service.outbox.add_sender(telegram)
    tg = ChatUser(wa_service, telegram, "telegram:5550001", language_hint="en")
    await tg.onboard(name="Noy")
    await tg.send(payload="lesson:basics")
    await tg.press("Materials and time")
    await tg.press("Next lesson")
    replies = await tg.say("/link")
    code = re.search(r"link ([A-Z2-9]{6})", text_of(replies)).group(1)

    noy = wa_user("+8562055512345", "Noy")
    text = await noy.say(f"link {code}")  # the first WhatsApp message: before any onboarding
    assert "now one account" in text and "1. Courses" in text
    assert "linked with another app" in text_of(tg.inbox())

    text = await noy.say("/progress")
    assert "Selling basics: Lessons read: 2 of 3 · Quiz questions answered: 1 of 2 (1 right)" in text
    text = await noy.say(number_of(text, "Continue: Selling basics"))
    assert "Lesson 3 of 3" in text
    async with wa_service.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1
        user = (await session.scalars(select(User))).one()
        assert sorted(a.channel for a in user.addresses) == ["telegram", "whatsapp"]
    # Back on Telegram the same progress shows.
    replies = await tg.say("/progress")
    assert "Selling basics: Lessons read: 3 of 3 · Quiz questions answered: 1 of 2 (1 right)" in text_of(replies)


async def test_photo_we_hold_is_sent_by_our_public_url(wa_user, wa_service: Service, client,
                                                       fake_twilio: FakeTwilioAPI) -> None:
    noy = wa_user()
    await noy.say("hello")
    noy.new()
    key = wa_service.media.save(PNG)
    await queue(wa_service, noy.address, Reply("Indigo scarf", photo=Media("photo", key=key)))
    await queue(wa_service, noy.address, Reply("From Telegram", photo=Media("photo", file_id="AgACAgQAAx")))
    await wa_service.outbox.drain()
    photo, text_only = noy.new()
    assert photo.media_url == [f"{PUBLIC_URL}/media/{key}"] and photo.body == "Indigo scarf"
    assert text_only.media_url == [] and text_only.body == "From Telegram"
    served = await client.get(f"/media/{key}")  # what Twilio will fetch
    assert served.status == 200 and await served.read() == PNG


async def test_inbound_photo_is_fetched_from_twilio(wa_user, wa_service: Service, fake_twilio: FakeTwilioAPI) -> None:
    fake_twilio.media["ME1"] = (PNG, "image/png")
    fetchers = wa_service.deps.extras["channels"]
    media = Media("photo", url=f"{fake_twilio.url}/media/ME1", content_type="image/png")
    assert await fetchers["whatsapp"].fetch_media(media) == PNG
