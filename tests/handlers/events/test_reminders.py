"""Reminders a day and an hour before, each once, in each person's language and time zone (the event is in
Vientiane; people in Vientiane, Manila and Yangon), none for the waitlist or after cancelling."""

from __future__ import annotations

from collections.abc import Callable

from bot.context import ManualClock
from bot.service import Service
from handlers.events.actions import CANCEL, RSVP
from tests.driver import User, text_of
from tests.handlers.events.helpers import START, add_event


async def test_reminders_a_day_and_an_hour_before_in_each_time_zone(
        chat_user: Callable[..., User], service: Service, clock: ManualClock) -> None:
    event_id = await add_event(service, capacity=3)
    lao, manila, yangon, gone = (chat_user("terminal:lao"), chat_user("terminal:ph"), chat_user("terminal:mm"),
                                 chat_user("terminal:gone"))
    await lao.onboard(language="lo", country="LA")
    await manila.onboard(language="fil", country="PH")
    await yangon.onboard(language="en", country="MM")
    await gone.onboard(country="LA")
    waiter = chat_user("terminal:waiter")
    await waiter.onboard()
    for person in (lao, manila, yangon, gone, waiter):
        await person.send(payload=RSVP.encode(event_id))
    await gone.send(payload=CANCEL.encode(event_id, "yes"))  # waiter takes the seat
    await waiter.send(payload=CANCEL.encode(event_id, "yes"))  # and leaves it
    for person in (lao, manila, yangon, gone, waiter):
        person.inbox()

    assert (await service.scheduler.run_once())["event_reminders"] == 0
    clock.current = START.replace(day=9, hour=1, minute=59)  # 24 h 01 min before
    assert (await service.scheduler.run_once())["event_reminders"] == 0
    clock.current = START.replace(day=9, hour=2, minute=0)  # a day before
    assert (await service.scheduler.run_once())["event_reminders"] == 3
    await service.outbox.drain()
    day = {p.address: text_of(p.inbox()) for p in (lao, manila, yangon)}
    assert "10:00" in day["terminal:ph"] and "9:00" in day["terminal:ph"]  # theirs and the event's time
    assert "8:30" in day["terminal:mm"] and "tomorrow" in day["terminal:mm"]
    assert "9:00" in day["terminal:lao"] and "Silk fair" in day["terminal:lao"]
    assert day["terminal:lao"] != day["terminal:ph"]  # Lao, Filipino: each their language
    assert gone.inbox() == [] and waiter.inbox() == []
    assert (await service.scheduler.run_once())["event_reminders"] == 0  # never twice

    clock.current = START.replace(hour=1, minute=0)  # an hour before
    assert (await service.scheduler.run_once())["event_reminders"] == 3
    await service.outbox.drain()
    assert "an hour" in text_of(yangon.inbox())
    assert (await service.scheduler.run_once())["event_reminders"] == 0
    clock.current = START.replace(hour=1, minute=30)
    assert (await service.scheduler.run_once())["event_reminders"] == 0


async def test_signing_up_late_skips_the_reminders_already_past(chat_user: Callable[..., User],
                                                                service: Service, clock: ManualClock) -> None:
    event_id = await add_event(service)
    ana = chat_user("terminal:ana")
    await ana.onboard()
    clock.current = START.replace(day=9, hour=12)  # 14 h before: no "tomorrow" reminder any more
    await ana.send(payload=RSVP.encode(event_id))
    assert (await service.scheduler.run_once())["event_reminders"] == 0
    clock.current = START.replace(hour=1, minute=5)
    assert (await service.scheduler.run_once())["event_reminders"] == 1
