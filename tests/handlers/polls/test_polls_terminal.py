"""A poll made and answered on the terminal chat: a consultation of three questions (single, multiple,
free text), live results with the chart, closing time, CSV."""

from __future__ import annotations

from bot.context import ManualClock
from bot.service import Service
from tests.driver import RecordingSender, text_of
from tests.driver import User as ChatUser
from tests.handlers.polls.helpers import make_poll, make_trainer, run_job

QUESTIONS = [("Which fair should we join?", "Single choice", ["Vientiane", "Luang Prabang", "Pakse"]),
             ("What do you need help with?", "Multiple choice", ["Pricing", "Photos", "Shipping"]),
             ("Anything else?", "Short free text", [])]


async def test_consultation_on_the_terminal(service: Service, recorder: RecordingSender, clock: ManualClock) -> None:
    trainer = await make_trainer(ChatUser(service, recorder, "terminal:trainer"))
    ana = ChatUser(service, recorder, "terminal:ana")
    await ana.onboard(name="Ana", language="en", country="LA")
    bo = ChatUser(service, recorder, "terminal:bo")
    await bo.onboard(name="Bo", language="en", country="KH")

    poll_id = await make_poll(trainer, QUESTIONS, filters=("country:LA",))
    assert "opens now" in text_of(trainer.last)
    await run_job(service)
    got = ana.inbox()
    assert "Which fair should we join?" in text_of(got) and "Question 1 of 3" in text_of(got)
    assert bo.inbox() == []  # not in the audience
    ana.last = got
    vientiane = got[-1].flat_buttons[0].payload

    replies = await ana.say("2")  # the numbered list: Luang Prabang
    assert "Question 2 of 3" in text_of(replies)
    await ana.press("▫️ Pricing")
    replies = await ana.press("▫️ Shipping")
    assert "✅ Pricing" in [b.label for b in replies[-1].flat_buttons]
    replies = await ana.press("Done")
    assert "Question 3 of 3" in text_of(replies)
    await ana.press("Write my answer")
    replies = await ana.say("x" * 301)
    assert "under 300" in text_of(replies)
    replies = await ana.say("More training on =natural dyes, please")
    assert "Your answers are recorded" in text_of(replies)

    # A second press of an old button counts nothing.
    replies = await ana.send(payload=vientiane)
    assert "already answered" in text_of(replies)
    replies = await bo.send(payload=f"poll:show:{poll_id}")
    assert "not available" in text_of(replies)

    replies = await trainer.say("/poll results")
    assert f"#{poll_id}" in text_of(replies)
    replies = await trainer.press(f"Results #{poll_id}")
    text = text_of(replies)
    assert "Luang Prabang: 1 (100%)" in text and "Vientiane: 0 (0%)" in text
    assert "Pricing: 1 (100%)" in text and "Photos: 0 (0%)" in text
    assert "natural dyes" in text
    assert any(r.photo is not None for r in replies)  # the chart
    replies = await trainer.press("Export CSV")
    csv_text = text_of(replies)
    assert "1,Which fair should we join?,single,Luang Prabang,1,100,1" in csv_text
    assert "'=natural dyes" not in csv_text and "More training on =natural dyes, please" in csv_text

    # The poll closes at its time: answers after it are refused kindly; the author gets the results.
    clock.advance(days=1, seconds=1)
    await run_job(service)
    assert "Your poll has closed" in text_of(trainer.inbox())
    replies = await ana.send(payload=vientiane)
    assert "this poll has closed" in text_of(replies)
