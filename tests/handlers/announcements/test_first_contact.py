"""A new trainer's first messages (#22 items 6 and 14): ``/trainer CODE`` before or during the setup
questions is redeemed, not lost; a trainer's command before setup says why it waits. Through the real
terminal chat and WhatsApp (fake Twilio); the WhatsApp numbers are from outside the region, so no
language is hinted and the first answers are in English."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import select

from bot.channels.terminal import chat
from bot.config import Settings
from bot.context import ManualClock
from bot.service import Service
from handlers.announcements import roles
from storage.models import Address, Role, User
from tests.fakes.whatsapp import number_of


async def new_code(service: Service, clock: ManualClock) -> str:
    async with service.db.transaction() as s:
        return await roles.create_invite(s, Role.TRAINER, clock.now())


async def role_of(service: Service, address: str) -> str | None:
    async with service.db.read() as s:
        return await s.scalar(select(User.role).join(Address).where(Address.address == address))


async def test_terminal_trainer_code_while_the_language_is_asked(settings: Settings, clock: ManualClock) -> None:
    """``smce-bot chat --user kham`` opens with /start (the language question); the code typed then counts."""
    service = Service(settings, clock=clock)
    await service.start(background=False)
    code = await new_code(service, clock)
    await service.stop()
    out = io.StringIO()
    script = f"/trainer {code}\n1\nKham\n1\n1\nskip\nskip\n"
    service = Service(settings, clock=clock)
    await chat(service, address="terminal:kham", stdin=io.StringIO(script), out=out)
    transcript = out.getvalue()
    after_code = transcript.split(f"you> /trainer {code}")[1]
    assert "Welcome, trainer!" in after_code
    assert "Please choose your language." in after_code and "[1] English" in after_code  # setup goes on
    assert "All set, Kham!" in transcript and "Trainer tools" in transcript.split("All set, Kham!")[1]
    again = Service(settings, clock=clock)
    await again.start(background=False)
    assert await role_of(again, "terminal:kham") == Role.TRAINER
    await again.stop()


async def test_whatsapp_trainer_code_as_the_very_first_message(wa_user, wa_service: Service,
                                                                clock: ManualClock) -> None:
    code = await new_code(wa_service, clock)
    kham = wa_user("+12025550199", "Kham")
    text = await kham.say(f"/trainer {code}")
    assert "Welcome, trainer!" in text
    assert "Please choose your language." in text and number_of(text, "English")
    assert await role_of(wa_service, kham.address) == Role.TRAINER
    text = await kham.say(number_of(text, "English"))
    assert "What is your name?" in text
    text = await kham.say("Kham")
    text = await kham.say(number_of(text, "Weaving and textiles"))
    text = await kham.say(number_of(text, "Laos"))
    text = await kham.say(number_of(text, "Skip"))
    text = await kham.say(number_of(text, "Skip"))
    text = await kham.say(number_of(text, "Full photos"))
    assert "All set, Kham!" in text and number_of(text, "Trainer tools")
    # A used code, sent first by someone else: told so, and their setup starts all the same.
    other = wa_user("+12025550198", "Bee")
    text = await other.say(f"/trainer {code}")
    assert "not valid" in text and "Please choose your language." in text
    assert await role_of(wa_service, other.address) == Role.LEARNER


async def test_trainer_code_in_the_middle_of_setup_then_the_question_again(wa_user, wa_service: Service,
                                                                          clock: ManualClock) -> None:
    code = await new_code(wa_service, clock)
    kham = wa_user("+12025550197", "Kham")
    text = await kham.say("Sabaidee")
    text = await kham.say(number_of(text, "English"))
    assert "What is your name?" in text
    text = await kham.say(f"/trainer {code}")
    assert "Welcome, trainer!" in text and "What is your name?" in text
    text = await kham.say("/trainer")
    assert "/trainer followed by your invite code" in text and "What is your name?" in text
    assert await role_of(wa_service, kham.address) == Role.TRAINER


async def test_granted_trainer_first_command_says_to_finish_setup(wa_user, wa_service: Service) -> None:
    """An admin granted the role before the trainer ever wrote; their first message is /pending."""
    address = "whatsapp:+12025550196"
    await roles.grant_role(wa_service.db, "whatsapp", address, Role.TRAINER, datetime.now(UTC))
    kham = wa_user(address.removeprefix("whatsapp:"), "Kham")
    text = await kham.say("/pending")
    assert "setup questions first, then send /pending again" in text
    assert "Please choose your language." in text
    text = await kham.say(number_of(text, "English"))
    text = await kham.say("/announce")  # in the middle: the same answer, then the question again
    assert "then send /announce again" in text and "What is your name?" in text
    text = await kham.say("Kham")
    text = await kham.say(number_of(text, "Weaving and textiles"))
    text = await kham.say(number_of(text, "Laos"))
    text = await kham.say(number_of(text, "Skip"))
    text = await kham.say(number_of(text, "Skip"))
    text = await kham.say(number_of(text, "Full photos"))
    assert "All set, Kham!" in text
    text = await kham.say("/pending")
    assert "No listings are waiting for review." in text
    # A learner's /pending before setup is just the setup (nothing to say about trainers).
    bee = wa_user("+12025550195", "Bee")
    text = await bee.say("/pending")
    assert "trainer" not in text.lower() and "Please choose your language." in text
