"""The console's view of announcements: the list, an audience's breakdown before sending (who it reaches,
on which channel, how many are outside WhatsApp's 24-hour window or opted out, in which languages) and the
messages that failed. The audience itself is ``storage.announcements.audience_conditions``; the delivery
funnel is ``storage.announcements.broadcast_stats``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.announcements import Broadcast, BroadcastStatus, addresses_by_user, audience_conditions, reachable
from storage.models import Outbox, OutboxStatus, User

WHATSAPP_WINDOW = timedelta(hours=24)
BREAKDOWN_BATCH = 1000


@dataclass
class Breakdown:
    """Who an audience reaches now."""

    reach: int = 0  # will get an outbox row (not opted out, an address that did not block the bot)
    opted_out: int = 0
    unreachable: int = 0  # every address blocked the bot
    outside_window: int = 0  # of ``reach``: WhatsApp, last wrote over 24 hours ago (a template, or held)
    channels: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)  # of ``reach``, by language ("" unknown)


async def audience_breakdown(session: AsyncSession, audience: dict[str, Any], author_id: int | None,
                             now: datetime) -> Breakdown:
    """The audience as the broadcasts job would expand it now (same conditions, same address choice)."""
    out = Breakdown()
    conds = audience_conditions(audience, author_id, now)
    after = 0
    while True:
        people = (await session.execute(
            select(User.id, User.language, User.opted_out).where(*conds, User.id > after)
            .order_by(User.id).limit(BREAKDOWN_BATCH))).all()
        if not people:
            return out
        after = people[-1].id
        addresses = await addresses_by_user(session, [p.id for p in people if not p.opted_out])
        for person in people:
            if person.opted_out:
                out.opted_out += 1
                continue
            address = reachable(addresses.get(person.id, []))
            if address is None:
                out.unreachable += 1
                continue
            out.reach += 1
            out.channels[address.channel] += 1
            out.languages[person.language or ""] += 1
            if address.channel == "whatsapp" and (address.last_inbound_at is None
                                                  or now - address.last_inbound_at >= WHATSAPP_WINDOW):
                out.outside_window += 1


async def broadcast_page(session: AsyncSession, before: int | None, limit: int) -> list[Broadcast]:
    """Announcements newest first (drafts included), ``limit`` of them before the id ``before``."""
    query = select(Broadcast)
    if before is not None:
        query = query.where(Broadcast.id < before)
    return list((await session.scalars(query.order_by(Broadcast.id.desc()).limit(limit))).all())


async def authors(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    """Names of these people (``#id`` when they gave none)."""
    if not ids:
        return {}
    rows = (await session.execute(select(User.id, User.name).where(User.id.in_(ids)))).all()
    return {r.id: r.name or f"#{r.id}" for r in rows}


FAILED_STATUSES = (OutboxStatus.FAILED, OutboxStatus.HELD, OutboxStatus.SKIPPED)


async def failures(session: AsyncSession, broadcast_id: int, limit: int = 100) -> list[Any]:
    """This announcement's messages that did not go out (failed, held outside the window, skipped:
    blocked or cancelled): (user_id, name, channel, address, status, error), oldest first."""
    return list((await session.execute(
        select(Outbox.user_id, User.name, Outbox.channel, Outbox.address, Outbox.status, Outbox.error)
        .outerjoin(User, User.id == Outbox.user_id)
        .where(Outbox.broadcast_id == broadcast_id, Outbox.status.in_(FAILED_STATUSES))
        .order_by(Outbox.id).limit(limit))).all())


def is_live(b: Broadcast) -> bool:
    """Scheduled or being sent: it can still be cancelled."""
    return b.status in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING, BroadcastStatus.QUEUED)
