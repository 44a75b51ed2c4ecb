"""The parts of a Telegram ``Update`` the bot uses, as typed msgspec models, and the update as an ``Inbound``.

Every webhook body is decoded into these models before anything else reads it: a wrong JSON type, an id
beyond Telegram's 52 significant bits, a date out of range, a string too long or a body nested too deep
is a ``Malformed`` update, never an exception further in. Fields the bot does not use are skipped
unread, so a new Bot API field changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct, field

from bot.channels.inbound import clean
from bot.types import Channel, Inbound, Location, Media

Id = Annotated[int, Meta(ge=-(2**53), le=2**53)]  # Telegram: "at most 52 significant bits"
UpdateId = Annotated[int, Meta(ge=0, le=2**53)]
Date = Annotated[int, Meta(ge=0, le=2**34)]  # Unix seconds (2**34: the year 2514)
Short = Annotated[str, Meta(max_length=512)]
Long = Annotated[str, Meta(max_length=16384)]  # the engine answers "too long" past 4096
Size = Annotated[int, Meta(ge=0, le=2**53)]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]


class Malformed(ValueError):
    """A body that is not an update we can use."""


class TgUser(Struct):
    id: Id
    first_name: Short = ""
    last_name: Short | None = None
    username: Short | None = None
    language_code: Short | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


class TgChat(Struct):
    id: Id
    type: Short


class TgFile(Struct):
    file_id: Short
    file_size: Size | None = None
    mime_type: Short | None = None


class TgLocation(Struct):
    latitude: Latitude
    longitude: Longitude


class TgVenue(Struct):
    location: TgLocation
    title: Short = ""
    address: Short = ""


class TgMessage(Struct):
    message_id: Id
    date: Date
    chat: TgChat
    sender: TgUser | None = field(name="from", default=None)
    text: Long | None = None
    caption: Long | None = None
    photo: Annotated[list[TgFile], Meta(max_length=32)] | None = None
    sticker: TgFile | None = None
    voice: TgFile | None = None
    video: TgFile | None = None
    audio: TgFile | None = None
    document: TgFile | None = None
    video_note: TgFile | None = None
    animation: TgFile | None = None
    location: TgLocation | None = None
    venue: TgVenue | None = None


class TgCallbackMessage(Struct):  # a MaybeInaccessibleMessage: only its chat matters here
    chat: TgChat


class TgCallbackQuery(Struct):
    id: Short
    sender: TgUser = field(name="from")
    message: TgCallbackMessage | None = None
    data: Short | None = None


class TgUpdate(Struct):
    update_id: UpdateId
    message: TgMessage | None = None
    callback_query: TgCallbackQuery | None = None


class _Head(Struct):
    update_id: UpdateId


_head = msgspec.json.Decoder(_Head)
_full = msgspec.json.Decoder(TgUpdate)


def update_id_of(body: bytes) -> int:
    """The update's id, or ``Malformed``: a body without one cannot be from Telegram."""
    try:
        return _head.decode(body).update_id
    except (msgspec.DecodeError, RecursionError) as exc:
        raise Malformed(str(exc)[:200]) from None


def parse_update(body: bytes) -> TgUpdate:
    try:
        return _full.decode(body)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise Malformed(str(exc)[:200]) from None


def from_ptb(data: dict[str, Any]) -> TgUpdate:
    """An update already parsed (long polling: python-telegram-bot's ``Update.to_dict()``) in our model."""
    try:
        return msgspec.convert(data, TgUpdate)
    except (msgspec.ValidationError, RecursionError) as exc:
        raise Malformed(str(exc)[:200]) from None


def _file(kind: str, f: TgFile, content_type: str | None = None) -> Media:
    return Media(kind, file_id=f.file_id, size=f.file_size, content_type=content_type or f.mime_type)


def _media(message: TgMessage) -> tuple[Media, ...]:
    if message.photo:
        return (_file("photo", message.photo[-1], "image/jpeg"),)  # Telegram lists sizes smallest first
    if message.sticker:
        return (Media("sticker", file_id=message.sticker.file_id),)
    for kind, found in (("voice", message.voice), ("video", message.video), ("audio", message.audio)):
        if found is not None:
            return (_file(kind, found),)
    if message.document:
        d = message.document
        return (_file("photo" if (d.mime_type or "").startswith("image/") else "document", d),)
    for other in (message.video_note, message.animation):
        if other is not None:
            return (Media("video", file_id=other.file_id),)
    return ()


def to_inbound(update: TgUpdate) -> Inbound | None:
    """The standard message for an update, or None for updates the bot does not act on."""
    external_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != "private":
            return None
        return Inbound(
            channel=Channel.TELEGRAM,
            address=f"telegram:{chat.id if chat is not None else query.sender.id}",
            external_id=external_id,
            payload=clean(query.data) or "",
            language_hint=clean(query.sender.language_code, 35),
            profile_name=clean(query.sender.full_name, 200),
            username=clean(query.sender.username, 100),
            meta={"callback_query_id": clean(query.id) or ""},
        )
    message = update.message
    if message is None or message.chat.type != "private":
        return None  # edits, channel posts, group chatter: not for this bot
    sender = message.sender
    location = None
    if message.location is not None:
        location = Location(message.location.latitude, message.location.longitude)
    if message.venue is not None:
        venue = message.venue
        location = Location(venue.location.latitude, venue.location.longitude, clean(venue.address),
                            clean(venue.title))
    return Inbound(
        channel=Channel.TELEGRAM,
        address=f"telegram:{message.chat.id}",
        external_id=external_id,
        text=clean(message.text or message.caption or "") or "",
        media=_media(message),
        location=location,
        language_hint=clean(sender.language_code, 35) if sender else None,
        profile_name=clean(sender.full_name, 200) if sender else None,
        username=clean(sender.username, 100) if sender else None,
        received_at=datetime.fromtimestamp(message.date, UTC),
    )
