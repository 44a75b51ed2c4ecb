"""Channel-neutral message types: what every adapter produces and every handler returns.

An adapter turns a platform payload into one :class:`Inbound`; handlers answer with :class:`Reply`
objects; the outbox stores replies as JSON (``Reply.to_dict``) and hands them back to the adapter that
renders them for its platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    TERMINAL = "terminal"


CALLBACK_DATA_MAX_BYTES = 64


@dataclass(frozen=True, slots=True)
class Media:
    """A picture, voice note, sticker or file, inbound or outbound.

    ``kind`` is one of photo, video, audio, voice, document, sticker. A medium can be known by a
    platform's own reference (``file_id`` for Telegram), a URL (Twilio media), or a key of our own
    media store (``key``; for a document: of ``bot.documents.DocumentStore``), which every channel can use.
    ``name`` is the file name shown for a document.
    """

    kind: str
    file_id: str | None = None
    url: str | None = None
    key: str | None = None
    content_type: str | None = None
    size: int | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k in self.__slots__ if (v := getattr(self, k)) is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Media:
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float
    address: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message (or button press) from one user, whatever the channel."""

    channel: str
    address: str  # "telegram:123", "whatsapp:+85620..." or "terminal:local"
    external_id: str  # the platform's id, for dropping duplicates per channel
    text: str = ""
    payload: str | None = None  # a button's payload
    media: tuple[Media, ...] = ()
    location: Location | None = None
    language_hint: str | None = None  # e.g. Telegram language_code or a phone's country code
    profile_name: str | None = None
    username: str | None = None  # a public handle where the platform has one (Telegram @username)
    received_at: datetime | None = None
    meta: dict[str, str] = field(default_factory=dict)  # adapter-private data, e.g. callback query id

    @property
    def command(self) -> str | None:
        """``/start@MyBot arg`` → ``start``; ``None`` for anything not a command."""
        text = self.text.strip()
        if not text.startswith("/") or len(text) < 2:
            return None
        word = text[1:].split(maxsplit=1)[0]
        return word.split("@", 1)[0].lower()

    @property
    def command_args(self) -> str:
        parts = self.text.strip().split(maxsplit=1)
        return parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str

    def __post_init__(self) -> None:
        if len(self.payload.encode()) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(f"button payload over {CALLBACK_DATA_MAX_BYTES} bytes: {self.payload!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send. ``kind`` names what it is (reply, announcement, reminder, relay, ...):
    WhatsApp uses it to pick an approved template outside the 24-hour window."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: Media | None = None
    title: str | None = None
    kind: str = "reply"
    template_vars: dict[str, str] = field(default_factory=dict)
    document: Media | None = None  # a file attachment (kind "document"), e.g. a /mydata export

    @property
    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "kind": self.kind}
        if self.buttons:
            data["buttons"] = [[[b.label, b.payload] for b in row] for row in self.buttons]
        if self.photo is not None:
            data["photo"] = self.photo.to_dict()
        if self.title:
            data["title"] = self.title
        if self.template_vars:
            data["template_vars"] = self.template_vars
        if self.document is not None:
            data["document"] = self.document.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data.get("text", ""),
            buttons=tuple(tuple(Button(label, payload) for label, payload in row) for row in data.get("buttons", ())),
            photo=Media.from_dict(data["photo"]) if data.get("photo") else None,
            title=data.get("title"),
            kind=data.get("kind", "reply"),
            template_vars=dict(data.get("template_vars", {})),
            document=Media.from_dict(data["document"]) if data.get("document") else None,
        )


def rows(*buttons: Button, width: int = 1) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out ``width`` to a row."""
    return tuple(tuple(buttons[i : i + width]) for i in range(0, len(buttons), width))


class SendError(Exception):
    """Base of what a channel sender raises; the outbox decides what to do with each."""


class RetryLater(SendError):
    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {seconds}s")
        self.seconds = seconds


class Blocked(SendError):
    """The user blocked the bot or opted out at the platform: stop writing to this address."""


class Held(SendError):
    """Not sent and not failed: e.g. WhatsApp outside the 24-hour window with no template."""


class Permanent(SendError):
    """Will never succeed (bad request); record and move on."""


@dataclass(frozen=True, slots=True)
class Sent:
    external_id: str | None = None
    status: str = "sent"
