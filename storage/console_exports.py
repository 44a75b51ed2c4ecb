"""Batches of the console's exports beyond learners and progress: course completions, listings and the
questions the FAQ did not answer. Each batch is keyed by ascending id after ``after`` (the first value of
every row), so an export walks a table in pages of ``limit`` rows and memory stays flat.

Filters as on the dashboard: the period (completed / created in it), the country and channel of the
person, and the course (completions: that course; listings and FAQ misses: people who took it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.certificates import Certificate
from storage.console import Filters
from storage.console_courses import is_learner, learner_ids
from storage.faq import FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import LessonProgress, User


def _people(f: Filters) -> Any:
    """Learners of the filters' country and channel who took the filters' course (if one is chosen)."""
    query = learner_ids(f)
    if f.course:
        query = query.where(User.id.in_(select(LessonProgress.user_id).where(LessonProgress.course_id == f.course)))
    return query


async def completion_batch(session: AsyncSession, f: Filters, now: datetime, after: int,
                           limit: int = 2000) -> Sequence[Any]:
    """(progress id, learner id, name, course, completed at, certificate code) of completed courses."""
    code = (select(Certificate.code).where(Certificate.user_id == LessonProgress.user_id,
                                           Certificate.course_id == LessonProgress.course_id,
                                           Certificate.revoked_at.is_(None))
            .order_by(Certificate.id.desc()).limit(1).correlate(LessonProgress).scalar_subquery())
    conditions: list[ColumnElement[bool]] = [LessonProgress.completed_at.is_not(None), LessonProgress.id > after,
                                             is_learner(LessonProgress.user_id, f)]
    since = f.since(now)
    if since is not None:
        conditions.append(LessonProgress.completed_at >= since)
    if f.course:
        conditions.append(LessonProgress.course_id == f.course)
    query = (select(LessonProgress.id, LessonProgress.user_id, User.name, LessonProgress.course_id,
                    LessonProgress.completed_at, code)
             .join(User, User.id == LessonProgress.user_id).where(*conditions)
             .order_by(LessonProgress.id).limit(limit))
    return (await session.execute(query)).all()


async def listing_batch(session: AsyncSession, f: Filters, now: datetime, after: int,
                        limit: int = 2000) -> Sequence[Any]:
    """(id, seller id, seller name, title, price, currency, status, created, expires) of listings."""
    conditions: list[ColumnElement[bool]] = [Listing.id > after]
    since = f.since(now)
    if since is not None:
        conditions.append(Listing.created_at >= since)
    if f.country:
        conditions.append(Listing.country == f.country)
    if f.channel or f.course:
        conditions.append(Listing.seller_id.in_(_people(Filters(None, None, f.channel, f.course))))
    query = (select(Listing.id, Listing.seller_id, User.name, Listing.name, Listing.price, Listing.currency,
                    Listing.status, Listing.created_at, Listing.expires_at)
             .join(User, User.id == Listing.seller_id).where(*conditions).order_by(Listing.id).limit(limit))
    return (await session.execute(query)).all()


async def faq_miss_batch(session: AsyncSession, f: Filters, now: datetime, after: int,
                         limit: int = 2000) -> Sequence[Any]:
    """(id, question, language, outcome, created, handed over) of questions the FAQ did not answer; handed
    over means the asker then passed that same question to a person (a ticket)."""
    handed = exists().where(FaqTicket.user_id == FaqUnanswered.user_id, FaqTicket.question == FaqUnanswered.question,
                            FaqTicket.created_at >= FaqUnanswered.created_at)
    conditions: list[ColumnElement[bool]] = [FaqUnanswered.id > after]
    since = f.since(now)
    if since is not None:
        conditions.append(FaqUnanswered.created_at >= since)
    if f.country or f.channel or f.course:
        conditions.append(FaqUnanswered.user_id.in_(_people(f)))
    query = (select(FaqUnanswered.id, FaqUnanswered.question, FaqUnanswered.language, FaqUnanswered.outcome,
                    FaqUnanswered.created_at, handed)
             .where(*conditions).order_by(FaqUnanswered.id).limit(limit))
    return [(*row[:-1], bool(row[-1])) for row in (await session.execute(query)).all()]
