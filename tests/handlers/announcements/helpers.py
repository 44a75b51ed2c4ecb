"""What the announcements tests share: a Telegram and a WhatsApp recorder, a trainer, composing a draft by
chat, and delivering (the job, the outbox, the summary)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from bot.service import Service
from handlers.announcements.roles import grant_role
from storage.announcements import Broadcast
from storage.models import Role, User
from tests.driver import RecordingSender
from tests.driver import User as ChatUser


class Channels:
    def __init__(self, service: Service) -> None:
        self.tg = RecordingSender(channel="telegram")
        self.wa = RecordingSender(channel="whatsapp")
        self.attach(service)

    def attach(self, service: Service) -> None:
        service.outbox.add_sender(self.tg)
        service.outbox.add_sender(self.wa)

    def user(self, service: Service, address: str) -> ChatUser:
        return ChatUser(service, self.tg if address.startswith("telegram:") else self.wa, address)

    def announcements(self) -> Counter[str]:
        return Counter(a for a, r in self.tg.sent + self.wa.sent if r.kind == "announcement")


async def make_trainer(service: Service, channels: Channels, address: str = "telegram:100") -> ChatUser:
    t = channels.user(service, address)
    await t.onboard(name="Kham", language="en", country="LA")
    await grant_role(service.db, address.split(":")[0], address, Role.TRAINER, datetime.now(UTC))
    return t


async def set_opted_out(service: Service, address: str) -> None:
    from storage.models import Address

    async with service.db.transaction() as s:
        user_id = await s.scalar(select(Address.user_id).where(Address.address == address))
        await s.execute(update(User).where(User.id == user_id).values(opted_out=True))


async def latest_broadcast(service: Service) -> Broadcast:
    async with service.db.read() as s:
        b = (await s.scalars(select(Broadcast).order_by(Broadcast.id.desc()))).first()
    assert b is not None
    return b


async def compose(t: ChatUser, text: str, *filters: str) -> list[Any]:
    """/announce, the text, then each filter payload suffix such as ``country:LA``."""
    await t.say("/announce")
    replies = await t.say(text)
    b_id = int(replies[-1].flat_buttons[0].payload.split(":")[2])
    for f in filters:
        replies = await t.send(payload=f"trainer:set:{b_id}:{f}")
    return replies


async def deliver(service: Service) -> None:
    await service.scheduler.run_once()
    await service.outbox.drain()
    await service.scheduler.run_once()  # the summary once nothing is left in the outbox
    await service.outbox.drain()


LAO_TG, LAO_WA, LAO_STOP = "telegram:201", "whatsapp:+8562055501", "whatsapp:+8562055502"
LAO_TH, EN_LA = "telegram:202", "whatsapp:+8562055503"
