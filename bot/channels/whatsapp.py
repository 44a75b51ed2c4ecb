"""WhatsApp through Twilio: signed form webhooks in, the 24-hour window, delivery statuses.

- ``to_inbound`` turns Twilio's inbound webhook form into the standard ``Inbound`` (with a language and
  country hint from the phone's country code).
- ``WhatsAppSender`` (``whatsapp_send``) renders and sends a ``Reply``; outside the 24-hour window only
  an approved template.
- ``WhatsAppChannel`` owns the routes: ``POST /webhooks/whatsapp`` (messages) and
  ``POST /webhooks/whatsapp/status`` (delivery status), both checked with ``X-Twilio-Signature``
  against the URL rebuilt from ``PUBLIC_URL``; it also downloads inbound media (``fetch_media``).
  Writing again opens the window: messages held for the address go back to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import aiohttp
from aiohttp import web
from aiohttp.helpers import encode_basic_auth
from twilio.request_validator import RequestValidator

from bot.channels.base import ChannelCore, Limits
from bot.channels.inbound import refuse
from bot.channels.whatsapp_form import CHANNEL, Malformed, phone_hint, read_form, status_of, to_inbound
from bot.channels.whatsapp_send import TEXT_LIMIT, WhatsAppSender
from bot.deliveries import KNOWN_STATUSES, OutboxStatus
from bot.media import MAX_BYTES, MediaRejected
from bot.types import Inbound, Media

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["CHANNEL", "WhatsAppChannel", "WhatsAppSender", "build", "phone_hint", "to_inbound"]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


# --- the channel --------------------------------------------------------------------------------


class WhatsAppChannel:
    name = CHANNEL

    def __init__(self, settings: Settings, core: ChannelCore) -> None:
        assert settings.twilio_auth_token and settings.twilio_account_sid
        self.settings = settings
        self.engine = core.engine
        self.media = core.media
        self.deliveries = core.deliveries
        self.clock = core.clock
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.sender = WhatsAppSender(settings, core.deliveries, core.clock, core.media)
        self.reconcile_every = 5.0
        self._session: aiohttp.ClientSession | None = None
        self._reconciler: asyncio.Task[None] | None = None
        if not settings.public_url:
            log.warning("PUBLIC_URL is not set: Twilio signatures are checked against the request's own URL, "
                        "photos cannot be sent and no delivery status will be reported")

    @property
    def limits(self) -> Limits:
        return Limits(self.sender.rate, self.sender.address_rate, self.sender.address_burst, TEXT_LIMIT,
                      buttons=None, button_label=None)  # buttons are a numbered menu

    def to_inbound(self, form: Mapping[str, str]) -> Inbound:
        return to_inbound(form)

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
        form = await read_form(request)
        if isinstance(form, web.Response):
            return form
        if not self.signed(request, form):
            return web.Response(status=403, text="forbidden")
        return form

    # --- webhooks --------------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        form = await self._signed_form(request)
        if isinstance(form, web.Response):
            return form
        try:
            msg = to_inbound(form)
        except Malformed as exc:  # Twilio does not retry a 4xx: the message is refused, not looped on
            return refuse(400, f"malformed webhook: {exc}")
        await self.process(msg)
        return web.Response(text=EMPTY_TWIML, content_type="text/xml")

    async def process(self, msg: Inbound) -> bool:
        """Handle one inbound message; messages held for this address go out again (the window is open)."""
        released = await self.deliveries.release_held(CHANNEL, msg.address, self.clock.now())
        handled = await self.engine.handle(msg)
        if released and not handled:
            self.engine.on_commit()
        return handled

    async def status(self, request: web.Request) -> web.Response:
        form = await self._signed_form(request)
        if isinstance(form, web.Response):
            return form
        try:
            report = status_of(form)
        except Malformed as exc:
            return refuse(400, f"malformed status callback: {exc}")
        sid = (report.message_sid or report.sms_sid).strip()
        status = (report.message_status or report.sms_status).strip().lower()
        if not sid or not status:
            return refuse(400, "malformed status callback")
        if status not in KNOWN_STATUSES:  # e.g. "partially_delivered": nothing to record
            return web.Response(status=204)
        code = report.error_code.strip() or None
        if code == "63016" and status in {OutboxStatus.FAILED, "undelivered"}:
            status = OutboxStatus.HELD  # not lost: it waits for the user to write again
        block = report.to if code == "21610" else None  # opted out: the address is blocked
        await self.deliveries.report(CHANNEL, sid, status, code, self.clock.now(), block=block)
        return web.Response(status=204)

    async def reconcile(self) -> int:
        """Apply statuses that arrived before their outbox row knew its message id."""
        return await self.deliveries.reconcile(CHANNEL, self.clock.now())

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


def build(settings: Settings, core: ChannelCore) -> WhatsAppChannel:
    return WhatsAppChannel(settings, core)
