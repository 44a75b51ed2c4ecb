"""An event announced with the announcements' machinery: "Announce it" makes a draft about the event; sent, it
reaches learners, who open the event with ``/event <number>`` (and its button, ``ev:v:<id>``) and sign up."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.service import Service
from handlers.events.actions import VIEW
from storage.announcements import Broadcast
from storage.events import RsvpStatus
from tests.driver import User, text_of
from tests.handlers.events.helpers import add_event, make_trainer, rsvp_of


async def test_announce_an_event_then_sign_up_from_it(chat_user: Callable[..., User], service: Service) -> None:
    event_id = await add_event(service)
    tina, ana = chat_user("terminal:tina"), chat_user("terminal:ana")
    await make_trainer(tina)
    await ana.onboard(name="Ana")
    await tina.send(payload=VIEW.encode(event_id))
    screen = await tina.press("Announce it")
    assert "An announcement of Silk fair is ready" in text_of(screen)
    async with service.db.read() as session:
        [draft] = (await session.scalars(select(Broadcast))).all()
    assert draft.links == [{"kind": "event", "event": event_id}] and f"/event {event_id}" in draft.text
    await tina.press("Preview")
    await tina.press("Send now")
    for _ in range(3):
        await service.scheduler.run_once()
        await service.outbox.drain()
    got = text_of(ana.inbox())
    assert "Silk fair" in got and f"/event {event_id}" in got
    shown = await ana.press("See the event and sign up")  # the announcement's button (or /event N typed)
    assert "Talat Sao" in text_of(shown)
    await ana.press("I'll come")
    assert (await rsvp_of(service, ana, event_id)).status == RsvpStatus.GOING
