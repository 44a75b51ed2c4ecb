"""The quiz says its verdict once (English and Lao), and progress says what is done: lessons read, quiz
questions answered, in the course list, /progress, the course card and the completion message."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.service import Service
from content import load_library
from tests.conftest import BUNDLED_CONTENT
from tests.driver import RecordingSender, User, text_of
from tests.fakes.whatsapp import number_of, onboard


async def test_verdict_once_in_english(chat_user: Any) -> None:
    ana = chat_user()
    await ana.onboard()
    await ana.send(payload="lesson:basics")
    replies = await ana.press("Only the silk")
    assert replies[0].text == "❌ Your time counts too.\nThe right answer: Materials and time"
    await ana.press("Next lesson")
    await ana.press("Next lesson")
    replies = await ana.press("Daylight")  # the content's feedback is "Right."
    assert replies[0].text == "✅ Right."
    assert "Correct" not in text_of(replies)


async def test_verdict_once_in_lao_with_the_bundled_course(settings: Any, clock: Any) -> None:
    service = Service(settings.replace(content_dir=BUNDLED_CONTENT), clock=clock)
    await service.start(background=False)
    recorder = RecordingSender()
    service.outbox.add_sender(recorder)
    try:
        t = Translator("lo")
        course = load_library(BUNDLED_CONTENT)[0].courses["pricing"]
        question = course.lessons[0].quiz[0]
        right = question.choices[question.correct_index]
        wrong = next(c for c in question.choices if not c.correct and c.feedback)
        assert right.feedback is not None and wrong.feedback is not None
        for answer, mark in ((right, "✅"), (wrong, "❌")):
            noy = User(service, recorder, f"terminal:lo-{mark}")
            await noy.onboard(language="lo")
            await noy.send(payload="lesson:pricing")
            replies = await noy.press(answer.text["lo"][:60])
            feedback = answer.feedback["lo"]
            assert replies[0].text.startswith(f"{mark} {feedback}")  # "✅ ຖືກຕ້ອງ. …", said once
            assert t.gettext("✅ Correct!") not in replies[0].text and t.gettext("❌ Not quite.") not in replies[0].text
    finally:
        await service.stop()


async def test_opening_a_lesson_is_not_answering_its_quiz(chat_user: Any) -> None:
    ana = chat_user()
    await ana.onboard()
    await ana.send(payload="lesson:basics")  # lesson 1 opened, its question not answered
    replies = await ana.say("/progress")
    assert "Selling basics: Lessons read: 1 of 3 · Quiz questions answered: 0 of 2 (0 right)" in text_of(replies)
    replies = await ana.send(payload="menu:courses")
    assert "Selling basics (Lessons read: 1 of 3 · Quiz questions answered: 0 of 2 (0 right))" in text_of(replies)
    await ana.send(payload="lesson:basics")  # the open question again, not lesson 2
    await ana.press("Materials and time")
    replies = await ana.send(payload="course:basics")
    assert "Lessons read: 1 of 3 · Quiz questions answered: 1 of 2 (1 right)" in text_of(replies)

    await ana.press("Continue")  # lesson 2
    replies = await ana.press("Next lesson")  # lesson 3 and its question
    assert "Best light for product photos?" in text_of(replies)
    replies = await ana.say("/progress")
    assert "Lessons read: 3 of 3 · Quiz questions answered: 1 of 2 (1 right)" in text_of(replies)
    assert "completed" not in text_of(replies)  # all read, not all answered: not complete

    await ana.send(payload="lesson:basics")
    await ana.press("Camera flash")  # the last question: all read, all answered, so complete
    replies = await ana.say("/progress")
    assert "Selling basics: completed · Quiz questions answered: 2 of 2 (1 right)" in text_of(replies)
    replies = await ana.send(payload="lesson:basics")
    assert "🎉 You finished “Selling basics”!\nLessons read: 3 of 3 · Quiz questions answered: 2 of 2 (1 right)" \
        in text_of(replies)
    replies = await ana.say("/progress")
    assert "Selling basics: completed · Quiz questions answered: 2 of 2 (1 right)" in text_of(replies)
    replies = await ana.send(payload="menu:courses")
    assert "Selling basics (completed)" in text_of(replies)


async def test_progress_and_verdict_on_whatsapp(wa_user: Any, wa_service: Service) -> None:
    noy = wa_user()
    await onboard(noy)
    text = await noy.say(number_of(await noy.say("/menu"), "Courses"))
    text = await noy.say(number_of(text, "Selling basics"))
    text = await noy.say(number_of(text, "Start"))
    assert "Lesson 1 of 3" in text
    text = await noy.say(number_of(text, "Materials and time"))
    assert "✅ Yes: both cost you money." in text and "Correct" not in text
    text = await noy.say("/progress")
    assert "Lessons read: 1 of 3 · Quiz questions answered: 1 of 2 (1 right)" in text
