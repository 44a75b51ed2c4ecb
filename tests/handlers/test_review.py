"""Spaced review (Leitner): a wrong quiz answer comes back after 1, 3, 7, 14, 30 days; right moves it up a
box, wrong back to box 1; "Review" is in the menu only when something is due; progress counts mastered
questions; a lesson reminder mentions the reviews due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import ManualClock
from bot.service import Service
from storage.review import INTERVALS, RETIRED_BOX, ReviewItem, record_review
from tests.driver import text_of


def menu_labels(replies: list[Any]) -> list[str]:
    return [b.label for r in replies for b in r.flat_buttons]


def test_leitner_boxes_and_intervals() -> None:
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    item = ReviewItem(box=1, due_at=now, reviews=0)
    for box, days in ((2, 3), (3, 7), (4, 14), (5, 30)):
        record_review(item, True, now)
        assert (item.box, item.due_at) == (box, now + timedelta(days=days))
    record_review(item, True, now)
    assert item.box == RETIRED_BOX  # right in box 5: mastered for good
    item.box = 4
    record_review(item, False, now)
    assert (item.box, item.due_at) == (1, now + timedelta(days=1)) and item.reviews == 6
    assert INTERVALS == {1: 1, 2: 3, 3: 7, 4: 14, 5: 30}


async def test_a_wrong_answer_comes_back_on_schedule(chat_user: Any, service: Service, clock: ManualClock) -> None:
    ana = chat_user()
    await ana.onboard()
    await ana.send(payload="lesson:basics")
    await ana.press("Only the silk")  # wrong: into box 1, due tomorrow
    assert "Review" not in menu_labels(await ana.say("/menu"))
    assert "Nothing to review right now" in text_of(await ana.say("/review"))

    clock.advance(days=1)
    assert "Review" in menu_labels(await ana.say("/menu"))
    replies = await ana.press("Review")
    assert "1 question to review" in text_of(replies) and "What goes into the cost" in text_of(replies)
    replies = await ana.press("Materials and time")  # right: box 2, in 3 days
    assert text_of(replies).startswith("\n✅ Yes: both cost you money.")
    assert "Nothing to review right now" in text_of(replies)
    assert "Mastered in review: 0 of 1 questions" in text_of(replies)
    again = await ana.send(payload="rev:basics:q1:0")  # an old button pressed twice: not counted twice
    assert "already reviewed" in text_of(again)

    clock.advance(days=2)
    assert "Nothing to review" in text_of(await ana.say("/review"))
    clock.advance(days=1)
    await ana.say("/review")
    replies = await ana.press("Only the silk")  # wrong: back to box 1
    assert "The right answer: Materials and time" in text_of(replies)
    for days in (1, 3, 7, 14):  # right four times: box 5
        clock.advance(days=days)
        await ana.say("/review")
        await ana.press("Materials and time")
    assert "Mastered in review: 1 of 1 questions" in text_of(await ana.say("/progress"))
    clock.advance(days=30)
    await ana.say("/review")
    await ana.press("Materials and time")  # right in box 5: never asked again
    clock.advance(days=365)
    assert "Nothing to review right now" in text_of(await ana.say("/review"))
    assert "Review" not in menu_labels(await ana.say("/menu"))
    assert "Mastered in review: 1 of 1 questions" in text_of(await ana.say("/progress"))


async def test_a_reminder_mentions_due_reviews(chat_user: Any, service: Service, clock: ManualClock) -> None:
    ana = chat_user()
    await ana.onboard(country="LA")
    await ana.send(payload="lesson:basics")
    await ana.press("Only the silk")
    await ana.say("/reminders")
    await ana.press("Every day")
    await ana.say("8:00")
    clock.advance(hours=16)  # 08:00 in Vientiane tomorrow: the question is not due yet (a day after)
    await service.scheduler.run_once()
    await service.outbox.drain()
    assert "to review" not in ana.inbox()[-1].text
    clock.advance(days=1)  # the day after: due
    await service.scheduler.run_once()
    await service.outbox.drain()
    reminder = ana.inbox()[-1]
    assert reminder.kind == "reminder" and "You also have 1 question to review: /review" in reminder.text
    assert [b.payload for b in reminder.flat_buttons][-1] == "menu:review"


async def test_totals_for_the_trainer_console(chat_user: Any, service: Service) -> None:
    from storage.review import review_totals

    ana = chat_user()
    await ana.onboard()
    await ana.send(payload="lesson:basics")
    await ana.press("Only the silk")
    async with service.db.transaction() as session:
        assert await review_totals(session) == {"basics": (1, 0)}
