"""WhatsApp's sending side: a ``Reply`` rendered for Twilio's Messages API and sent with its async client.

- Text is split under 1600 characters, buttons become a numbered menu (or an operator's quick-reply
  content template), photos go by URL (our own ``/media/{key}`` for photos we hold).
- Outside the 24-hour window (since the person last wrote) only the approved template configured for
  the message's ``kind`` is sent; otherwise ``Held`` (the row waits until they write again).
- Twilio's errors decide the row's fate: 429 / 20429 / 63018 retry later with backoff, 21610 (opted
  out) blocks the address, 63016 holds, other 4xx fail for good, 5xx are retried by the outbox.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.context import Clock
from bot.deliveries import OutboxStatus, status_error
from bot.direct import WINDOW, parse_templates
from bot.i18n import N_, translator
from bot.media import MediaStore
from bot.outbox.sender import Delivery
from bot.text.split import split_text
from bot.types import Blocked, Channel, Held, Media, Permanent, Reply, RetryLater, Sent

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.deliveries import Deliveries

CHANNEL = Channel.WHATSAPP.value
TEXT_LIMIT = 1600  # Twilio's limit for a WhatsApp body
CAPTION_LIMIT = 1024
TEMPLATE_VARIABLE_LIMIT = 1000
QUICK_REPLY_LABEL_LIMIT = 20
QUICK_REPLY_BODY_LIMIT = 1024
MENU_HINT = N_("Reply with a number.")

RATE_LIMIT_CODES = {20429, 63018}
RETRYABLE_STATUSES = {401, 408}  # our credentials being rotated, a timeout at Twilio: try again later


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

    def __init__(self, settings: Settings, deliveries: Deliveries, clock: Clock,
                 media: MediaStore | None = None) -> None:
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from
        self.settings = settings
        self.deliveries = deliveries
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
        document_url = self.document_url(reply.document)
        quick = self._quick_reply(reply, media_url) if document_url is None else None
        if quick is not None:
            return [quick]
        bodies = text_messages(reply, language)
        calls: list[dict[str, Any]] = []
        if media_url is not None:
            if bodies and len(bodies) == 1 and len(bodies[0]) <= CAPTION_LIMIT and document_url is None:
                return [{"media_url": [media_url], "body": bodies[0]}]
            calls.append({"media_url": [media_url]})
        calls.extend({"body": body} for body in bodies)
        if document_url is not None:
            calls.append({"media_url": [document_url]})
        return calls or [{"body": " "}]

    def document_url(self, document: Media | None) -> str | None:
        """Where Twilio fetches a document we hold (``/documents/{key}``); without a public URL, none."""
        if document is None or not document.key or not self.public_url:
            return None
        return f"{self.public_url}/documents/{document.key}"

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
        last_inbound, language = await self.deliveries.recipient(delivery.address)
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
