"""Spaced review (Leitner): every quiz question a learner got wrong, in a box from 1 to 5.

A question is due ``INTERVALS[box]`` days after it was last answered; right moves it up a box (right in box
5 retires it: ``MASTERED_BOX``), wrong back to box 1. Mastered means box 5 or retired.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, User

INTERVALS = {1: 1, 2: 3, 3: 7, 4: 14, 5: 30}  # box -> days until it is asked again
TOP_BOX = 5
RETIRED_BOX = 6  # answered right in box 5: never asked again


class ReviewItem(Base):
    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "question_id"),
                      Index("ix_review_items_due", "user_id", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(40))
    question_id: Mapped[str] = mapped_column(String(40))
    box: Mapped[int] = mapped_column(Integer, default=1)
    due_at: Mapped[datetime]
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def due_after(box: int, now: datetime) -> datetime:
    return now + timedelta(days=INTERVALS.get(box, INTERVALS[TOP_BOX]))


async def review_item(session: AsyncSession, user_id: int, course_id: str, question_id: str) -> ReviewItem | None:
    query = select(ReviewItem).where(ReviewItem.user_id == user_id, ReviewItem.course_id == course_id,
                                     ReviewItem.question_id == question_id)
    return (await session.scalars(query)).first()


async def schedule_wrong(session: AsyncSession, user_id: int, course_id: str, question_id: str,
                         now: datetime) -> ReviewItem:
    """A wrong answer (in a lesson's quiz or a review): the question goes (back) to box 1, due in a day."""
    item = await review_item(session, user_id, course_id, question_id)
    if item is None:
        item = ReviewItem(user_id=user_id, course_id=course_id, question_id=question_id, reviews=0, created_at=now)
        session.add(item)
    item.box, item.due_at, item.updated_at = 1, due_after(1, now), now
    return item


def record_review(item: ReviewItem, correct: bool, now: datetime) -> None:
    """A review answer: right moves the question up a box (retired after box 5), wrong back to box 1."""
    item.reviews = (item.reviews or 0) + 1
    item.box = min(item.box + 1, RETIRED_BOX) if correct else 1
    item.due_at = due_after(item.box, now)
    item.updated_at = now


async def due_items(session: AsyncSession, user_id: int, now: datetime, limit: int = 50) -> list[ReviewItem]:
    """This learner's questions due now, the longest waiting first."""
    query = (select(ReviewItem).where(ReviewItem.user_id == user_id, ReviewItem.box < RETIRED_BOX,
                                      ReviewItem.due_at <= now)
             .order_by(ReviewItem.due_at, ReviewItem.id).limit(limit))
    return list((await session.scalars(query)).all())


async def due_count(session: AsyncSession, user_id: int, now: datetime) -> int:
    query = select(func.count()).select_from(ReviewItem).where(
        ReviewItem.user_id == user_id, ReviewItem.box < RETIRED_BOX, ReviewItem.due_at <= now)
    return int((await session.scalar(query)) or 0)


async def review_counts(session: AsyncSession, user_id: int) -> dict[str, tuple[int, int]]:
    """Per course: (questions in review, mastered = in box 5 or retired)."""
    query = select(ReviewItem.course_id, ReviewItem.box).where(ReviewItem.user_id == user_id)
    counts: dict[str, tuple[int, int]] = {}
    for course_id, box in (await session.execute(query)).all():
        total, mastered = counts.get(course_id, (0, 0))
        counts[course_id] = (total + 1, mastered + (box >= TOP_BOX))
    return counts


async def review_totals(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """Per course, over all learners: (questions in review, mastered), for the trainer console."""
    query = (select(ReviewItem.course_id, func.count(), func.sum(func.cast(ReviewItem.box >= TOP_BOX, Integer)))
             .group_by(ReviewItem.course_id))
    return {course: (int(n), int(m or 0)) for course, n, m in (await session.execute(query)).all()}


async def due_counts(session: AsyncSession, user_ids: list[int], now: datetime) -> dict[int, int]:
    """How many questions each of these users has due now (users with none are left out), in one query."""
    query = (select(ReviewItem.user_id, func.count()).where(
        ReviewItem.user_id.in_(user_ids), ReviewItem.box < RETIRED_BOX, ReviewItem.due_at <= now)
        .group_by(ReviewItem.user_id))
    return {user_id: int(n) for user_id, n in (await session.execute(query)).all()}


HINT = "review_due"  # in User.profile: when this user's first review falls due (ISO), for the menu


async def refresh_due_hint(session: AsyncSession, user: User) -> None:
    """Note on the user when their next question falls due, so the menu can show "Review" without a query."""
    query = select(func.min(ReviewItem.due_at)).where(ReviewItem.user_id == user.id, ReviewItem.box < RETIRED_BOX)
    earliest = await session.scalar(query)
    profile = dict(user.profile or {})
    if earliest is None:
        profile.pop(HINT, None)
    else:
        profile[HINT] = earliest.isoformat()
    user.profile = profile


def review_due(user: User, now: datetime) -> bool:
    """Whether the hint says something is due (cheap: no query)."""
    hint = (user.profile or {}).get(HINT)
    if not isinstance(hint, str):
        return False
    try:
        return datetime.fromisoformat(hint) <= now
    except ValueError:
        return False
