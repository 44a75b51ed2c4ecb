"""What a channel implements, and what the core gives it.

A channel adapter (one module in ``bot/channels/``) turns a platform's webhook (or polling) payloads into
standard ``Inbound`` messages, hands them to the engine, and renders the channel-neutral ``Reply`` rows
the outbox gives its ``sender`` into platform calls. It declares its limits, its aiohttp routes, and
how to start and stop. It never imports handlers or storage: what it needs from the core comes in a
``ChannelCore``.

Adding a channel (e.g. Facebook Messenger, LINE, Zalo):
1. ``bot/channels/<name>.py`` with a class satisfying ``Channel`` and ``def build(settings, core)``
   returning it (``ChannelBuilder``);
2. its settings (token, rate) in ``bot/config.py`` with an ``<name>_enabled`` property;
3. one line in ``bot/channels/registry.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from aiohttp import web

from bot.outbox.sender import Sender
from bot.types import Inbound, Media

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.context import Clock
    from bot.deliveries import Deliveries
    from bot.documents import DocumentStore
    from bot.engine import Engine
    from bot.media import MediaStore


@dataclass(frozen=True, slots=True)
class Limits:
    """What a platform allows: the outbox paces by the rates, renderers keep to the sizes."""

    rate: float  # messages per second across all addresses
    address_rate: float  # messages per second to one address
    address_burst: int  # messages one address may get at once before its rate applies
    text_length: int  # characters in one message (longer replies are split)
    buttons: int | None  # buttons in one message (None: no limit, e.g. a numbered menu)
    button_label: int | None  # characters of a button's label (None: no limit)


@dataclass
class ChannelCore:
    """What the core hands a channel: the engine (``await engine.handle(inbound)``), the media store, the
    recipients and delivery reports (``deliveries``), the clock, and per-channel ``options`` (tests)."""

    engine: Engine
    media: MediaStore
    deliveries: Deliveries
    clock: Clock
    options: dict[str, Any] = field(default_factory=dict)
    documents: DocumentStore | None = None  # files sent as document attachments (``Reply.document``)


class Channel(Protocol):
    """One messaging platform. ``name`` is the first part of its addresses (``telegram:123``) and the
    outbox rows' channel; ``sender`` sends those rows (``bot.outbox.Sender``)."""

    name: str
    sender: Sender

    @property
    def limits(self) -> Limits: ...

    def to_inbound(self, payload: Any) -> Inbound | None:
        """A platform payload (already checked as authentic) as the standard message; None when the bot
        does not act on it; ``ValueError`` when malformed."""
        ...

    def routes(self) -> list[web.RouteDef]:
        """The aiohttp routes it serves (webhooks); they answer 403 without the right secret or
        signature, 400 for malformed input."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@runtime_checkable
class MediaSource(Protocol):
    """A channel that can download what users send (photos for listings, announcements)."""

    async def fetch_media(self, media: Media) -> bytes: ...


@runtime_checkable
class GoesLive(Protocol):
    """A channel with work once the web server listens (set a webhook, or poll)."""

    async def go_live(self, stop: asyncio.Event) -> Coroutine[Any, Any, None] | None:
        """Connect to the platform; return a coroutine to run in the background until ``stop`` (or None)."""
        ...


class ChannelBuilder(Protocol):
    def __call__(self, settings: Settings, core: ChannelCore) -> Channel: ...
