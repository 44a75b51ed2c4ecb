"""Shared by the events tests: a trainer, an event put straight into the database, reading RSVPs back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.service import Service
from storage.events import Event, Rsvp
from storage.models import Role, User
from tests.driver import User as ChatUser
from tests.driver import user_at

START = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)  # 09:00 in Vientiane, 10:00 in Manila, 08:30 in Yangon


async def make_trainer(chat: ChatUser) -> None:
    await chat.onboard(name="Tina")
    row = await user_at(chat.service, chat.address)
    async with chat.service.db.transaction() as session:
        user = await session.get(User, row.id)
        assert user is not None
        user.role = Role.TRAINER


async def add_event(service: Service, title: str = "Silk fair", capacity: int = 2, start: datetime = START,
                    hours: int = 8, zone: str = "Asia/Vientiane") -> int:
    async with service.db.transaction() as session:
        event = Event(title=title, kind="fair", starts_at=start, ends_at=start + timedelta(hours=hours),
                      timezone=zone, place="Talat Sao, Vientiane", capacity=capacity, languages=["lo", "en"],
                      description="Bring samples.", status="open")
        session.add(event)
        await session.flush()
        return event.id


async def rsvps(service: Service, event_id: int) -> list[Rsvp]:
    async with service.db.read() as session:
        query = select(Rsvp).where(Rsvp.event_id == event_id).order_by(Rsvp.id)
        return list((await session.scalars(query)).all())


async def rsvp_of(service: Service, chat: ChatUser, event_id: int) -> Rsvp:
    user = await user_at(service, chat.address)
    return next(r for r in await rsvps(service, event_id) if r.user_id == user.id)
