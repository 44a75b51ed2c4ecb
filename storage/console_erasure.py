"""What erasing one person would touch, counted for the console's confirmation page. The erasure itself is
``storage.privacy.forget_user`` (the one implementation, shared with the chat's ``/forget``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.certificates import Certificate
from storage.faq import FaqTicket
from storage.market import Listing
from storage.models import Address, LessonProgress, Outbox, OutboxStatus, QuizAnswer
from storage.review import ReviewItem

WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.HELD)


@dataclass(frozen=True)
class ErasurePreview:
    addresses: int
    progress: int
    answers: int
    reviews: int
    listings: int
    tickets: int
    waiting_messages: int  # not sent yet: cancelled by the erasure
    certificates: int  # kept only as anonymous counts


async def erasure_preview(session: AsyncSession, user_id: int) -> ErasurePreview:
    async def count(query: Any) -> int:
        return int(await session.scalar(query) or 0)

    addresses = list((await session.scalars(select(Address.address).where(Address.user_id == user_id))).all())
    mine = or_(Outbox.user_id == user_id, Outbox.address.in_(addresses)) if addresses else Outbox.user_id == user_id
    return ErasurePreview(
        addresses=len(addresses),
        progress=await count(select(func.count()).where(LessonProgress.user_id == user_id)),
        answers=await count(select(func.count()).where(QuizAnswer.user_id == user_id)),
        reviews=await count(select(func.count()).where(ReviewItem.user_id == user_id)),
        listings=await count(select(func.count()).where(Listing.seller_id == user_id)),
        tickets=await count(select(func.count()).where(FaqTicket.user_id == user_id)),
        waiting_messages=await count(select(func.count()).where(mine, Outbox.status.in_(WAITING))),
        certificates=await count(select(func.count()).where(Certificate.user_id == user_id)),
    )
