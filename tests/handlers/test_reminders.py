"""Lesson reminders: chosen by chat, sent by the job at the learner's local hour, pointing to the next lesson."""

from __future__ import annotations

from typing import Any

from bot.context import ManualClock
from bot.i18n import Translator
from bot.service import Service
from tests.driver import text_of
from tests.fakes.whatsapp import number_of, onboard


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
    assert "I will remind you every day at 08:00." in text_of(replies)

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
    assert "I will remind you every Wednesday at 19:00." in text_of(replies)
    clock.advance(days=1)
    assert await reminders(service) == 0
    clock.advance(days=1, hours=3)  # Wednesday 19:00 in Bangkok
    assert await reminders(service) == 1
    clock.advance(days=6)
    assert await reminders(service) == 0
    clock.advance(days=1)
    assert await reminders(service) == 1


async def test_typed_minutes_are_kept_from_the_prompt_to_the_reminder(chat_user: Any, service: Service,
                                                                        clock: ManualClock) -> None:
    ana = chat_user("terminal:min")
    await ana.onboard(country="LA")  # Asia/Vientiane, UTC+7; now is 16:00 there
    await ana.say("/reminders")
    replies = await ana.press("Every day")
    assert "like 6:30" in text_of(replies)
    replies = await ana.say("6:30")  # the prompt's own example
    assert text_of(replies).strip() == "I will remind you every day at 06:30."
    replies = await ana.say("/reminders")
    assert "I will remind you every day at 06:30." in text_of(replies)

    clock.advance(hours=14, minutes=29)  # 06:29 in Vientiane
    assert await reminders(service) == 0
    clock.advance(minutes=1)  # 06:30
    assert await reminders(service) == 1
    clock.advance(hours=23, minutes=59)
    assert await reminders(service) == 0
    clock.advance(minutes=1)  # 06:30 the next day
    assert await reminders(service) == 1


async def test_weekly_day_step_has_back_and_a_weekly_time_keeps_its_minutes(chat_user: Any, service: Service,
                                                                             clock: ManualClock) -> None:
    ana = chat_user("terminal:wk")
    await ana.onboard(country="TH")  # Asia/Bangkok, UTC+7; Monday 16:00 there
    await ana.say("/reminders")
    replies = await ana.press("Once a week")
    assert "On which day?" in text_of(replies)
    replies = await ana.press("Back")
    assert "Want a nudge to keep learning?" in text_of(replies)
    await ana.press("Once a week")
    await ana.press("rem:day:0")  # Monday
    replies = await ana.say("18:45")
    assert "I will remind you every Monday at 18:45." in text_of(replies)
    clock.advance(hours=2, minutes=44)  # 18:44
    assert await reminders(service) == 0
    clock.advance(minutes=1)
    assert await reminders(service) == 1
    clock.advance(days=7)
    assert await reminders(service) == 1


async def test_a_preset_button_sent_before_minutes_existed_still_works(chat_user: Any, service: Service) -> None:
    ana = chat_user("terminal:old")
    await ana.onboard()
    replies = await ana.send(payload="rem:hour:daily:0:7")  # no minute part
    assert "I will remind you every day at 07:00." in text_of(replies)
    replies = await ana.send(payload="rem:hour:daily:0:7:75")  # a hostile minute
    assert "Want a nudge" in text_of(replies)


async def test_minutes_on_whatsapp(wa_user: Any, wa_service: Service, clock: ManualClock) -> None:
    noy = wa_user()
    await onboard(noy)  # Laos: UTC+7, 16:00 there
    text = await noy.say("/reminders")
    text = await noy.say(number_of(text, "Every day"))
    text = await noy.say("18:45")
    assert "I will remind you every day at 18:45." in text
    clock.advance(hours=2, minutes=44)
    assert await reminders(wa_service) == 0
    clock.advance(minutes=1)
    assert await reminders(wa_service) == 1
    assert "Time for a short lesson!" in noy.text()


async def test_the_reminder_is_one_whole_sentence_in_lao(chat_user: Any) -> None:
    t = Translator("lo")
    noy = chat_user("terminal:lo")
    await noy.onboard(language="lo")
    await noy.say("/reminders")
    await noy.press(t.gettext("Every day"))
    replies = await noy.say("6:30")
    sentence = t.gettext("I will remind you every day at {time}.", time="06:30")
    assert sentence != "I will remind you every day at 06:30."  # translated (after the catalogs' merge)
    assert text_of(replies).strip() == sentence
