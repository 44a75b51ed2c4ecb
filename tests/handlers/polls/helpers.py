"""What the polls tests share: a trainer, making a poll by chat, running the polls job."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.service import Service
from handlers.announcements.roles import grant_role
from storage.models import Role
from storage.polls import Poll
from tests.driver import User as ChatUser


async def make_trainer(t: ChatUser) -> ChatUser:
    await t.onboard(name="Kham", language="en", country="LA")
    await grant_role(t.service.db, t.channel, t.address, Role.TRAINER, datetime.now(UTC))
    return t


async def make_poll(t: ChatUser, questions: list[tuple[str, str, list[str]]], *, anonymous: bool = True,
                    filters: tuple[str, ...] = (), close: str = "In 1 day") -> int:
    """/poll, each (question, kind label, choices), the audience filters (``country:LA``), then start it."""
    await t.say("/poll")
    for i, (text, kind, choices) in enumerate(questions):
        if i:
            await t.press("Add another question")
        await t.say(text)
        await t.press(kind)
        if choices:
            await t.say("\n".join(choices))
    await t.press("Continue: the audience")
    poll_id = await latest_poll_id(t.service)
    for f in filters:
        await t.send(payload=f"pt:set:{poll_id}:{f}")
    await t.press("Continue")
    await t.press("Anonymous" if anonymous else "Named")
    await t.press("Now")
    await t.press(close)
    await t.press("Start the poll")
    return poll_id


async def latest_poll_id(service: Service) -> int:
    async with service.db.read() as s:
        poll = (await s.scalars(select(Poll).order_by(Poll.id.desc()))).first()
    assert poll is not None
    return poll.id


async def run_job(service: Service) -> None:
    await service.scheduler.run_once()
    await service.outbox.drain()
