"""Messages to a person from outside a chat turn (a trainer-console page acting on a listing or a ticket).

``send_to`` queues the message in the outbox, in the caller's transaction, at the address the person is
reached at (``storage.users.preferred_address``), exactly as ``Context.send`` does for handlers; the outbox
sends it after commit, so WhatsApp's 24-hour rule and blocked addresses hold as for every other message.

``how_it_goes`` says beforehand what will happen to it, by the WhatsApp sender's rule: inside the 24 hours
since the person last wrote it goes as it is; outside them it goes as the approved template configured for
the message's kind (``TWILIO_TEMPLATES``), or, without one, it is held and goes when they next write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.outbox import enqueue
from bot.types import Reply
from storage.models import User
from storage.users import preferred_address

WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window since the person last wrote


class Way(StrEnum):
    NOW = "now"  # Telegram, the terminal, or WhatsApp inside the window
    TEMPLATE = "template"  # WhatsApp outside the window, with the approved template for this kind
    WAITS = "waits"  # WhatsApp outside the window without a template: held until they write again
    NOWHERE = "nowhere"  # no address that has not blocked the bot


@dataclass(frozen=True)
class Route:
    way: Way
    channel: str | None = None
    last_wrote: datetime | None = None


def parse_templates(raw: str | None) -> dict[str, str]:
    """``TWILIO_TEMPLATES`` JSON: ``{"announcement": "HX...", "quick_reply_3": "HX...", ...}`` (the WhatsApp
    sender reads it with this too)."""
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError("TWILIO_TEMPLATES must be a JSON object of message kind → content SID")
    return dict(data)


def template_kinds(settings: Settings) -> frozenset[str]:
    """The message kinds with an approved WhatsApp template (``TWILIO_TEMPLATES``); none if unreadable."""
    try:
        return frozenset(parse_templates(settings.twilio_templates))
    except ValueError:
        return frozenset()


def how_it_goes(user: User, kind: str, settings: Settings, now: datetime) -> Route:
    """What the outbox will do with a message of this kind for this person, sent now."""
    address = preferred_address(user)
    if address is None:
        return Route(Way.NOWHERE)
    last = address.last_inbound_at
    if address.channel != "whatsapp" or (last is not None and now - last < WINDOW):
        return Route(Way.NOW, address.channel, last)
    return Route(Way.TEMPLATE if kind in template_kinds(settings) else Way.WAITS, address.channel, last)


def send_to(session: AsyncSession, user: User, reply: Reply, now: datetime) -> bool:
    """Queue ``reply`` for ``user`` at their preferred address; False if they have none."""
    address = preferred_address(user)
    if address is None:
        return False
    enqueue(session, user.id, address.channel, address.address, reply, now=now)
    if reply.buttons:  # typed numbers on WhatsApp and the terminal press these buttons, as after any reply
        user.menu = [[b.label, b.payload] for b in reply.flat_buttons]
    return True
