"""A whole RSVP on WhatsApp (through the fake Twilio API) with typed menu numbers: the menu's Events, the event,
"I'll come", the check-in code with its QR image as a media URL, then "My events" and cancelling."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.service import Service
from storage.events import RsvpStatus
from tests.driver import user_at
from tests.fakes.whatsapp import WhatsAppUser, number_of, onboard
from tests.handlers.events.helpers import add_event, rsvps


def number_with(text: str, words: str) -> str:
    match = re.search(rf"^(\d+)\. [^\n]*{re.escape(words)}", text, re.MULTILINE)
    assert match, f"no {words!r} in menu:\n{text}"
    return match.group(1)


async def test_rsvp_on_whatsapp_with_numbers(wa_user: Callable[..., WhatsAppUser], wa_service: Service) -> None:
    event_id = await add_event(wa_service, capacity=1)
    noy = wa_user()
    await onboard(noy)
    menu = await noy.say("menu")
    events = await noy.say(number_of(menu, "Events"))
    assert "Upcoming events" in events
    shown = await noy.say(number_with(events, "Silk fair"))
    assert "Talat Sao" in shown and "1 place left" in shown
    before = len(noy.api.to(noy.address))
    joined = await noy.say(number_of(shown, "I'll come"))
    assert "You're in" in joined
    sent = noy.api.to(noy.address)[before:]
    assert any(m.media_url and "/media/" in m.media_url[0] for m in sent)  # the QR image, from our media store
    [rsvp] = await rsvps(wa_service, event_id)
    assert rsvp.status == RsvpStatus.GOING and f"{rsvp.code[:3]}-{rsvp.code[3:]}" in joined
    assert rsvp.user_id == (await user_at(wa_service, noy.address)).id
    mine = await noy.say(number_of(joined, "My events"))
    assert "Silk fair" in mine
    cancel = await noy.say(number_of(await noy.say(number_with(mine, "Silk fair")), "Cancel my place"))
    done = await noy.say(number_of(cancel, "Yes, cancel"))
    assert "cancelled" in done
    [rsvp] = await rsvps(wa_service, event_id)
    assert rsvp.status == RsvpStatus.CANCELLED
