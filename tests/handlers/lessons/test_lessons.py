from bot.service import Service
from tests.driver import text_of


async def test_onboarding_then_course_with_quiz_and_progress(chat_user):
    ana = chat_user()
    replies = await ana.say("hello")
    assert "choose your language" in text_of(replies)
    await ana.press("lang:en")
    replies = await ana.say("Ana")
    assert "What is your craft?" in text_of(replies)
    await ana.press("onb:craft:weaving")
    await ana.press("onb:country:LA")
    await ana.press("Skip")
    replies = await ana.press("Skip")
    assert "All set, Ana" in text_of(replies)

    await ana.press("menu:courses")
    await ana.press("course:basics")
    replies = await ana.press("Start")
    assert "Lesson 1 of 3" in text_of(replies)
    assert "What goes into the cost" in text_of(replies)
    replies = await ana.press("Only the silk")
    assert "❌ Your time counts too." in text_of(replies) and "Materials and time" in text_of(replies)
    replies = await ana.press("Next lesson")
    assert "Lesson 2 of 3" in text_of(replies)

    replies = await ana.say("/progress")
    assert "Selling basics: Lessons read: 2 of 3 · Quiz questions answered: 1 of 2 (0 right)" in text_of(replies)


async def test_resume_after_restart_and_open_quiz_is_asked_again(make_service, recorder, chat_user):
    ana = chat_user()
    await ana.onboard()
    await ana.send(payload="lesson:basics")
    # Leave in the middle of the quiz, come back through the menu: the open question comes first.
    await ana.say("menu")
    replies = await ana.send(payload="lesson:basics")
    assert "What goes into the cost" in text_of(replies)
    replies = await ana.press("Materials and time")
    assert "✅ Yes: both cost you money." in text_of(replies)


async def test_typed_number_and_words_press_buttons(chat_user):
    ana = chat_user()
    await ana.say("/start")
    replies = await ana.say("1")  # English is the first language button
    assert "What is your name?" in text_of(replies)
    await ana.say("Ana")
    replies = await ana.say("ceramics")  # the button's words
    assert "Which country" in text_of(replies)


async def test_bad_input_gets_short_answers(chat_user, service: Service):
    ana = chat_user()
    await ana.onboard()
    replies = await ana.say("x" * 10_000)
    assert "too long" in text_of(replies)
    replies = await ana.say("/frobnicate")
    assert "/frobnicate" in text_of(replies)
    from bot.types import Media

    replies = await ana.send(media=(Media("sticker", file_id="CAAC"),))
    assert "sticker" in text_of(replies).lower()
    replies = await ana.send(media=(Media("voice", file_id="AwAC"),))
    assert "voice" in text_of(replies).lower()


async def test_duplicate_external_id_is_handled_once(chat_user, service: Service, recorder):
    from bot.types import Inbound

    msg = Inbound(channel="terminal", address="terminal:dup", external_id="same-1", text="/start")
    assert await service.engine.handle(msg) is True
    assert await service.engine.handle(msg) is False
    await service.outbox.drain()
    assert len(recorder.to("terminal:dup")) == 1
