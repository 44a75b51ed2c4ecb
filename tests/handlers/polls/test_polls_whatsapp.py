"""A poll made by a trainer on WhatsApp and answered on WhatsApp (numbered lists) through the fake Twilio
API; a learner whose 24-hour window has passed gets it when they next write (held, as announcements)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.service import Service
from handlers.announcements.roles import grant_role
from storage.models import Role
from tests.fakes.whatsapp import WhatsAppUser, number_of, onboard
from tests.handlers.polls.helpers import run_job


async def test_poll_made_and_answered_on_whatsapp(wa_service: Service, wa_user: Callable[..., WhatsAppUser]) -> None:
    trainer = wa_user("+8562055510001", "Kham")
    await onboard(trainer)
    await grant_role(wa_service.db, "whatsapp", trainer.address, Role.TRAINER, datetime.now(UTC))
    learner = wa_user("+8562055510002", "Noy")
    await onboard(learner)

    text = await trainer.say("/poll")
    assert "New poll" in text
    text = await trainer.say("Which day suits the workshop?")
    text = await trainer.say(number_of(text, "Single choice"))
    text = await trainer.say("Saturday\nSunday")
    text = await trainer.say(number_of(text, "Continue: the audience"))
    assert "It will reach 1 person." in text
    text = await trainer.say(number_of(text, "Continue"))
    text = await trainer.say(number_of(text, "Named"))
    text = await trainer.say(number_of(text, "Now"))
    text = await trainer.say(number_of(text, "In 3 days"))
    assert "Named: you will see each person's answers." in text
    text = await trainer.say(number_of(text, "Start the poll"))
    assert "opens now" in text

    await run_job(wa_service)
    await wa_service.outbox.drain()
    text = learner.text()
    assert "Which day suits the workshop?" in text and "2. Sunday" in text
    text = await learner.say("2")
    assert "Your answers are recorded" in text
    text = await learner.say("1")  # the old menu is gone: nothing more is counted
    assert "Sunday" not in text or "already" in text

    text = await trainer.say("/poll results")
    text = await trainer.say(number_of(text, "Results #1"))
    assert "Sunday: 1 (100%)" in text and "Saturday: 0 (0%)" in text
    text = await trainer.say(number_of(text, "Export CSV"))
    assert "user_id" not in text and "Sunday,1,100,1" in text
