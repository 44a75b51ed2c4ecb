"""RSVP by button, capacity, the waitlist in order, promotion with its message and ticket, "My events", and the
trainer's guided creation of an event."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.service import Service
from handlers.events.actions import CANCEL, LIST, RSVP, VIEW
from storage.events import Event, RsvpStatus
from tests.driver import User, text_of
from tests.handlers.events.helpers import add_event, make_trainer, rsvp_of, rsvps


async def test_full_event_fills_then_waitlist_promotes_in_order_and_tells_them(
        chat_user: Callable[..., User], service: Service) -> None:
    event_id = await add_event(service, capacity=2)
    people = [chat_user(f"terminal:p{i}") for i in range(5)]
    for i, person in enumerate(people):
        await person.onboard(name=f"P{i}")
    await people[0].press(LIST.encode())
    shown = await people[0].press(VIEW.encode(event_id))
    assert "Silk fair" in text_of(shown) and "2 places left" in text_of(shown)
    got = await people[0].press("I'll come")
    assert "You're in" in got[0].text and got[0].photo is not None and got[0].photo.key
    code = (await rsvp_of(service, people[0], event_id)).code
    assert f"{code[:3]}-{code[3:]}" in got[0].text
    await people[1].send(payload=RSVP.encode(event_id))
    third = await people[2].send(payload=RSVP.encode(event_id))
    assert "number 1 on the waiting list" in text_of(third)
    fourth = await people[3].send(payload=RSVP.encode(event_id))
    assert "number 2 on the waiting list" in text_of(fourth)
    again = await people[0].send(payload=RSVP.encode(event_id))  # pressing twice keeps the one place
    assert "already have a place" in text_of(again)
    states = [r.status for r in await rsvps(service, event_id)]
    assert states == [RsvpStatus.GOING, RsvpStatus.GOING, RsvpStatus.WAITING, RsvpStatus.WAITING]

    ask = await people[1].send(payload=CANCEL.encode(event_id))
    assert "Cancel your place" in text_of(ask)
    done = await people[1].press("Yes, cancel")
    assert "cancelled" in text_of(done)
    told = people[2].inbox()  # the first in line got the seat, with a ticket
    assert len(told) == 1 and "a place opened up" in told[0].text and told[0].photo is not None
    assert people[3].inbox() == []
    promoted = await rsvp_of(service, people[2], event_id)
    assert promoted.status == RsvpStatus.GOING and f"{promoted.code[:3]}-" in told[0].text
    assert (await rsvp_of(service, people[3], event_id)).status == RsvpStatus.WAITING

    # someone waiting who leaves frees no seat; a newcomer queues behind the line
    await people[3].send(payload=CANCEL.encode(event_id, "yes"))
    late = await people[4].send(payload=RSVP.encode(event_id))
    assert "number 1 on the waiting list" in text_of(late)
    mine = await people[2].say("/myevents")
    assert "Silk fair" in text_of(mine) and promoted.code[:3] in text_of(mine)


async def test_cancelled_then_again_goes_to_the_end_of_the_line(chat_user: Callable[..., User],
                                                                service: Service) -> None:
    event_id = await add_event(service, capacity=1)
    a, b, c = chat_user("terminal:a"), chat_user("terminal:b"), chat_user("terminal:c")
    for person in (a, b, c):
        await person.onboard()
        await person.send(payload=RSVP.encode(event_id))
    await b.send(payload=CANCEL.encode(event_id, "yes"))  # leaves the line
    await b.send(payload=RSVP.encode(event_id))  # and comes back: behind c
    await a.send(payload=CANCEL.encode(event_id, "yes"))
    assert (await rsvp_of(service, c, event_id)).status == RsvpStatus.GOING
    assert (await rsvp_of(service, b, event_id)).status == RsvpStatus.WAITING


async def test_odd_input_and_unknown_event(chat_user: Callable[..., User], service: Service) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard()
    assert "no events" in text_of(await ana.say("/events")).casefold()
    assert "no longer there" in text_of(await ana.send(payload=VIEW.encode(999)))
    assert "no longer there" in text_of(await ana.say("/event 12345"))
    assert "no events" in text_of(await ana.say("/event ' or 1=1")).casefold()  # not a number: the list
    refused = await ana.say("/newevent")  # not a trainer: the new-event flow is not theirs
    assert "New event" not in text_of(refused)


async def test_trainer_creates_an_event_by_chat(chat_user: Callable[..., User], service: Service) -> None:
    tina = chat_user("terminal:tina")
    await make_trainer(tina)
    assert "What is it called?" in text_of(await tina.say("/newevent"))
    assert "too long" in text_of(await tina.say("x" * 500))
    await tina.say("Natural <b>dye</b> workshop")
    await tina.press("Workshop")
    await tina.press("Philippines (Asia/Manila)")
    assert "Sorry" in text_of(await tina.say("someday"))
    await tina.say("2026-02-14 09:00")
    assert "after the start" in text_of(await tina.say("08:00"))
    await tina.say("16:30")
    await tina.say("Community hall, Vigan")
    await tina.press("Skip")
    assert "from 1 to" in text_of(await tina.say("lots"))
    await tina.say("25")
    await tina.press("Filipino")
    await tina.press("Done")
    preview = await tina.say("Bring an apron.")
    assert "Natural <b>dye</b> workshop" in text_of(preview) and "25 places" in text_of(preview)
    published = await tina.press("Publish")
    assert "Published" in text_of(published)
    async with service.db.read() as session:
        [event] = (await session.scalars(select(Event))).all()
    assert event.timezone == "Asia/Manila" and event.capacity == 25 and event.languages == ["en", "fil"]
    assert event.starts_at.isoformat() == "2026-02-14T01:00:00+00:00"  # 09:00 in Manila
    assert event.ends_at.isoformat() == "2026-02-14T08:30:00+00:00"
    assert event.description == "Bring an apron." and event.place == "Community hall, Vigan"
