"""A whole journey in Lao and in Khmer: onboarding with the language hint, a lesson and its quiz from the
bundled content, /progress; and the same in the terminal chat, in Khmer. No English UI string may leak."""

from __future__ import annotations

import io
import re

import pytest

from bot.channels.terminal import chat
from bot.i18n import LANGUAGES, Translator
from bot.i18n_tools.catalogs import extract_template
from bot.service import Service
from bot.types import Reply
from content import load_library
from tests.conftest import BUNDLED_CONTENT, TEST_CONTENT
from tests.driver import RecordingSender, User, text_of

CONTENT = BUNDLED_CONTENT if any((BUNDLED_CONTENT / "courses").glob("*.yaml")) else TEST_CONTENT
SCRIPT = {"lo": (0x0E80, 0x0EFF), "km": (0x1780, 0x17FF)}
NAMES = {"lo": "ນ້ອຍ", "km": "សុខា"}


def _english_ui() -> tuple[list[str], set[str]]:
    """English phrases (2+ words, between placeholders) and single-word UI strings of the catalog."""
    phrases, words = set(), set()
    for message in extract_template():
        if not message.id:
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            for chunk in re.split(r"\{[^}]*\}", msgid):
                chunk = chunk.strip(" .:,!?()\n“”")
                if len(chunk.split()) >= 2:
                    phrases.add(chunk)
                elif re.fullmatch(r"[A-Za-z]{3,}", chunk):
                    words.add(chunk)
    return sorted(phrases, key=len, reverse=True), words


ENGLISH_PHRASES, ENGLISH_WORDS = _english_ui()


def assert_no_english(replies: list[Reply]) -> None:
    for reply in replies:
        shown = [reply.text, reply.title or "", *(b.label for b in reply.flat_buttons)]
        for text in shown:
            leaked = [p for p in ENGLISH_PHRASES if p in text]
            assert not leaked, f"English UI text leaked: {leaked[:3]} in {text!r}"
            assert text.strip() not in ENGLISH_WORDS, f"English UI word leaked: {text!r}"


def in_script(text: str, lang: str) -> bool:
    low, high = SCRIPT[lang]
    return any(low <= ord(c) <= high for c in text)


def labels(replies: list[Reply]) -> list[str]:
    return [b.label for r in replies for b in r.flat_buttons]


@pytest.fixture
def library():
    library, problems = load_library(CONTENT)
    assert not problems
    return library


