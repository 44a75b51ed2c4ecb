"""WhatsApp through Twilio: signed form webhooks in, twilio's async client out, the 24-hour window.

- ``to_inbound`` turns Twilio's inbound webhook form into the standard ``Inbound`` (with a language and
  country hint from the phone's country code).
- ``WhatsAppSender`` renders a ``Reply``: text split under 1600 characters, buttons as a numbered menu
  (or an operator's quick-reply content template), photos by URL (our own ``/media/{key}`` for photos
  we hold). Outside the 24-hour window it sends only the approved template configured for the
  message's ``kind`` and otherwise raises ``Held``.
- ``WhatsAppChannel`` owns the routes: ``POST /webhooks/whatsapp`` (messages) and
  ``POST /webhooks/whatsapp/status`` (delivery status), both checked with ``X-Twilio-Signature``
  against the URL rebuilt from ``PUBLIC_URL``; it also downloads inbound media (``fetch_media``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web
from aiohttp.helpers import encode_basic_auth
from sqlalchemy import select, update
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.context import Clock
from bot.i18n import N_, translator
from bot.media import MAX_BYTES, MediaRejected, MediaStore
from bot.outbox.worker import Delivery
from bot.text.split import split_text
from bot.types import Blocked, Channel, Held, Inbound, Location, Media, Permanent, Reply, RetryLater, Sent
from storage.db import Database
from storage.links import (
    KNOWN_STATUSES,
    DeliveryStatus,
    reconcile_statuses,
    record_status,
    release_held,
    status_error,
)
from storage.models import Address, OutboxStatus, User

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.engine import Engine

log = logging.getLogger(__name__)

CHANNEL = Channel.WHATSAPP.value
TEXT_LIMIT = 1600  # Twilio's limit for a WhatsApp body
CAPTION_LIMIT = 1024
TEMPLATE_VARIABLE_LIMIT = 1000
QUICK_REPLY_LABEL_LIMIT = 20
QUICK_REPLY_BODY_LIMIT = 1024
WINDOW = timedelta(hours=24)
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MENU_HINT = N_("Reply with a number.")
ADDRESS_RE = re.compile(r"^whatsapp:\+[1-9]\d{5,14}$")

# Phone country code → (country, language). Longest prefixes are tried first.
COUNTRY_CODES: dict[str, tuple[str, str]] = {
    "856": ("LA", "lo"), "855": ("KH", "km"), "84": ("VN", "vi"), "66": ("TH", "th"), "62": ("ID", "id"),
    "60": ("MY", "ms"), "673": ("BN", "ms"), "95": ("MM", "my"), "63": ("PH", "fil"), "65": ("SG", "en"),
    "670": ("TL", "en"),  # Timor-Leste: Tetum has no catalog yet, so English
}

RATE_LIMIT_CODES = {20429, 63018}
RETRYABLE_STATUSES = {401, 408}  # our credentials being rotated, a timeout at Twilio: try again later


def phone_hint(address: str) -> tuple[str, str] | None:
    """``whatsapp:+85620...`` → ``("LA", "lo")``; None for countries outside the region."""
    digits = address.rsplit("+", 1)[-1]
    for size in (3, 2):
        found = COUNTRY_CODES.get(digits[:size])
        if found:
            return found
    return None


# --- inbound ------------------------------------------------------------------------------------


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


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def to_inbound(form: Mapping[str, str]) -> Inbound:
    """The standard message for Twilio's inbound webhook form; ``ValueError`` when malformed."""
    sid = (form.get("MessageSid") or form.get("SmsMessageSid") or "").strip()
    if not sid or len(sid) > 100:
        raise ValueError("no MessageSid")
    address = (form.get("From") or "").strip()
    if not address and form.get("WaId"):
        address = "whatsapp:+" + form["WaId"].strip().lstrip("+")
    if not ADDRESS_RE.match(address):
        raise ValueError(f"not a WhatsApp sender: {address[:40]!r}")
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError as exc:
        raise ValueError("bad NumMedia") from exc
    media = []
    for index in range(max(0, min(count, 10))):
        url = form.get(f"MediaUrl{index}")
        if not url:
            continue
        ctype = form.get(f"MediaContentType{index}") or "application/octet-stream"
        media.append(Media(_media_kind(ctype), url=url, content_type=ctype))
    location = None
    lat, lon = _float(form.get("Latitude")), _float(form.get("Longitude"))
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        location = Location(lat, lon, form.get("Address") or None, form.get("Label") or None)
    payload = (form.get("ButtonPayload") or "").strip() or None
    text = form.get("Body") or ""
    if payload and not text:
        text = form.get("ButtonText") or ""
    hint = phone_hint(address)
    meta = {"country_hint": hint[0]} if hint else {}
    return Inbound(
        channel=CHANNEL,
        address=address,
        external_id=sid,
        text=text,
        payload=payload,
        media=tuple(media),
        location=location,
        language_hint=hint[1] if hint else None,
        profile_name=(form.get("ProfileName") or "").strip() or None,
        meta=meta,
    )


