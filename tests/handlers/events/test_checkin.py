"""Check-in by code at the door: ``/checkin CODE`` and the door mode of one event; unknown, reused, another
event's code, a waitlisted or cancelled code; the attendance summary with no-shows after the end."""

from __future__ import annotations

from collections.abc import Callable

from bot.context import ManualClock
from bot.service import Service
from handlers.events.actions import ATTENDANCE, CANCEL, CHECKIN, RSVP
from storage.events import clean_code
from tests.driver import User, text_of
from tests.handlers.events.helpers import START, add_event, make_trainer, rsvp_of


async def test_codes_at_the_door(chat_user: Callable[..., User], service: Service, clock: ManualClock) -> None:
    fair = await add_event(service, capacity=2)
    other = await add_event(service, title="Loom class")
    tina = chat_user("terminal:tina")
    await make_trainer(tina)
    ana, bee, cat, dan = (chat_user(f"terminal:{n}") for n in ("ana", "bee", "cat", "dan"))
    for person in (ana, bee, cat, dan):
        await person.onboard(name=person.address.split(":")[1].title())
    for person in (ana, bee, cat):
        await person.send(payload=RSVP.encode(fair))
    await dan.send(payload=RSVP.encode(other))
    ana_code = (await rsvp_of(service, ana, fair)).code
    cat_code = (await rsvp_of(service, cat, fair)).code  # on the waiting list
    dan_code = (await rsvp_of(service, dan, other)).code
    clock.current = START

    ok = await tina.say(f"/checkin {ana_code[:3].lower()}-{ana_code[3:].lower()}")
    assert "Checked in: Ana, Silk fair" in text_of(ok)
    assert "already used: Ana checked in" in text_of(await tina.say(f"/checkin {ana_code}"))
    assert "No place has the code" in text_of(await tina.say("/checkin ZZZZZZ"))
    assert "has no place" in text_of(await tina.say(f"/checkin {cat_code}"))

    await tina.send(payload=CHECKIN.encode(fair))  # the door of the fair: another event's code is refused
    wrong = await tina.say(dan_code)
    assert "is for another event: Loom class" in text_of(wrong)
    assert (await rsvp_of(service, dan, other)).checked_in_at is None
    assert "No place has the code" in text_of(await tina.say("<script>"))
    assert "Type the check-in code" in text_of(await tina.send(text="x" * 100))

    await bee.send(payload=CANCEL.encode(fair, "yes"))  # cat gets bee's seat: the code now works
    assert "Checked in: Cat" in text_of(await tina.say(cat_code))
    summary = await tina.send(payload=ATTENDANCE.encode(fair))
    assert "Places taken: 2 of 2" in text_of(summary) and "Checked in: 2" in text_of(summary)
    assert "Cancelled: 1" in text_of(summary)

    clock.current = START.replace(hour=23)  # after the end: dan never came
    summary = await tina.send(payload=ATTENDANCE.encode(other))
    assert "No-shows: 1" in text_of(summary) and "Checked in: 0" in text_of(summary)
    assert "is over" in text_of(await tina.say(f"/checkin {dan_code}"))


async def test_learners_cannot_check_in(chat_user: Callable[..., User], service: Service) -> None:
    fair = await add_event(service)
    ana = chat_user("terminal:ana")
    await ana.onboard()
    await ana.send(payload=RSVP.encode(fair))
    code = (await rsvp_of(service, ana, fair)).code
    await ana.say(f"/checkin {code}")
    assert (await rsvp_of(service, ana, fair)).checked_in_at is None


def test_typed_codes_are_read_as_stored() -> None:
    assert clean_code(" ac3-4df ") == "AC34DF"
    assert clean_code("ａｂ") == ""  # full-width letters are not the code's alphabet
