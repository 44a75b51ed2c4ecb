"""Course analytics: the lesson funnel, completion time, certificates, review items and per-question answers
against a hand-made course and hand-made learners; and a course taken by chat, seen on the console."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.console.courses import funnel, question_stats
from bot.service import Service
from content import load_library
from storage.certificates import issue_certificate, revoke_certificate
from storage.console import Filters
from storage.console_courses import (
    answered_all,
    choice_counts,
    course_totals,
    lessons_reached,
    median_completions,
    review_by_question,
)
from storage.models import Address, LessonProgress, QuizAnswer, Role, User
from storage.review import ReviewItem
from tests.conftest import TEST_CONTENT
from tests.console.conftest import Person, user_id_of
from tests.console.test_security import session_cookie

COURSE = """\
id: weave
order: 1
title: {en: Natural dyes, lo: ສີທຳມະຊາດ}
summary: {en: "Dyes, looms and selling."}
lessons:
  - id: dyes
    title: {en: Dyes}
    text: {en: "Indigo, lac and ebony give lasting colours."}
    quiz:
      - id: qa
        question: {en: "Which dye gives blue?"}
        choices:
          - {text: {en: Indigo}, correct: true, feedback: {en: Yes.}}
          - {text: {en: Lac, lo: ຄັ່ງ}, feedback: {en: Lac gives red.}}
          - {text: {en: Ebony}, feedback: {en: Ebony gives black.}}
  - id: looms
    title: {en: Looms}
    text: {en: "A floor loom weaves wider cloth."}
  - id: selling
    title: {en: Selling}
    text: {en: "Tell buyers who made the piece."}
    quiz:
      - id: qb
        question: {en: "What makes a buyer pay more?"}
        choices:
          - {text: {en: The maker's story}, correct: true, feedback: {en: Yes.}}
          - {text: {en: A lower price}, feedback: {en: No.}}
          - {text: {en: Plastic bags}, feedback: {en: No.}}
      - id: qc
        question: {en: "Should you write your name on the label?"}
        choices:
          - {text: {en: "Yes"}, correct: true, feedback: {en: Right.}}
          - {text: {en: "No"}, feedback: {en: It helps buyers.}}
"""

# name, country, channel, lessons shown, started days ago, days to complete (None: not completed), answers
LEARNERS = [
    ("A", "LA", "telegram", 3, 10, 2, {"qa": 1, "qb": 0, "qc": 0}),
    ("B", "LA", "telegram", 3, 10, 4, {"qa": 0, "qb": 2, "qc": 0}),
    ("C", "LA", "whatsapp", 3, 10, None, {"qa": 1, "qb": 1}),
    ("D", "LA", "telegram", 2, 5, None, {"qa": 2}),
    ("E", "LA", "telegram", 1, 5, None, {}),
    ("F", "KH", "whatsapp", 1, 100, None, {"qa": 1}),
]
RIGHT = {"qa": 0, "qb": 0, "qc": 0}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "courses").mkdir(parents=True)
    (root / "courses" / "weave.yaml").write_text(COURSE, encoding="utf-8")
    return root


@pytest.fixture
async def service(make_service: Callable[..., Awaitable[Service]], content: Path) -> Service:
    return await make_service(public_url=None, content_dir=content)


async def seed(service: Service) -> dict[str, int]:
    now = service.clock.now()
    ids: dict[str, int] = {}
    async with service.db.transaction() as session:
        for name, country, channel, shown, started, took, answers in LEARNERS:
            user = User(name=name, country=country, language="en", onboarded=True, created_at=now - timedelta(days=200))
            session.add(user)
            await session.flush()
            ids[name] = user.id
            session.add(Address(user_id=user.id, channel=channel, address=f"{channel}:{name.lower()}"))
            begun = now - timedelta(days=started)
            session.add(LessonProgress(user_id=user.id, course_id="weave", next_lesson=shown, lessons_done=shown,
                                       started_at=begun, updated_at=begun,
                                       completed_at=begun + timedelta(days=took) if took else None))
            for question, choice in answers.items():
                session.add(QuizAnswer(user_id=user.id, course_id="weave", question_id=question, choice=choice,
                                       correct=choice == RIGHT[question], answered_at=begun))
        trainer = User(name="Tina", role=Role.TRAINER, onboarded=True, created_at=now)
        session.add(trainer)
        await session.flush()
        ids["Tina"] = trainer.id  # a trainer trying the course is not a learner: never counted
        session.add(LessonProgress(user_id=trainer.id, course_id="weave", lessons_done=3, started_at=now,
                                   completed_at=now))
        session.add(QuizAnswer(user_id=trainer.id, course_id="weave", question_id="qa", choice=2, correct=False,
                               answered_at=now))
        for name, question, box in (("A", "qa", 1), ("C", "qa", 5), ("C", "qb", 2), ("F", "qa", 6)):
            session.add(ReviewItem(user_id=ids[name], course_id="weave", question_id=question, box=box, due_at=now,
                                   reviews=0, created_at=now, updated_at=now))
        issued = {holder: await issue_certificate(session, user_id=ids[holder], course_id="weave", name=holder,
                                                  course_title="Natural dyes", language="en", issuer="Hub", now=now)
                  for holder in ("A", "B", "C", "F")}
        await revoke_certificate(session, issued["C"].code, "copied", now)  # revoked: not counted
        issued["F"].user_id, issued["F"].name = None, None  # as a forgotten learner's: an anonymous count
    return ids


async def test_funnel_numbers_from_the_database(service: Service) -> None:
    await seed(service)
    course = load_library(service.settings.content_dir)[0].courses["weave"]
    now = service.clock.now()
    everyone = Filters(days=None)
    async with service.db.read() as session:
        reached = await lessons_reached(session, everyone, now, "weave")
        both = await answered_all(session, everyone, now, "weave", ["qb", "qc"])
        counts = await choice_counts(session, everyone, now, "weave")
    assert reached == {3: (3, 2), 2: (1, 0), 1: (2, 0)}
    assert both == 2
    steps = funnel(course, "en", reached, {0: 5, 2: both})
    assert [(s.number, s.started, s.completed, s.stopped) for s in steps] == [(1, 6, 5, 2), (2, 4, 3, 1), (3, 3, 2, 1)]
    stats = {q.id: q for q in question_stats(course, "en", counts, {})}
    qa = stats["qa"]
    assert (qa.answers, qa.correct, qa.wrong_text, qa.wrong_count) == (5, 1, "Lac", 3)
    assert (stats["qb"].answers, stats["qb"].correct, stats["qb"].wrong_text) == (3, 1, "A lower price")  # a tie: first
    assert (stats["qc"].answers, stats["qc"].correct, stats["qc"].wrong_text) == (2, 2, None)
    lao = {q.id: q for q in question_stats(course, "lo", counts, {})}
    assert lao["qa"].wrong_text == "ຄັ່ງ" and lao["qb"].wrong_text == "A lower price"  # Lao where the content has it


async def test_totals_median_reviews_and_filters(service: Service) -> None:
    ids = await seed(service)
    now = service.clock.now()
    async with service.db.transaction() as session:  # an odd number of completions in another course
        for name, days in (("A", 1), ("B", 9), ("C", 5)):
            session.add(LessonProgress(user_id=ids[name], course_id="other", lessons_done=1, started_at=now,
                                       completed_at=now + timedelta(days=days)))
    async with service.db.read() as session:
        totals = (await course_totals(session, Filters(days=None), now))["weave"]
        median = await median_completions(session, Filters(days=None), now)
        one = await median_completions(session, Filters(days=None), now, "weave")
        laos_median = await median_completions(session, Filters(days=None, country="LA", channel="telegram"), now)
        laos = (await course_totals(session, Filters(days=None, country="LA"), now))["weave"]
        month = (await course_totals(session, Filters(days=30), now))["weave"]
        telegram = (await course_totals(session, Filters(days=None, channel="telegram"), now))["weave"]
        review = await review_by_question(session, Filters(days=None), now, "weave")
    assert (totals.started, totals.completed, totals.certificates) == (6, 2, 3)  # C's revoked; one anonymous
    assert (totals.in_review, totals.mastered) == (2, 2)
    assert median == pytest.approx({"weave": 3 * 86400, "other": 5 * 86400})  # A took 2 days, B 4; 1, 5, 9
    assert one == pytest.approx({"weave": 3 * 86400})
    assert laos_median == pytest.approx({"weave": 3 * 86400, "other": 5 * 86400})
    assert (laos.started, laos.completed, laos.certificates, laos.in_review, laos.mastered) == (5, 2, 2, 2, 1)
    assert month.started == 5  # F started 100 days ago
    assert (telegram.started, telegram.completed) == (4, 2)
    assert review == {"qa": (1, 2), "qb": (1, 0)}


def row(body: str, row_id: str) -> list[str]:
    found = re.search(rf'<tr id="{row_id}">(.*?)</tr>', body, re.S)
    assert found, row_id
    return re.findall(r'<td class="num">([^<]*)</td>', found.group(1))


async def test_course_pages(console: TestClient, service: Service) -> None:
    ids = await seed(service)
    cookie, _ = await session_cookie(service, ids["Tina"])
    headers = {"Cookie": cookie}
    listing = await (await console.get("/admin/courses?period=all", headers=headers)).text()
    assert "Natural dyes" in listing and "<svg" in listing and "<script" not in listing
    assert row(listing, "course-weave")[:2] == ["6", "2"]
    assert 'href="/admin/courses/weave?period=all"' in listing and "/admin/export/completions.csv?period=all" in listing
    body = await (await console.get("/admin/courses/weave?period=all", headers=headers)).text()
    assert 'id="started">6<' in body and 'id="completed">2<' in body and 'id="certificates">3<' in body
    assert "3 days" in body  # the median
    assert row(body, "lesson-1") == ["6", "5", "2"] and row(body, "lesson-3") == ["3", "2", "1"]
    qa = re.search(r'<tr id="question-qa">(.*?)</tr>', body, re.S)
    assert qa and "20%" in qa.group(1) and "Lac <small>(3)</small>" in qa.group(1)
    laos = await (await console.get("/admin/courses/weave?period=all&country=LA&lang=lo", headers=headers)).text()
    assert 'value="LA" selected' in laos and "ຄັ່ງ" in laos and "ສີທຳມະຊາດ" in laos
    assert row(laos, "lesson-1") == ["5", "4", "1"]
    default = await (await console.get("/admin/courses/weave", headers=headers)).text()
    assert 'id="started">5<' in default  # the last 30 days: F started 100 days ago
    gone = await console.get("/admin/courses/no-such-course", headers=headers, allow_redirects=False)
    assert gone.status == 303 and gone.headers["Location"] == "/admin/courses"
    menu = await (await console.get("/admin", headers=headers)).text()
    assert 'href="/admin/courses"' in menu


async def test_course_taken_by_chat_shows_on_the_console(person: Person, console: TestClient,
                                                         service: Service) -> None:
    assert service.settings.content_dir != TEST_CONTENT
    noy = await person("terminal:noy", name="Noy")
    kham = await person("terminal:kham", name="Kham")
    for payload in ("lesson:weave", "quiz:weave:qa:2", "lesson:weave", "lesson:weave", "quiz:weave:qb:0",
                    "quiz:weave:qc:1", "lesson:weave"):
        await noy.send(payload=payload)
    for payload in ("lesson:weave", "quiz:weave:qa:2"):
        await kham.send(payload=payload)
    trainer = await person("terminal:tina", Role.TRAINER)
    cookie, _ = await session_cookie(service, await user_id_of(service, trainer.address))
    body = await (await console.get("/admin/courses/weave", headers={"Cookie": cookie})).text()
    assert 'id="started">2<' in body and 'id="completed">1<' in body and 'id="certificates">1<' in body
    assert row(body, "lesson-1") == ["2", "2", "1"] and row(body, "lesson-2") == ["1", "1", "0"]
    assert row(body, "lesson-3") == ["1", "1", "0"]
    qa = re.search(r'<tr id="question-qa">(.*?)</tr>', body, re.S)
    assert qa and "Ebony <small>(2)</small>" in qa.group(1)
    assert row(body, "question-qa")[-2:] == ["2", "0"]  # both in review, none mastered yet
    assert 'id="in-review">3<' in body  # qa twice and qc once
