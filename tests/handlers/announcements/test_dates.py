"""Dates read one way everywhere (#22 item 8): the locale's medium date with the time, never a numeric
short date ("3/17/27" is the 3rd of a 17th month to most of the region); the scheduling prompt's example
lies in the future of the clock. With the manual clock, in English and Lao."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.context import ManualClock
from bot.i18n import Translator
from bot.service import Service
from handlers.announcements.roles import grant_role
from storage.models import Role
from tests.driver import User as ChatUser
from tests.driver import text_of
from tests.handlers.announcements.helpers import Channels, latest_broadcast
from tests.handlers.market.helpers import add_listing

NUMERIC_DATE = re.compile(r"\d{1,4}[/.]\d{1,2}[/.]\d{2,4}")
NOW = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)  # after the old fixed example (2026-12-01)
WHEN = datetime(2027, 3, 17, 2, 0, tzinfo=UTC)  # 09:00 in Vientiane, a week on


async def trainer(service: Service, ch: Channels, address: str, language: str) -> ChatUser:
    t = ch.user(service, address)
    await t.onboard(name="Kham", language=language, country="LA")  # Asia/Vientiane
    await grant_role(service.db, address.split(":")[0], address, Role.TRAINER, NOW)
    return t


async def schedule_by_example(t: ChatUser, text: str) -> str:
    await t.say("/announce")
    replies = await t.say(text)
    b_id = int(replies[-1].flat_buttons[0].payload.split(":")[2])
    await t.send(payload=f"trainer:preview:{b_id}")
    prompt = text_of(await t.send(payload=f"trainer:later:{b_id}"))
    assert "2027-03-17 09:00" in prompt and "2026-12-01" not in prompt  # a week on, at 09:00 local
    assert "2027-03-17 09:00" in text_of(await t.say("soon-ish"))  # the same example when unreadable
    return text_of(await t.say("2027-03-17 09:00"))


async def test_schedule_example_and_dates_in_english_and_lao(service: Service, clock: ManualClock) -> None:
    clock.current = NOW
    ch = Channels(service)
    for address, language in (("telegram:100", "en"), ("whatsapp:+8562055600", "lo")):
        t = await trainer(service, ch, address, language)
        medium = Translator(language, "Asia/Vientiane").datetime(WHEN)
        assert medium == {"en": "Mar 17, 2027, 9:00\u202fAM", "lo": "17 ມ.ນ. 2027, 9:00"}[language]
        done = await schedule_by_example(t, f"Fair day ({language})")
        assert medium in done and not NUMERIC_DATE.search(done), done
        assert (await latest_broadcast(service)).scheduled_at == WHEN
        listed = text_of(await t.say("/scheduled"))
        assert medium in listed and not NUMERIC_DATE.search(listed), listed
        report = text_of(await t.say("/report"))
        assert not NUMERIC_DATE.search(report)


async def test_pending_and_my_listings_show_the_same_medium_dates(service: Service, clock: ManualClock) -> None:
    clock.current = NOW
    ch = Channels(service)
    for address, language in (("telegram:100", "en"), ("whatsapp:+8562055600", "lo")):
        t = await trainer(service, ch, address, language)
        listing_id = await add_listing(service, address, f"Scarf {language}", clock.now())
        sent = Translator(language, "Asia/Vientiane").datetime(NOW)
        queue = text_of(await t.say("/pending"))
        assert sent in queue and not NUMERIC_DATE.search(queue), queue
        await t.send(payload=f"market:mod:ok:{listing_id}")
        until = Translator(language, "Asia/Vientiane").datetime(datetime(2027, 5, 9, 8, 0, tzinfo=UTC))
        mine = text_of(await t.send(payload="market:mine"))
        assert until in mine and not NUMERIC_DATE.search(mine), mine

