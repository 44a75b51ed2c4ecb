"""A tiny chat driver for tests: say things as a user on a channel, get back the replies sent.

It feeds ``Inbound`` messages straight to the engine and drains the outbox through a recording sender,
so feature tests exercise the real router, handlers, database and outbox without any platform.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from bot.outbox import Delivery
from bot.service import Service
from bot.types import Inbound, Media, Reply, Sent
from storage.models import Address
from storage.models import User as UserRow

_ids = itertools.count(1)


@dataclass
class RecordingSender:
    channel: str = "terminal"
    rate: float = 1e6
    address_rate: float = 1e6
    address_burst: int = 1000
    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def send(self, delivery: Delivery) -> Sent:
        self.sent.append((delivery.address, delivery.reply))
        return Sent(f"rec-{len(self.sent)}")

    def to(self, address: str) -> list[Reply]:
        return [r for a, r in self.sent if a == address]


class User:
    """One simulated person at one address."""

    def __init__(self, service: Service, sender: RecordingSender, address: str, language_hint: str | None = None):
        self.service = service
        self.sender = sender
        self.address = address
        self.channel = address.split(":", 1)[0]
        self.language_hint = language_hint
        self.seen = 0
        self.last: list[Reply] = []

    async def send(self, text: str = "", *, payload: str | None = None, media: tuple[Media, ...] = (),
                   **extra: Any) -> list[Reply]:
        msg = Inbound(channel=self.channel, address=self.address, external_id=f"t{next(_ids)}", text=text,
                      payload=payload, media=media, language_hint=self.language_hint, **extra)
        await self.service.engine.handle(msg)
        await self.service.outbox.drain()
        return self.inbox()

    def inbox(self) -> list[Reply]:
        """Replies that arrived since the last look."""
        mine = self.sender.to(self.address)
        new, self.seen = mine[self.seen:], len(mine)
        self.last = new or self.last
        return new

    async def say(self, text: str) -> list[Reply]:
        return await self.send(text)

    async def press(self, label_or_payload: str) -> list[Reply]:
        """Press a button of the latest replies, found by its exact label, label start, or payload."""
        for reply in reversed(self.last):
            for button in reply.flat_buttons:
                if label_or_payload in (button.label, button.payload):
                    return await self.send(payload=button.payload)
        for reply in reversed(self.last):
            for button in reply.flat_buttons:
                if button.label.startswith(label_or_payload) or button.payload.startswith(label_or_payload):
                    return await self.send(payload=button.payload)
        labels = [b.label for r in self.last for b in r.flat_buttons]
        raise AssertionError(f"no button {label_or_payload!r} among {labels}")

    async def onboard(self, name: str = "Noy", language: str = "en", craft: str = "weaving",
                      country: str = "LA", sex: str = "skip", age_band: str = "skip",
                      data_saver: bool = False) -> None:
        await self.say("/start")
        await self.send(payload=f"lang:{language}")
        await self.say(name)
        await self.send(payload=f"onb:craft:{craft}")
        await self.send(payload=f"onb:country:{country}")
        await self.send(payload=f"onb:sex:{sex}")  # the two optional questions
        await self.send(payload=f"onb:age:{age_band}")
        if self.channel == "whatsapp":  # WhatsApp only: the data saver question
            await self.send(payload="onb:saver:" + ("on" if data_saver else "off"))


def text_of(replies: list[Reply]) -> str:
    return "\n".join(filter(None, ((r.title or "") + "\n" + r.text for r in replies)))


def with_hint(msg: Inbound, hint: str) -> Inbound:
    return replace(msg, language_hint=hint)


async def user_at(service: Service, address: str) -> UserRow:
    """The stored user behind an address (for asserting what a chat changed)."""
    async with service.db.read() as session:
        return (await session.scalars(select(UserRow).join(Address).where(Address.address == address))).one()
