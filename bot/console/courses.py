"""``/admin/courses``: per course of the content library, the learners who started and completed it, the
median time to complete, certificates issued and spaced-review questions; ``/admin/courses/{id}``: the
lesson funnel (started → completed per lesson: where people drop off) and per quiz question the share
answering correctly and the most chosen wrong answer, so a trainer sees which lesson or question to rewrite.

Numbers are for the *cohort*: learners of the chosen country and channel who started the course in the
period (``storage.console_courses``). Charts are SVG drawn by the template, each with its numbers as a table.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from babel.dates import format_timedelta

from bot.console.auth import CONSOLE, TRAINER, page
from bot.console.library import console_library
from bot.console.render import PERIODS, add_nav, filter_query, filters, language, render, texts
from bot.console.texts import Texts
from content import Course, Library
from storage import console_courses as queries
from storage.console import filter_choices
from storage.console_courses import ChoiceCount, CourseNumbers

add_nav("/courses", "courses_page", TRAINER, 25)


async def library(request: web.Request) -> Library:
    """The content library the service runs (``CONTENT_DIR``), read once per process (in a thread)."""
    return await asyncio.to_thread(console_library, request.app[CONSOLE].settings)


@dataclass(frozen=True)
class LessonStep:
    """One lesson of the funnel: learners it was shown to, who completed it, whose furthest step it is."""

    number: int
    title: str
    started: int
    completed: int
    stopped: int  # got this far and no further (course not completed)


@dataclass(frozen=True)
class QuestionStats:
    lesson: int
    id: str
    text: str
    answers: int
    correct: int
    wrong_text: str | None  # the most chosen wrong answer
    wrong_count: int
    in_review: int
    mastered: int

    @property
    def share(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


def funnel(course: Course, lang: str, reached: dict[int, tuple[int, int]],
           completed_quiz: dict[int, int]) -> list[LessonStep]:
    """Per lesson: started = shown (``lessons_done`` ≥ its number); completed = its quiz answered (every
    question), or for a lesson without a quiz, went on to the next lesson or completed the course."""
    last = len(course.lessons)
    shown = {min(n, last): (0, 0) for n in reached}
    for n, (people, done) in reached.items():  # a course made shorter since: count them at its end
        p, d = shown.get(min(n, last), (0, 0))
        shown[min(n, last)] = (p + people, d + done)
    steps: list[LessonStep] = []
    for i, lesson in enumerate(course.lessons):
        started = sum(people for n, (people, _) in shown.items() if n >= i + 1)
        if lesson.quiz:
            completed = completed_quiz.get(i, 0)
        else:
            completed = (sum(people for n, (people, _) in shown.items() if n >= i + 2)
                         + shown.get(i + 1, (0, 0))[1])
        people, done = shown.get(i + 1, (0, 0))
        steps.append(LessonStep(i + 1, lesson.title.in_(lang), started, min(completed, started), people - done))
    return steps


def question_stats(course: Course, lang: str, counts: list[ChoiceCount],
                   review: dict[str, tuple[int, int]]) -> list[QuestionStats]:
    """Per quiz question: answers, right ones, the wrong choice picked most (its text in ``lang`` or English)."""
    by_question: dict[str, list[ChoiceCount]] = {}
    for row in counts:
        by_question.setdefault(row.question_id, []).append(row)
    stats: list[QuestionStats] = []
    for index, lesson in enumerate(course.lessons):
        for question in lesson.quiz:
            rows = by_question.get(question.id, [])
            wrong = sorted((r for r in rows if not r.correct), key=lambda r: (-r.count, r.choice))
            top = wrong[0] if wrong else None
            text = None
            if top is not None:
                text = (question.choices[top.choice].text.in_(lang) if 0 <= top.choice < len(question.choices)
                        else f"#{top.choice + 1}")
            learning, mastered = review.get(question.id, (0, 0))
            stats.append(QuestionStats(index + 1, question.id, question.question.in_(lang),
                                       sum(r.count for r in rows), sum(r.count for r in rows if r.correct),
                                       text, top.count if top else 0, learning, mastered))
    return stats


def duration(t: Texts, seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return format_timedelta(timedelta(seconds=seconds), threshold=1.5, locale=t.t.locale)


def pairs(rows: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """Rows for the two-bar chart: label, first and second value, and their shares of the largest."""
    top = max((max(a, b) for _, a, b in rows), default=0) or 1
    return [{"label": label, "a": a, "b": b, "share_a": a / top, "share_b": b / top} for label, a, b in rows]


def _period(request: web.Request) -> str:
    return request.query.get("period", "30") if request.query.get("period") in PERIODS else "30"


@page("GET", "/courses", TRAINER)
async def courses(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    f, t, lang, lib = filters(request), texts(request), language(request), await library(request)
    now = console.clock.now()
    async with console.db.read() as session:
        totals = await queries.course_totals(session, f, now)
        completed = {c: n.completed for c, n in totals.items()}  # the medians' middle positions
        medians = await queries.median_completions(session, f, now, completed=completed)
        choices = await filter_choices(session, list(lib.courses))
    rows: list[dict[str, Any]] = []
    known = lib.ordered_courses()
    for course_id, title, in_library in [*((c.id, c.title.in_(lang), True) for c in known),
                                         *((c, c, False) for c in sorted(set(totals) - set(lib.courses)))]:
        n = totals.get(course_id, CourseNumbers())
        rows.append({"id": course_id, "title": title, "in_library": in_library, "n": n,
                     "rate": n.completed / n.started if n.started else 0.0,
                     "median": duration(t, medians.get(course_id))})
    chart = pairs([(row["title"], row["n"].started, row["n"].completed) for row in rows])
    return render(request, "courses.html", rows=rows, chart=chart, f=f, choices=choices,
                  query=filter_query(request), period=_period(request))


@page("GET", "/courses/{id}", TRAINER)
async def course_page(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    lib = await library(request)
    course = lib.courses.get(request.match_info["id"])
    if course is None:  # not (or no longer) in the library: back to the list
        raise web.HTTPSeeOther("/admin/courses")
    f, t, lang = filters(request), texts(request), language(request)
    now = console.clock.now()
    async with console.db.read() as session:
        n = (await queries.course_totals(session, f, now, course.id)).get(course.id, CourseNumbers())
        median = (await queries.median_completions(session, f, now, course.id, {course.id: n.completed})).get(
            course.id)
        reached = await queries.lessons_reached(session, f, now, course.id)
        counts = await queries.choice_counts(session, f, now, course.id)
        review = await queries.review_by_question(session, f, now, course.id)
        answered = {q.id: 0 for q in course.questions}
        for row in counts:
            answered[row.question_id] = answered.get(row.question_id, 0) + row.count
        completed_quiz = {}
        for i, lesson in enumerate(course.lessons):
            ids = [q.id for q in lesson.quiz]
            if len(ids) == 1:
                completed_quiz[i] = answered.get(ids[0], 0)
            elif ids:
                completed_quiz[i] = await queries.answered_all(session, f, now, course.id, ids)
        choices = await filter_choices(session, list(lib.courses))
    steps = funnel(course, lang, reached, completed_quiz)
    chart = pairs([(f"{s.number}. {s.title}", s.started, s.completed) for s in steps])
    query = filter_query(request)
    return render(request, "course.html", course_id=course.id, title=course.title.in_(lang), n=n,
                  rate=n.completed / n.started if n.started else 0.0, median=duration(t, median), steps=steps,
                  chart=chart, questions=question_stats(course, lang, counts, review), f=f, choices=choices,
                  query=query, export_query={**query, "course": course.id}, period=_period(request))
