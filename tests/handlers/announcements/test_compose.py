"""Announcements end to end on two channels (Telegram and WhatsApp recorders): audiences, opted-out users,
button taps, and the delivery report (blocked, outside the window)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import update

from bot.i18n import translator
from bot.outbox import Delivery
from bot.service import Service
from bot.types import Held, Sent
from storage.models import User
from tests.driver import RecordingSender, text_of
from tests.handlers.announcements.helpers import (
    EN_LA,
    LAO_STOP,
    LAO_TG,
    LAO_TH,
    LAO_WA,
    Channels,
    compose,
    deliver,
    latest_broadcast,
    make_trainer,
    set_opted_out,
)


async def test_trainer_announces_to_lao_speakers_of_one_country_on_two_channels(service: Service) -> None:
    ch = Channels(service)
    t = await make_trainer(service, ch)
    people = {LAO_TG: ("lo", "LA"), LAO_WA: ("lo", "LA"), LAO_STOP: ("lo", "LA"), LAO_TH: ("lo", "TH"),
              EN_LA: ("en", "LA")}
    users = {}
    for address, (language, country) in people.items():
        users[address] = ch.user(service, address)
        await users[address].onboard(language=language, country=country)
    await set_opted_out(service, LAO_STOP)

    replies = await compose(t, "Weaving fair in Luang Prabang on 1 December. Stalls are free.",
                            "country:LA", "language:lo")
    screen = text_of(replies)
    assert "country: Laos" in screen and "ພາສາລາວ" in screen
    assert "It will reach 2 people" in screen and "1 more opted out" in screen
    await t.press("Add “I'm interested”")
    replies = await t.press("Preview")
    assert "Weaving fair" in text_of(replies) and "It will reach 2 people" in text_of(replies)
    replies = await t.press("Send now")
    assert "Sending now to 2 people" in text_of(replies)

    await deliver(service)
    got = ch.announcements()
    assert got == Counter({LAO_TG: 1, LAO_WA: 1})  # not the opted-out one, not Thailand, not English
    lao_reply = ch.tg.to(LAO_TG)[-1]
    assert lao_reply.kind == "announcement" and "Weaving fair" in lao_reply.text
    assert lao_reply.flat_buttons[0].payload.startswith("ann:tap:")

    summary = text_of(t.inbox())
    assert "Your announcement has gone out" in summary
    assert "Targeted: 3" in summary and "Sent: 2" in summary and "1 opted out" in summary

    # Taps are counted once per person; the report shows them.
    users[LAO_TG].inbox()
    replies = await users[LAO_TG].press("ann:tap")
    thanks = translator("lo").gettext("Thank you! The organisers will know you are interested.")
    assert text_of(replies).strip() == thanks
    await users[LAO_TG].send(payload=lao_reply.flat_buttons[0].payload)
    replies = await t.say("/report")
    assert "Tapped “I'm interested”: 1" in text_of(replies)


async def test_audience_by_craft_course_and_province(service: Service) -> None:
    ch = Channels(service)
    t = await make_trainer(service, ch)
    a = ch.user(service, "telegram:301")
    await a.onboard(craft="ceramics")
    b = ch.user(service, "telegram:302")
    await b.onboard(craft="ceramics")
    await b.send(payload="lesson:basics")  # enrolled in the course
    c = ch.user(service, "whatsapp:+8562055504")
    await c.onboard(craft="weaving")
    async with service.db.transaction() as s:
        await s.execute(update(User).where(User.name == "Noy").values(province="Luang Prabang"))

    replies = await compose(t, "Ceramics learners: new kiln workshop", "craft:ceramics")
    assert "It will reach 2 people" in text_of(replies)
    b_id = (await latest_broadcast(service)).id
    replies = await t.send(payload=f"trainer:set:{b_id}:course:basics:enrolled")
    assert "It will reach 1 person" in text_of(replies)
    replies = await t.send(payload=f"trainer:set:{b_id}:course:basics:not_started")
    assert "It will reach 1 person" in text_of(replies)
    await t.send(payload=f"trainer:aud:{b_id}:clear")
    await t.send(payload=f"trainer:aud:{b_id}:province")
    replies = await t.say("luang prabang")
    assert "It will reach 3 people" in text_of(replies)



class HoldingSender(RecordingSender):
    """WhatsApp outside the 24-hour window for some numbers: the sender raises Held."""

    def __init__(self, held: set[str]) -> None:
        super().__init__(channel="whatsapp")
        self.held = held

    async def send(self, delivery: Delivery) -> Sent:
        if delivery.address in self.held and delivery.reply.kind == "announcement":
            raise Held("outside the 24-hour window")
        return await super().send(delivery)


async def test_report_counts_blocked_and_outside_window(service: Service) -> None:
    ch = Channels(service)
    ch.wa = HoldingSender({"whatsapp:+8562055802"})
    service.outbox.add_sender(ch.wa)
    t = await make_trainer(service, ch)
    for address in ("whatsapp:+8562055801", "whatsapp:+8562055802", "telegram:803"):
        await ch.user(service, address).onboard()
    from storage.models import Address

    async with service.db.transaction() as s:
        await s.execute(update(Address).where(Address.address == "telegram:803").values(blocked=True))
    await compose(t, "Fair news")
    await t.press("Preview")
    await t.press("Send now")
    await deliver(service)
    summary = text_of(t.inbox())
    assert "Targeted: 3" in summary and "Sent: 1" in summary
    assert "1 blocked the bot" in summary and "1 outside WhatsApp's 24-hour window" in summary
