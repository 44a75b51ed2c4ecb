"""Lesson reminders: chosen by chat, sent by the job at the learner's local hour, pointing to the next lesson."""

from __future__ import annotations

from typing import Any

from bot.context import ManualClock
from bot.service import Service
from tests.driver import text_of


async def reminders(service: Service) -> int:
    done = await service.scheduler.run_once()
    await service.outbox.drain()
    return done["reminders"]


async def test_daily_reminder_at_local_hour_points_to_next_lesson(chat_user: Any, service: Service,
                                                                  clock: ManualClock) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard(country="LA")  # Asia/Vientiane, UTC+7; now is 16:00 there
    replies = await ana.say("/reminders")
    assert "Lesson reminders are off" in text_of(replies)
    await ana.press("Every day")
    replies = await ana.say("8:00")  # a typed time has its minutes (a bare "8" would press button 8)
    assert "every day at 08:00" in text_of(replies)

    clock.advance(hours=15, minutes=59)  # 07:59 in Vientiane
    assert await reminders(service) == 0
    clock.advance(minutes=1)
    assert await reminders(service) == 1
    got = ana.inbox()
    assert got[-1].kind == "reminder" and "Selling basics" in got[-1].text
    assert got[-1].flat_buttons[0].payload == "lesson:basics"
    assert await reminders(service) == 0  # not twice

    await ana.send(payload="lesson:basics")  # lesson 1 read: the next reminder names lesson 2
    clock.advance(days=1)
    assert await reminders(service) == 1
    assert "lesson 2 of 3" in ana.inbox()[-1].text

    await ana.say("/reminders")
    replies = await ana.press("Turn off")
    assert "Reminders are off" in text_of(replies)
    clock.advance(days=3)
    assert await reminders(service) == 0


async def test_weekly_reminder_with_a_typed_hour(chat_user: Any, service: Service, clock: ManualClock) -> None:
    ana = chat_user("terminal:bee")
    await ana.onboard(country="TH")  # Asia/Bangkok, UTC+7; 2026-01-05 is a Monday
    await ana.say("/reminders")
    await ana.press("Once a week")
    await ana.press("rem:day:2")  # Wednesday
    replies = await ana.say("19")  # a bare number that pressed no button: asked to confirm
    assert "Did you mean 19:00?" in text_of(replies)
    replies = await ana.say("1")
    assert "every Wednesday at 19:00" in text_of(replies)
    clock.advance(days=1)
    assert await reminders(service) == 0
    clock.advance(days=1, hours=3)  # Wednesday 19:00 in Bangkok
    assert await reminders(service) == 1
    clock.advance(days=6)
    assert await reminders(service) == 0
    clock.advance(days=1)
    assert await reminders(service) == 1