# --- outbound -----------------------------------------------------------------------------------


def render_body(reply: Reply) -> str:
    parts = [f"*{reply.title}*"] if reply.title else []
    if reply.text.strip():
        parts.append(reply.text.strip())
    return "\n\n".join(parts)


def render_menu(reply: Reply, language: str | None) -> str:
    if not reply.buttons:
        return ""
    lines = [f"{index}. {button.label}" for index, button in enumerate(reply.flat_buttons, 1)]
    lines.append("_" + translator(language).gettext(MENU_HINT) + "_")
    return "\n".join(lines)


def text_messages(reply: Reply, language: str | None, limit: int = TEXT_LIMIT) -> list[str]:
    """The reply as WhatsApp bodies under ``limit`` each, the numbered menu at the end of the last."""
    body, menu = render_body(reply), render_menu(reply, language)
    pieces = split_text(body, limit) if body else []
    pieces = [p for p in pieces if p]
    if menu:
        if pieces and len(pieces[-1]) + 2 + len(menu) <= limit:
            pieces[-1] = pieces[-1] + "\n\n" + menu
        else:
            pieces.extend(split_text(menu, limit))
    return pieces


def one_line(text: str, limit: int = TEMPLATE_VARIABLE_LIMIT) -> str:
    """WhatsApp refuses template variables with newlines, tabs or runs of spaces."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def parse_templates(raw: str | None) -> dict[str, str]:
    """``TWILIO_TEMPLATES`` JSON: ``{"announcement": "HX...", "quick_reply_3": "HX...", ...}``."""
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError("TWILIO_TEMPLATES must be a JSON object of message kind → content SID")
    return dict(data)


def _error_status_code(exc: TwilioRestException | TwilioServiceException) -> tuple[int, int | None]:
    code = exc.code
    try:
        code_int = int(code) if code is not None else None
    except (TypeError, ValueError):
        code_int = None
    return int(exc.status), code_int


class WhatsAppSender:
    """Sends outbox rows through Twilio's Messages API with the official async client."""

    channel = CHANNEL

    def __init__(self, settings: Settings, db: Database, clock: Clock, media: MediaStore | None = None) -> None:
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from
        self.settings = settings
        self.db = db
        self.clock = clock
        self.media = media
        sender = settings.twilio_whatsapp_from
        self.from_ = sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"
        self.rate = settings.twilio_rate
        self.address_rate = max(1.0, settings.twilio_rate)
        self.address_burst = 20
        self.templates = parse_templates(settings.twilio_templates)
        self.public_url = settings.public_url
        self.backoff_base = 1.0  # seconds after the first 429; doubles per 429 in a row, at most 60
        self._rate_limited: dict[str, int] = {}
        self._parts_sent: dict[int, int] = {}  # delivery id → parts already accepted (no repeats on retry)
        self._client: Client | None = None
        self._http: AsyncTwilioHttpClient | None = None

    # --- the client ------------------------------------------------------------------------------
    @property
    def client(self) -> Client:
        if self._client is None:
            self._http = AsyncTwilioHttpClient(timeout=30)
            client = Client(self.settings.twilio_account_sid, self.settings.twilio_auth_token,
                            http_client=self._http)
            if self.settings.twilio_api_url:
                # Requests go to {api.base_url}/2010-04-01/Accounts/{AC}/Messages.json; no edge/region
                # rewriting of a configured base.
                client.api.base_url = self.settings.twilio_api_url
                client.edge = None
                client.region = None
            self._client = client
        return self._client

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None
        self._client = None

    @property
    def status_callback(self) -> str | None:
        return f"{self.public_url}/webhooks/whatsapp/status" if self.public_url else None

    # --- sending ---------------------------------------------------------------------------------
    async def _recipient(self, address: str) -> tuple[datetime | None, str | None]:
        async with self.db.read() as session:
            row = (await session.execute(
                select(Address.last_inbound_at, User.language)
                .join(User, User.id == Address.user_id)
                .where(Address.address == address)
            )).first()
        return (row[0], row[1]) if row is not None else (None, None)

    def media_url(self, media: Media | None) -> str | None:
        if media is None:
            return None
        if media.key and self.public_url:
            return f"{self.public_url}/media/{media.key}"
        if media.url:
            return media.url
        return None  # a Telegram file id cannot be fetched by Twilio: the text goes alone

    def messages(self, reply: Reply, language: str | None, inside_window: bool) -> list[dict[str, Any]]:
        """The Messages API calls (keyword arguments) that render this reply, in order."""
        if not inside_window:
            sid = self.templates.get(reply.kind)
            if sid is None:
                raise Held(f"outside the 24-hour window and no template for {reply.kind!r} messages")
            variables = {"1": one_line(render_body(reply))}
            variables.update({k: one_line(str(v)) for k, v in reply.template_vars.items()})
            return [{"content_sid": sid, "content_variables": json.dumps(variables, ensure_ascii=False)}]
        media_url = self.media_url(reply.photo)
        quick = self._quick_reply(reply, media_url)
        if quick is not None:
            return [quick]
        bodies = text_messages(reply, language)
        calls: list[dict[str, Any]] = []
        if media_url is not None:
            if bodies and len(bodies) == 1 and len(bodies[0]) <= CAPTION_LIMIT:
                return [{"media_url": [media_url], "body": bodies[0]}]
            calls.append({"media_url": [media_url]})
        calls.extend({"body": body} for body in bodies)
        return calls or [{"body": " "}]

    def _quick_reply(self, reply: Reply, media_url: str | None) -> dict[str, Any] | None:
        """Tappable buttons through a quick-reply template ``quick_reply_<n>``, when configured.

        The template's body is ``{{1}}``; button ``i`` has title ``{{2i}}`` and id ``{{2i+1}}``."""
        buttons = reply.flat_buttons
        sid = self.templates.get(f"quick_reply_{len(buttons)}") if 1 <= len(buttons) <= 3 else None
        body = render_body(reply)
        if (sid is None or media_url is not None or not body or len(body) > QUICK_REPLY_BODY_LIMIT
                or any(len(b.label) > QUICK_REPLY_LABEL_LIMIT for b in buttons)):
            return None
        variables = {"1": body}
        for index, button in enumerate(buttons, 1):
            variables[str(2 * index)] = button.label
            variables[str(2 * index + 1)] = button.payload
        return {"content_sid": sid, "content_variables": json.dumps(variables, ensure_ascii=False)}

    async def send(self, delivery: Delivery) -> Sent:
        last_inbound, language = await self._recipient(delivery.address)
        now = self.clock.now()
        inside = last_inbound is not None and now - last_inbound < WINDOW
        calls = self.messages(delivery.reply, language, inside)
        done = self._parts_sent.get(delivery.id, 0)
        sid: str | None = None
        for index, call in enumerate(calls):
            if index < done:
                continue
            try:
                sid = await self._create(delivery.address, call)
            except (Held, Blocked, Permanent):
                self._parts_sent.pop(delivery.id, None)  # this row is finished: forget its progress
                raise
            self._parts_sent[delivery.id] = index + 1
        self._parts_sent.pop(delivery.id, None)
        self._rate_limited.pop(delivery.address, None)
        return Sent(sid, OutboxStatus.SENT)

    async def _create(self, to: str, call: dict[str, Any]) -> str | None:
        callback = self.status_callback
        extra = {"status_callback": callback} if callback else {}
        try:
            message = await self.client.messages.create_async(to=to, from_=self.from_, **call, **extra)
        except (TwilioRestException, TwilioServiceException) as exc:
            status, code = _error_status_code(exc)
            described = status_error(code) or f"twilio HTTP {status}"
            if status == 429 or code in RATE_LIMIT_CODES:
                streak = self._rate_limited.get(to, 0)
                self._rate_limited[to] = streak + 1
                raise RetryLater(min(self.backoff_base * 2**streak, 60.0), described) from exc
            if code == 21610:
                raise Blocked(described) from exc
            if code == 63016:
                raise Held(described) from exc
            if 400 <= status < 500 and status not in RETRYABLE_STATUSES:
                raise Permanent(f"{described} (HTTP {status})") from exc
            raise RuntimeError(f"{described} (HTTP {status})") from exc  # 5xx: the outbox backs off
        return str(message.sid) if message.sid else None


