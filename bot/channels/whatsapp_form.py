"""Twilio's webhook forms, read strictly and checked against typed models before anything else uses them.

``read_form`` accepts only ``application/x-www-form-urlencoded`` in UTF-8 (what Twilio sends): multipart,
another charset, a compressed or oversized body, bytes that are not UTF-8 or too many fields answer 4xx.
``TwilioMessage`` and ``TwilioStatus`` are the parameters we use, with their lengths and ranges; a form
that does not fit is ``Malformed`` (400). ``to_inbound`` turns a message form into the standard ``Inbound``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, TypeVar
from urllib.parse import parse_qsl

import msgspec
from aiohttp import web
from msgspec import Meta, Struct, field
from multidict import MultiDict

from bot.channels.inbound import clean, read_body, refuse
from bot.types import Channel, Inbound, Location, Media

CHANNEL = Channel.WHATSAPP.value
FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 200  # Twilio sends about 30
ADDRESS_RE = re.compile(r"^whatsapp:\+[1-9]\d{5,14}$")
Sid = Annotated[str, Meta(max_length=100, pattern=r"^[!-~]*$")]  # printable ASCII: ids go into SQL keys
Short = Annotated[str, Meta(max_length=1024)]
Text = Annotated[str, Meta(max_length=16384)]  # WhatsApp allows 4096; the engine answers "too long"

# Phone country code → (country, language). Longest prefixes are tried first.
COUNTRY_CODES: dict[str, tuple[str, str]] = {
    "856": ("LA", "lo"), "855": ("KH", "km"), "84": ("VN", "vi"), "66": ("TH", "th"), "62": ("ID", "id"),
    "60": ("MY", "ms"), "673": ("BN", "ms"), "95": ("MM", "my"), "63": ("PH", "fil"), "65": ("SG", "en"),
    "670": ("TL", "en"),  # Timor-Leste: Tetum has no catalog yet, so English
}


class Malformed(ValueError):
    """A form we cannot use."""


class TwilioMessage(Struct, rename="pascal"):
    message_sid: Sid = ""
    sms_message_sid: Sid = ""
    sender: Short = field(name="From", default="")
    wa_id: Annotated[str, Meta(max_length=20)] = ""
    num_media: Annotated[int, Meta(ge=0, le=10)] = 0
    body: Text = ""
    button_payload: Short = ""
    button_text: Short = ""
    profile_name: Short = ""
    latitude: Short = ""
    longitude: Short = ""
    address: Short = ""
    label: Short = ""


class TwilioStatus(Struct, rename="pascal"):
    message_sid: Sid = ""
    sms_sid: Sid = ""
    message_status: Annotated[str, Meta(max_length=40)] = ""
    sms_status: Annotated[str, Meta(max_length=40)] = ""
    error_code: Annotated[str, Meta(max_length=16)] = ""
    to: Short = ""


async def read_form(request: web.Request) -> MultiDict[str] | web.Response:
    """The posted form (every value, in order, as Twilio's signature needs), or the 4xx answer."""
    body = await read_body(request, content_type=FORM)
    if isinstance(body, web.Response):
        return body
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS,
                          errors="strict")
    except UnicodeDecodeError:
        return refuse(400, "form is not UTF-8")
    except ValueError:  # too many fields
        return refuse(413, "too many form fields")
    if any("\x00" in key or "\x00" in value for key, value in pairs):  # Twilio never sends NUL; PostgreSQL refuses it
        return refuse(400, "NUL in form")
    return MultiDict(pairs)


T = TypeVar("T")


def _model(form: Mapping[str, str], model: type[T]) -> T:
    # Twilio's parameters are known by name: ours are read, the others left alone.
    try:
        return msgspec.convert(dict(form), model, strict=False)
    except msgspec.ValidationError as exc:
        raise Malformed(str(exc)[:200]) from None


def status_of(form: Mapping[str, str]) -> TwilioStatus:
    return _model(form, TwilioStatus)


def phone_hint(address: str) -> tuple[str, str] | None:
    """``whatsapp:+85620...`` → ``("LA", "lo")``; None for countries outside the region."""
    digits = address.rsplit("+", 1)[-1]
    for size in (3, 2):
        found = COUNTRY_CODES.get(digits[:size])
        if found:
            return found
    return None


def _media_kind(content_type: str) -> str:
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "image/webp":
        return "sticker"  # WhatsApp stickers arrive as WebP; photos as JPEG
    if ctype.startswith("image/"):
        return "photo"
    if ctype.startswith("video/"):
        return "video"
    if ctype.startswith("audio/"):
        return "voice" if "ogg" in ctype or "opus" in ctype else "audio"
    return "document"


def _float(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def to_inbound(form: Mapping[str, str]) -> Inbound:
    """The standard message for Twilio's inbound webhook form; ``Malformed`` (a ``ValueError``) when unusable."""
    m = _model(form, TwilioMessage)
    sid = (m.message_sid or m.sms_message_sid).strip()
    if not sid:
        raise Malformed("no MessageSid")
    address = m.sender.strip()
    if not address and m.wa_id:
        address = "whatsapp:+" + m.wa_id.strip().lstrip("+")
    if not ADDRESS_RE.match(address):
        raise Malformed(f"not a WhatsApp sender: {address[:40]!r}")
    media = []
    for index in range(m.num_media):
        url = form.get(f"MediaUrl{index}") or ""
        if not url or len(url) > 2000:
            continue
        ctype = (form.get(f"MediaContentType{index}") or "application/octet-stream")[:100]
        media.append(Media(_media_kind(ctype), url=url, content_type=ctype))
    location = None
    lat, lon = _float(m.latitude), _float(m.longitude)
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        location = Location(lat, lon, clean(m.address) or None, clean(m.label) or None)
    payload = clean(m.button_payload.strip()) or None
    text = m.body
    if payload and not text:
        text = m.button_text
    hint = phone_hint(address)
    return Inbound(
        channel=CHANNEL,
        address=address,
        external_id=sid,
        text=clean(text) or "",
        payload=payload,
        media=tuple(media),
        location=location,
        language_hint=hint[1] if hint else None,
        profile_name=clean(m.profile_name.strip(), 200) or None,
        meta={"country_hint": hint[0]} if hint else {},
    )