@pytest.mark.parametrize("lang", ["lo", "km"])
async def test_whole_journey_through_the_chat_driver(lang, make_service, library):
    service = await make_service(content_dir=CONTENT)
    recorder = RecordingSender()
    service.outbox.add_sender(recorder)
    t = Translator(lang)
    user = User(service, recorder, f"terminal:{lang}-learner", language_hint=lang)
    seen: list[Reply] = []

    # Onboarding: the hint writes the welcome in Lao/Khmer and puts that language first.
    replies = await user.say("/start")
    seen += replies
    assert t.gettext("Welcome! Please choose your language.") in text_of(replies)
    assert labels(replies)[0] == LANGUAGES[lang].native_name
    assert set(labels(replies)) == {language.native_name for language in LANGUAGES.values()}
    replies = await user.press(LANGUAGES[lang].native_name)
    seen += replies
    assert t.gettext("What is your name?") in text_of(replies)
    replies = await user.say(NAMES[lang])
    seen += replies
    assert t.gettext("Thank you, {name}. What is your craft?", name=NAMES[lang]) in text_of(replies)
    replies = await user.press(t.gettext("Weaving and textiles"))
    seen += replies
    assert t.gettext("Which country do you work in?") in text_of(replies)
    country = "LA" if lang == "lo" else "KH"
    replies = await user.press(str(t.locale.territories[country]))
    seen += replies
    replies = await user.press(t.gettext("Skip"))  # the two optional questions
    seen += replies
    replies = await user.press(t.gettext("Skip"))
    seen += replies
    assert t.gettext("All set, {name}! Take a short course, sell your work in the marketplace, or ask a "
                     "question.", name=NAMES[lang]) in text_of(replies)
    assert t.gettext("Courses") in labels(replies)

    # A course of the content library, in the learner's language.
    course = library.ordered_courses()[0]
    lesson = course.lessons[0]
    assert lang in course.title and lang in lesson.text, "the content has no translation to test with"
    replies = await user.press(t.gettext("Courses"))
    seen += replies
    assert course.title[lang] in text_of(replies)
    replies = await user.press(course.title[lang][:40])
    seen += replies
    replies = await user.press(t.gettext("Start"))
    seen += replies
    shown = text_of(replies)
    assert t.gettext("Lesson {number} of {total}", number=1, total=len(course.lessons)) in shown
    assert lesson.text[lang][:60] in shown
    assert t.gettext("(Not translated into your language yet, so here it is in English.)") not in shown

    # The quiz: a right answer, then (if there is another question) a wrong one.
    assert lesson.quiz, "the first lesson has no quiz"
    question = lesson.quiz[0]
    assert question.question[lang] in text_of(replies)
    right = question.choices[question.correct_index]
    replies = await user.press(right.text[lang][:60])
    seen += replies
    assert text_of(replies).strip().startswith("✅ " + right.feedback[lang])  # the verdict once (#22 item 9)
    if len(lesson.quiz) > 1:
        second = lesson.quiz[1]
        wrong = next(c for c in second.choices if not c.correct)
        replies = await user.press(wrong.text[lang][:60])
        seen += replies
        assert text_of(replies).strip().startswith("❌ " + (wrong.feedback or {}).get(lang, ""))
        assert t.gettext("The right answer: {answer}", answer=second.choices[second.correct_index].text[lang]) \
            in text_of(replies)

    # /progress in the learner's language.
    replies = await user.say("/progress")
    seen += replies
    shown = text_of(replies)
    assert t.gettext("My progress") in shown
    assert course.title[lang] in shown
    assert t.gettext("Lessons read: {read} of {total}", read=1, total=len(course.lessons)) in shown \
        or t.gettext("completed") in shown

    assert_no_english(seen)
    assert all(in_script(r.text or r.title or "", lang) for r in seen if (r.text or r.title))


async def test_whole_journey_in_the_terminal_chat_in_khmer(settings, clock, library):
    service = Service(settings.replace(content_dir=CONTENT), clock=clock)
    t = Translator("km")
    course = library.ordered_courses()[0]
    lesson = course.lessons[0]
    question = lesson.quiz[0]
    right_number = question.correct_index + 1
    lines = [
        LANGUAGES["km"].native_name,  # typed button words (the terminal has no language hint)
        NAMES["km"],
        t.gettext("Weaving and textiles"),
        str(t.locale.territories["KH"]),
        t.gettext("Skip"),
        t.gettext("Skip"),
        t.gettext("Courses"),
        course.title["km"][:40],
        t.gettext("Start"),
        str(right_number),  # a typed number presses that quiz button
        "/progress",
    ]
    out = io.StringIO()
    await chat(service, address="terminal:sokha", stdin=io.StringIO("\n".join(lines) + "\n"), out=out)
    transcript = out.getvalue()
    bot_lines = "\n".join(part.split("\nyou> ")[0] for part in transcript.split("\nbot> ")[1:])

    assert t.gettext("What is your name?") in transcript
    assert t.gettext("Thank you, {name}. What is your craft?", name=NAMES["km"]) in transcript
    assert t.gettext("Lesson {number} of {total}", number=1, total=len(course.lessons)) in transcript
    assert lesson.text["km"].splitlines()[0] in transcript
    assert question.question["km"] in transcript
    assert "✅ " + question.choices[question.correct_index].feedback["km"] in transcript  # the verdict once
    assert t.gettext("My progress") in transcript and course.title["km"] in transcript
    # After choosing Khmer, the bot says nothing in English.
    after_choice = bot_lines.split(t.gettext("What is your name?"), 1)[1]
    leaked = [p for p in ENGLISH_PHRASES if p in after_choice]
    assert not leaked, leaked[:3]
