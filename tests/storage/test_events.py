"""Seats under concurrency: many people pressing RSVP for the last places at once (each in its own
transaction) never overfill the event, and the waitlist keeps one distinct place per person."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.service import Service
from storage.events import Event, Rsvp, RsvpStatus, get_event, sign_up
from storage.models import User

START = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)


async def test_concurrent_sign_ups_never_overfill(service: Service) -> None:
    async with service.db.transaction() as session:
        people = [User(name=f"P{i}", language="en", onboarded=True, step_data={}) for i in range(8)]
        event = Event(title="Fair", kind="fair", starts_at=START, ends_at=START + timedelta(hours=2),
                      timezone="Asia/Vientiane", place="", capacity=3, languages=[], description="", status="open")
        session.add_all([*people, event])
        await session.flush()
        ids, event_id = [p.id for p in people], event.id

    async def press(user_id: int) -> None:
        async with service.db.transaction() as session:
            locked = await get_event(session, event_id, lock=True)
            assert locked is not None
            await sign_up(session, locked, user_id, service.clock.now())

    await asyncio.gather(*(press(i) for i in ids))
    async with service.db.read() as session:
        rows = list((await session.scalars(select(Rsvp).where(Rsvp.event_id == event_id))).all())
    assert len(rows) == 8
    assert sum(r.status == RsvpStatus.GOING for r in rows) == 3
    assert len({r.position for r in rows}) == 8 and len({r.code for r in rows}) == 8