# --- the channel --------------------------------------------------------------------------------


class WhatsAppChannel:
    def __init__(self, settings: Settings, engine: Engine, media: MediaStore, db: Database, clock: Clock) -> None:
        assert settings.twilio_auth_token and settings.twilio_account_sid
        self.settings = settings
        self.engine = engine
        self.media = media
        self.db = db
        self.clock = clock
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.sender = WhatsAppSender(settings, db, clock, media)
        self.reconcile_every = 5.0
        self._session: aiohttp.ClientSession | None = None
        self._reconciler: asyncio.Task[None] | None = None
        if not settings.public_url:
            log.warning("PUBLIC_URL is not set: Twilio signatures are checked against the request's own URL, "
                        "photos cannot be sent and no delivery status will be reported")

    async def start(self) -> None:
        _ = self.sender.client  # create the HTTP session inside the running loop
        self._reconciler = asyncio.create_task(self._reconcile_loop(), name="whatsapp-status")
        log.info("WhatsApp channel on: sender %s", self.sender.from_)

    async def stop(self) -> None:
        if self._reconciler is not None:
            self._reconciler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconciler
            self._reconciler = None
        await self.sender.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/webhooks/whatsapp", self.webhook), web.post("/webhooks/whatsapp/status", self.status)]

    # --- signatures ------------------------------------------------------------------------------
    def public_url_of(self, request: web.Request) -> str:
        """The URL Twilio called: ``PUBLIC_URL`` + path and query (our host may sit behind a proxy)."""
        if self.settings.public_url:
            return self.settings.public_url + request.raw_path
        return str(request.url)

    def signed(self, request: web.Request, form: Mapping[str, str]) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature:
            return False
        return bool(self.validator.validate(self.public_url_of(request), form, signature))

    async def _signed_form(self, request: web.Request) -> Mapping[str, str] | web.Response:
        try:
            form = await request.post()
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="malformed form")
        if not self.signed(request, form):  # type: ignore[arg-type]
            return web.Response(status=403, text="forbidden")
        return {k: v for k, v in form.items() if isinstance(v, str)}

    # --- webhooks --------------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        form = await self._signed_form(request)
        if isinstance(form, web.Response):
            return form
        try:
            msg = to_inbound(form)
        except ValueError as exc:
            return web.Response(status=400, text=f"malformed webhook: {exc}")
        await self.process(msg)
        return web.Response(text=EMPTY_TWIML, content_type="text/xml")

    async def process(self, msg: Inbound) -> bool:
        """Handle one inbound message; messages held for this address go out again (the window is open)."""
        async with self.db.transaction() as session:
            released = await release_held(session, CHANNEL, msg.address, self.clock.now())
        handled = await self.engine.handle(msg)
        if released and not handled:
            self.engine.on_commit()
        return handled

    async def status(self, request: web.Request) -> web.Response:
        form = await self._signed_form(request)
        if isinstance(form, web.Response):
            return form
        sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
        status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
        if not sid or not status or len(sid) > 100:
            return web.Response(status=400, text="malformed status callback")
        if status not in KNOWN_STATUSES:  # e.g. "partially_delivered": nothing to record
            return web.Response(status=204)
        code = (form.get("ErrorCode") or "").strip() or None
        if code == "63016" and status in {OutboxStatus.FAILED, "undelivered"}:
            status = OutboxStatus.HELD  # not lost: it waits for the user to write again
        async with self.db.transaction() as session:
            address = await record_status(session, CHANNEL, sid, status, code, self.clock.now())
            if code == "21610":
                target = address or (form.get("To") or "")
                await session.execute(update(Address).where(Address.address == target).values(blocked=True))
        return web.Response(status=204)

    async def reconcile(self) -> int:
        """Apply statuses that arrived before their outbox row knew its message id."""
        async with self.db.read() as session:  # usually none: do not take SQLite's write lock for nothing
            if await session.scalar(select(DeliveryStatus.external_id).limit(1)) is None:
                return 0
        async with self.db.transaction() as session:
            return await reconcile_statuses(session, CHANNEL, self.clock.now())

    async def _reconcile_loop(self) -> None:
        while True:
            await asyncio.sleep(self.reconcile_every)
            try:
                await self.reconcile()
            except Exception:
                log.exception("applying WhatsApp delivery statuses failed")

    # --- media -----------------------------------------------------------------------------------
    def _auth_for(self, url: str) -> dict[str, str]:
        """Twilio's credentials only for Twilio's own API host (or the configured base)."""
        host = urlparse(url).hostname or ""
        allowed = {"api.twilio.com"}
        if self.settings.twilio_api_url:
            allowed.add(urlparse(self.settings.twilio_api_url).hostname or "")
        if host in allowed or host.endswith(".twilio.com"):
            assert self.settings.twilio_account_sid and self.settings.twilio_auth_token
            token = encode_basic_auth(self.settings.twilio_account_sid, self.settings.twilio_auth_token)
            return {"Authorization": token}  # aiohttp drops it on a redirect to another host (Twilio's CDN)
        return {}

    async def fetch_media(self, media: Media) -> bytes:
        """Download an inbound medium (Twilio MediaUrl, basic auth), at most 5 MB."""
        if not media.url:
            raise MediaRejected("type", "this medium has no URL")
        self.media.check(media.content_type, media.size)
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60, connect=10))
        async with self._session.get(media.url, headers=self._auth_for(media.url)) as resp:
            if resp.status != 200:
                raise RuntimeError(f"media download failed: HTTP {resp.status}")
            if resp.content_length is not None and resp.content_length > MAX_BYTES:
                raise MediaRejected("size", f"{resp.content_length} bytes is over {MAX_BYTES}")
            data = bytearray()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                data.extend(chunk)
                if len(data) > MAX_BYTES:
                    raise MediaRejected("size", f"over {MAX_BYTES} bytes")
        return bytes(data)
