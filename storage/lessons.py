"""Queries of the lessons feature: where each learner is in a course (``LessonProgress``) and their quiz
answers (``QuizAnswer``). The tables are declared in ``storage.models``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LessonProgress, QuizAnswer
from storage.raw import Loader, Sql

# On the driver (storage.raw): a learner's progress is read for nearly every message of the lessons.
# Stored quiz answers are never changed (``record_answer`` adds new ones): read-only objects, not attached.
_PROGRESS, _ANSWERS = Loader(LessonProgress), Loader(QuizAnswer, read_only=True)
_OF_USER = Sql("user_id = :user_id")
_OF_COURSE = Sql("user_id = :user_id AND course_id = :course_id")


async def progress_of(session: AsyncSession, user_id: int, course_id: str) -> LessonProgress | None:
    """This user's progress in one course (None before they start it)."""
    found = await _PROGRESS.load(session, _OF_COURSE, {"user_id": user_id, "course_id": course_id})
    return found[0] if found else None


def start_course(session: AsyncSession, user_id: int, course_id: str, now: datetime) -> LessonProgress:
    """A new progress row at the first lesson (added to the session, written on commit)."""
    progress = LessonProgress(user_id=user_id, course_id=course_id, next_lesson=0, lessons_done=0,
                              started_at=now, updated_at=now)
    session.add(progress)
    return progress


async def answers_of(session: AsyncSession, user_id: int, course_id: str) -> dict[str, QuizAnswer]:
    """This user's quiz answers in one course, by question id."""
    found = await _ANSWERS.load(session, _OF_COURSE, {"user_id": user_id, "course_id": course_id})
    return {a.question_id: a for a in found}


async def all_progress(session: AsyncSession, user_id: int) -> dict[str, LessonProgress]:
    """Every course's progress of this user, in one query (the course list and My progress)."""
    return {p.course_id: p for p in await _PROGRESS.load(session, _OF_USER, {"user_id": user_id})}


async def all_answers(session: AsyncSession, user_id: int) -> dict[str, list[QuizAnswer]]:
    """Every quiz answer of this user, by course, in one query."""
    by_course: dict[str, list[QuizAnswer]] = {}
    for a in await _ANSWERS.load(session, _OF_USER, {"user_id": user_id}):
        by_course.setdefault(a.course_id, []).append(a)
    return by_course


async def progress_of_users(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, dict[str, LessonProgress]]:
    """Every course's progress of each of these users (user id -> course id -> progress), in one query."""
    result: dict[int, dict[str, LessonProgress]] = {}
    query = select(LessonProgress).where(LessonProgress.user_id.in_(list(user_ids)))
    for p in (await session.scalars(query)).all():
        result.setdefault(p.user_id, {})[p.course_id] = p
    return result


async def restart_course(session: AsyncSession, user_id: int, course_id: str) -> None:
    """Forget this user's progress and answers in one course, so it starts again from the first lesson."""
    await session.execute(delete(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.course_id == course_id))
    await session.execute(delete(QuizAnswer).where(QuizAnswer.user_id == user_id, QuizAnswer.course_id == course_id))


def record_answer(session: AsyncSession, user_id: int, course_id: str, question_id: str, choice: int,
                  correct: bool, now: datetime) -> QuizAnswer:
    """A quiz answer (added to the session, written on commit)."""
    record = QuizAnswer(user_id=user_id, course_id=course_id, question_id=question_id, choice=choice,
                        correct=correct, answered_at=now)
    session.add(record)
    return record
