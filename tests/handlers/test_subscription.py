"""STOP / START on every channel, and linking two chats of one person with a one-time code."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.context import ManualClock
from bot.service import Service
from handlers.subscription import LOCAL_START, LOCAL_STOP, START_WORDS, STOP_WORDS
from storage.faq import FaqAnswer
from storage.links import MERGE_HOOKS, LinkCode, add_merge_hook, merge_users
from storage.models import Address, LessonProgress, QuizAnswer, User
from tests.conftest import BUNDLED_CONTENT
from tests.driver import RecordingSender, text_of, user_at
from tests.driver import User as ChatUser

# --- STOP / START -------------------------------------------------------------------------------


async def test_stop_and_start_after_onboarding(chat_user, service: Service) -> None:
    ana = chat_user()
    await ana.onboard()
    replies = await ana.say("STOP")
    assert "no more announcements" in text_of(replies) and "START" in text_of(replies)
    assert (await user_at(service, ana.address)).opted_out is True
    replies = await ana.say("Start!")
    assert "announcements again" in text_of(replies)
    assert (await user_at(service, ana.address)).opted_out is False
    await ana.say("/unsubscribe")
    assert (await user_at(service, ana.address)).opted_out is True
    await ana.say("/stop")
    assert (await user_at(service, ana.address)).opted_out is True


async def test_start_belongs_to_onboarding_unless_opted_out(chat_user, service: Service) -> None:
    ana = chat_user()
    replies = await ana.say("start")
    assert "choose your language" in text_of(replies)
    assert (await user_at(service, ana.address)).opted_out is False
    replies = await ana.say("/start")  # the command stays with onboarding / the menu
    assert "choose your language" in text_of(replies)


async def test_stop_before_onboarding_then_onboarding_still_works(chat_user, service: Service) -> None:
    ana = chat_user()
    replies = await ana.say("unsubscribe")
    assert "no more announcements" in text_of(replies)
    user = await user_at(service, ana.address)
    assert user.opted_out is True and user.onboarded is False
    replies = await ana.say("START")
    assert "announcements again" in text_of(replies) and "choose your language" in text_of(replies)
    await ana.onboard()
    assert (await user_at(service, ana.address)).onboarded is True


@pytest.mark.parametrize(("word", "language"), [
    ("ຢຸດ", "lo"), ("ឈប់", "km"), ("Dừng", "vi"), ("huỷ", "vi"), ("hủy", "vi"), ("หยุด", "th"),
    ("Berhenti", "id"), ("ရပ်", "my"), ("itigil", "fil"),
])
async def test_stop_in_the_users_language(chat_user, service: Service, word: str, language: str) -> None:
    ana = chat_user(f"terminal:{language}-{len(word)}")
    await ana.say(word)
    user = await user_at(service, ana.address)
    assert user.opted_out is True
    assert user.language == language  # the confirmation comes in the word's language


async def test_stop_works_on_telegram(service: Service, telegram: RecordingSender) -> None:
    tg = ChatUser(service, telegram, "telegram:4242", language_hint="en")
    await tg.onboard()
    replies = await tg.say("stop")
    assert "no more announcements" in text_of(replies)
    assert (await user_at(service, tg.address)).opted_out is True


async def test_a_word_inside_a_sentence_is_not_stop(chat_user, service: Service) -> None:
    ana = chat_user()
    await ana.onboard()
    await ana.say("how do I stop the dye from running")
    assert (await user_at(service, ana.address)).opted_out is False


@pytest.mark.parametrize("language", ["lo", "km", "fil", "vi", "th", "id", "ms", "my"])
async def test_stop_names_the_local_start_word_and_it_resumes(chat_user, service: Service, language: str) -> None:
    noy = chat_user(f"terminal:{language}-local", language_hint=language)
    await noy.onboard(language=language)
    assert LOCAL_STOP[language] in STOP_WORDS and LOCAL_START[language] in START_WORDS
    replies = await noy.say(LOCAL_STOP[language])
    assert "START" in text_of(replies) and LOCAL_START[language] in text_of(replies)
    assert (await user_at(service, noy.address)).opted_out is True
    replies = await noy.say(LOCAL_START[language])
    assert "STOP" in text_of(replies) and LOCAL_STOP[language] in text_of(replies)
    assert (await user_at(service, noy.address)).opted_out is False


async def test_every_start_word_resumes(chat_user, service: Service) -> None:
    ana = chat_user()
    await ana.onboard()
    for word in START_WORDS:
        await ana.say("STOP")
        await ana.say(word.upper() if word.isascii() else word)
        assert (await user_at(service, ana.address)).opted_out is False, word


@pytest.mark.parametrize("channel", ["terminal", "telegram"])
async def test_stop_replaces_the_buttons_on_screen(make_service, channel: str) -> None:
    service = await make_service(content_dir=BUNDLED_CONTENT)  # a whole FAQ
    sender = RecordingSender(channel=channel)
    service.outbox.add_sender(sender)
    ana = ChatUser(service, sender, f"{channel}:2024")
    await ana.onboard()
    replies = await ana.say("How do I register my business?")
    assert "Was this helpful?" in text_of(replies)
    vote = next(b.payload for r in replies for b in r.flat_buttons if b.label == "👍 Yes")
    menu = [b.label for r in await ana.say("menu") for b in r.flat_buttons]
    await ana.say("How do I register my business?")
    replies = await ana.say("STOP")
    assert [b.label for r in replies for b in r.flat_buttons] == menu  # the menu, no 👍/👎 under STOP
    replies = await ana.say("1")  # the first button on screen is now the menu's first, not a vote
    assert "Thank you" not in text_of(replies) and replies[-1].buttons
    async with service.db.read() as session:
        assert [a.helpful for a in (await session.scalars(select(FaqAnswer))).all()] == [None, None]  # no vote
    # An old message's 👍 (Telegram keeps it pressable) still only counts as a vote: no announcements resume.
    replies = await ana.send(payload=vote)
    assert "Thank you!" in text_of(replies) and "announcements" not in text_of(replies)
    assert (await user_at(service, ana.address)).opted_out is True


# --- linking ------------------------------------------------------------------------------------


def code_in(replies) -> str:
    match = re.search(r"link ([A-Z2-9]{6})", text_of(replies))
    assert match, text_of(replies)
    return match.group(1)


async def test_link_moves_progress_and_merges_users(chat_user, service: Service, telegram: RecordingSender) -> None:
    tg = ChatUser(service, telegram, "telegram:777", language_hint="en")
    await tg.onboard(name="Kham")
    await tg.send(payload="lesson:basics")
    await tg.press("Materials and time")
    term = chat_user("terminal:kham")
    replies = await term.say("/start")
    assert "choose your language" in text_of(replies)

    replies = await tg.send(payload="link:new")
    code = code_in(replies)
    assert "15 minutes" in text_of(replies)
    replies = await term.say(f"link {code.lower()}")  # case does not matter
    assert "now one account" in text_of(replies)
    assert "linked with another app" in text_of(tg.inbox())

    merged = await user_at(service, term.address)
    assert merged.id == (await user_at(service, tg.address)).id and merged.name == "Kham"
    async with service.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1
        assert await session.scalar(select(func.count()).select_from(LinkCode)) == 0
    replies = await term.say("/progress")
    assert "Selling basics" in text_of(replies) and "1 of 3" in text_of(replies)
    replies = await term.say(f"link {code}")  # a code works once
    assert "wrong or has expired" in text_of(replies)


async def test_link_code_rules(chat_user, service: Service, clock: ManualClock) -> None:
    ana, other = chat_user("terminal:ana"), chat_user("terminal:other")
    await ana.onboard()
    code = code_in(await ana.say("/link"))
    replies = await ana.say(f"link {code}")
    assert "same chat" in text_of(replies)
    clock.advance(minutes=16)
    replies = await other.say(f"link {code}")
    assert "wrong or has expired" in text_of(replies)
    assert (await user_at(service, other.address)).id != (await user_at(service, ana.address)).id
    replies = await ana.say("/link 12")
    assert "wrong or has expired" in text_of(replies)
    for _ in range(5):
        await other.say("link ZZZZZZ")
    fresh = code_in(await ana.say("link"))
    replies = await other.say(f"link {fresh}")
    assert "Too many wrong codes" in text_of(replies)
    clock.advance(hours=1, minutes=1)
    fresh = code_in(await ana.say("link"))
    replies = await other.say(f"link {fresh}")
    assert "now one account" in text_of(replies)


async def test_merge_keeps_the_targets_rows_and_moves_the_rest(service: Service, clock: ManualClock) -> None:
    now = clock.now()
    calls: list[tuple[int, int]] = []

    async def hook(session, source_id: int, target_id: int) -> None:
        calls.append((source_id, target_id))

    add_merge_hook(hook)
    try:
        async with service.db.transaction() as session:
            source = User(name="A", language="lo", step_data={}, menu=[], profile={"x": 1})
            target = User(name=None, role="trainer", step_data={}, menu=[], profile={"y": 2}, opted_out=True)
            session.add_all([source, target])
            await session.flush()
            session.add_all([Address(user_id=source.id, channel="terminal", address="terminal:s"),
                             Address(user_id=target.id, channel="terminal", address="terminal:t")])
            for user_id, done in ((source.id, 3), (target.id, 1)):
                session.add(LessonProgress(user_id=user_id, course_id="basics", next_lesson=done, lessons_done=done,
                                           started_at=now, updated_at=now))
            session.add(LessonProgress(user_id=source.id, course_id="other", next_lesson=1, lessons_done=1,
                                       started_at=now, updated_at=now))
            session.add_all([
                QuizAnswer(user_id=source.id, course_id="basics", question_id="q1", choice=0, correct=True,
                           answered_at=now),
                QuizAnswer(user_id=source.id, course_id="basics", question_id="q2", choice=0, correct=True,
                           answered_at=now),
                QuizAnswer(user_id=target.id, course_id="basics", question_id="q1", choice=1, correct=False,
                           answered_at=now),
            ])
            await session.flush()
            ids = (source.id, target.id)
            await merge_users(session, *ids)
        assert calls == [ids]
        async with service.db.read() as session:
            user = await session.get(User, ids[1])
            assert user is not None and await session.get(User, ids[0]) is None
            assert (user.name, user.language, user.role, user.opted_out) == ("A", "lo", "trainer", True)
            assert user.profile == {"x": 1, "y": 2}
            assert sorted(a.address for a in user.addresses) == ["terminal:s", "terminal:t"]
            progress = {p.course_id: p.lessons_done for p in (await session.scalars(select(LessonProgress))).all()}
            assert progress == {"basics": 1, "other": 1}
            answers = {(a.question_id, a.correct) for a in (await session.scalars(select(QuizAnswer))).all()}
            assert answers == {("q1", False), ("q2", True)}
    finally:
        MERGE_HOOKS.remove(hook)
