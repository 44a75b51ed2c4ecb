"""Telegram: python-telegram-bot v22 parses updates and makes API calls; our aiohttp app serves the webhook.

- ``AiohttpRequest`` (``telegram_http``) runs PTB's ``Bot`` over one aiohttp session.
- ``telegram_update`` checks a webhook body against typed models of the fields we use and turns the
  update into the standard ``Inbound`` (``to_inbound``).
- ``TelegramSender`` renders a ``Reply``: HTML-escaped text split under 4096, inline keyboards,
  photos with captions under 1024.
- ``TelegramChannel`` owns the ``Bot``: the webhook route, long polling, setWebhook and answering
  callback queries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import json
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels.base import ChannelCore, Limits
from bot.channels.inbound import read_body, refuse
from bot.channels.telegram_http import AiohttpRequest
from bot.channels.telegram_update import Malformed, TgUpdate, from_ptb, parse_update, to_inbound, update_id_of
from bot.documents import DocumentStore
from bot.media import MediaRejected, MediaStore
from bot.outbox.sender import Delivery
from bot.text.split import split_text
from bot.types import Blocked, Channel, Inbound, Media, Permanent, Reply, RetryLater, Sent

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
KEYBOARD_BUTTONS = 100  # an inline keyboard's limit
LABEL_LIMIT = 64


def make_bot(settings: Settings) -> Bot:
    assert settings.telegram_token
    return Bot(
        settings.telegram_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(connections=2, read_timeout=60),
    )


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or one derived from the token so every worker agrees on it."""
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    assert settings.telegram_token
    return hmac.new(settings.telegram_token.encode(), b"smce-bot webhook", hashlib.sha256).hexdigest()[:48]


# --- inbound ------------------------------------------------------------------------------------


# --- outbound -----------------------------------------------------------------------------------


def render_text(reply: Reply) -> str:
    body = html.escape(reply.text, quote=False)
    if reply.title:
        return f"<b>{html.escape(reply.title, quote=False)}</b>\n\n{body}".rstrip()
    return body


def _escaped_len(text: str) -> int:
    return len(html.escape(text, quote=False))


def text_chunks(reply: Reply, limit: int = TEXT_LIMIT) -> list[str]:
    """The reply's text in HTML pieces each under ``limit`` characters, cut at clean places."""
    rendered = render_text(reply)
    if len(rendered) <= limit:
        return [rendered]
    head = f"<b>{html.escape(reply.title, quote=False)}</b>\n\n" if reply.title else ""
    pieces = split_text(reply.text, limit - len(head), measure=_escaped_len)
    return [head + html.escape(pieces[0], quote=False)] + [html.escape(p, quote=False) for p in pieces[1:]]


def keyboard_json(reply: Reply) -> str | None:
    """``keyboard`` as the Bot API's JSON (a string, as PTB sends it), for the short path (``AiohttpRequest.call``)."""
    if not reply.buttons:
        return None
    rows = [[{"text": b.label[:LABEL_LIMIT], "callback_data": b.payload} for b in row] for row in reply.buttons]
    return json.dumps({"inline_keyboard": rows}, ensure_ascii=False)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label[:LABEL_LIMIT], callback_data=b.payload) for b in row] for row in reply.buttons]
    )


def chat_id(address: str) -> int:
    return int(address.split(":", 1)[1])


def retry_seconds(exc: RetryAfter) -> float:
    # The private timedelta avoids PTB's deprecation warning on the int-valued public attribute.
    value: Any = getattr(exc, "_retry_after", None) or exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    channel = Channel.TELEGRAM.value

    def __init__(self, bot: Bot, media: MediaStore, settings: Settings) -> None:
        self.bot = bot
        self.media = media
        self.documents: DocumentStore | None = None  # set by the channel: files for ``Reply.document``
        self.rate = settings.telegram_rate
        self.address_rate = settings.telegram_chat_rate
        self.address_burst = settings.telegram_chat_burst

    async def send(self, delivery: Delivery) -> Sent:
        try:
            return await self._send(chat_id(delivery.address), delivery.reply)
        except RetryAfter as exc:
            raise RetryLater(retry_seconds(exc)) from exc
        except Forbidden as exc:  # blocked by the user, or a deactivated account
            raise Blocked(exc.message) from exc
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                raise Blocked(exc.message) from exc
            raise Permanent(exc.message) from exc
        # TimedOut / NetworkError / other TelegramError propagate: the outbox retries with backoff

    async def _send(self, chat: int, reply: Reply) -> Sent:
        request = self.bot.request
        if reply.photo is None and reply.document is None and isinstance(request, AiohttpRequest):
            return await self._send_text(request, chat, reply)
        markup = keyboard(reply)
        last: Message | None = None
        chunks = text_chunks(reply)
        if reply.photo is not None:
            caption = chunks[0] if len(chunks) == 1 and len(chunks[0]) <= CAPTION_LIMIT else None
            photo = self._photo(reply.photo)
            last = await self.bot.send_photo(
                chat, photo, caption=caption, parse_mode=ParseMode.HTML,
                reply_markup=markup if caption is not None else None,
            )
            if caption is not None:
                return await self._document(chat, reply, last)
        chunks = [c for c in chunks if c.strip()]
        for index, chunk in enumerate(chunks):
            last = await self.bot.send_message(
                chat, chunk, parse_mode=ParseMode.HTML,
                reply_markup=markup if index == len(chunks) - 1 else None,
                link_preview_options=None,
            )
        return await self._document(chat, reply, last)

    async def _send_text(self, request: AiohttpRequest, chat: int, reply: Reply) -> Sent:
        """A text reply (in pieces under the limit, the buttons on the last) by the short path: the same
        ``sendMessage`` calls as ``bot.send_message`` makes, without PTB objects either way."""
        chunks = [c for c in text_chunks(reply) if c.strip()]
        markup = keyboard_json(reply)
        message_id: Any = None
        for index, chunk in enumerate(chunks):
            parameters: dict[str, Any] = {"chat_id": chat, "text": chunk, "parse_mode": ParseMode.HTML.value}
            if markup is not None and index == len(chunks) - 1:
                parameters["reply_markup"] = markup
            result = await request.call(self.bot.base_url, "sendMessage", parameters)
            message_id = result.get("message_id") if isinstance(result, dict) else None
        return Sent(str(message_id) if message_id is not None else None)

    async def _document(self, chat: int, reply: Reply, last: Message | None) -> Sent:
        """The reply's file attachment (``sendDocument``, uploaded from the document store), after its text."""
        doc = reply.document
        if doc is not None:
            if doc.file_id:
                file: str | InputFile = doc.file_id
            else:
                path = self.documents.path(doc.key) if self.documents is not None and doc.key else None
                if path is None:
                    raise Permanent("document is not in the document store any more")
                file = InputFile(path.read_bytes(), filename=doc.name or path.name)
            sent = await self.bot.send_document(chat, file)
            last = sent if isinstance(sent, Message) else last
        return Sent(str(last.message_id) if last else None)

    def _photo(self, media: Media) -> str | InputFile:
        if media.file_id:
            return media.file_id
        if media.key:
            path = self.media.path(media.key)
            if path is not None:
                return InputFile(path.read_bytes(), filename=path.name)
        if media.url:
            return media.url
        raise Permanent("photo has no file id, stored copy or URL")


# --- the channel: webhook, polling, lifecycle ---------------------------------------------------


class TelegramChannel:
    name = Channel.TELEGRAM.value

    def __init__(self, settings: Settings, core: ChannelCore, bot: Bot | None = None) -> None:
        self.settings = settings
        self.engine = core.engine
        self.bot = bot or make_bot(settings)
        self.sender = TelegramSender(self.bot, core.media, settings)
        self.sender.documents = core.documents
        self.secret = webhook_secret(settings)
        self._background: set[asyncio.Task[Any]] = set()

    @property
    def limits(self) -> Limits:
        return Limits(self.sender.rate, self.sender.address_rate, self.sender.address_burst, TEXT_LIMIT,
                      buttons=KEYBOARD_BUTTONS, button_label=LABEL_LIMIT)

    def to_inbound(self, update: TgUpdate) -> Inbound | None:
        return to_inbound(update)

    async def start(self) -> None:
        await self.bot.initialize()  # getMe

    async def stop(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self.bot.shutdown()

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/webhooks/telegram", self.webhook)]

    async def fetch_media(self, media: Media) -> bytes:
        """Download a medium a user sent (by its ``file_id``), refusing files over the media store's limit."""
        if not media.file_id:
            raise MediaRejected("type", "this medium has no Telegram file id")
        self.sender.media.check(None, media.size)
        file = await self.bot.get_file(media.file_id)
        self.sender.media.check(None, file.file_size)
        return bytes(await file.download_as_bytearray())

    async def go_live(self, stop: asyncio.Event) -> Coroutine[Any, Any, None] | None:
        """With ``PUBLIC_URL`` (and no ``TELEGRAM_POLLING``) set the webhook; else long polling."""
        if self.settings.public_url and not self.settings.telegram_polling:
            await self.set_webhook(self.settings.public_url)
            log.info("Telegram webhook set to %s/webhooks/telegram", self.settings.public_url)
            return None
        log.info("Telegram: long polling (no PUBLIC_URL)")
        return self.poll(stop)

    async def set_webhook(self, public_url: str) -> None:
        await self.bot.set_webhook(
            url=f"{public_url}/webhooks/telegram", secret_token=self.secret, allowed_updates=ALLOWED_UPDATES,
            max_connections=40,
        )

    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403, text="forbidden")
        body = await read_body(request)  # JSON whatever the Content-Type says; not JSON → 400 below
        if isinstance(body, web.Response):
            return body
        try:
            update_id = update_id_of(body)
        except Malformed:  # not JSON, or no usable update_id: this did not come from Telegram
            return refuse(400, "malformed update")
        try:
            update = parse_update(body)
        except Malformed as exc:
            # Telegram sent it (right secret, an update id) but we cannot use it: a 4xx would make Telegram
            # send it again and again and hold back this bot's later updates, so it is dropped with a note.
            log.warning("Telegram update %s ignored: %s", update_id, exc)
            return web.Response(status=200)
        query_id = await self.process(update, answer=False)
        if query_id:
            # Stop the button's spinner in the webhook's answer: Telegram makes the call itself ("Making
            # requests when getting updates" in the Bot API), saving a request per press. Its outcome is
            # not reported back, which for this call (not worth an outbox row either) does not matter.
            return web.json_response({"method": "answerCallbackQuery", "callback_query_id": query_id})
        return web.Response(status=200)

    async def process(self, update: TgUpdate, *, answer: bool = True) -> str | None:
        """Handle one update; a button press's callback query is answered in the background (``answer``)
        or its id returned for the caller to answer."""
        inbound = to_inbound(update)
        if inbound is None:
            return None
        await self.engine.handle(inbound)
        query_id: str | None = inbound.meta.get("callback_query_id")
        if query_id and answer:  # stop the button's spinner; not worth an outbox row
            task = asyncio.create_task(self._answer_callback(query_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return query_id

    async def _answer_callback(self, query_id: str) -> None:
        with contextlib.suppress(TelegramError):
            request = self.bot.request
            if isinstance(request, AiohttpRequest):  # the short path: no PTB objects for a bare answer
                await request.call(self.bot.base_url, "answerCallbackQuery", {"callback_query_id": query_id})
            else:
                await self.bot.answer_callback_query(query_id)

    async def poll(self, stop: asyncio.Event) -> None:
        """Long polling, for a deployment with no public HTTPS address."""
        await self.bot.delete_webhook()
        offset: int | None = None
        while not stop.is_set():
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=25, allowed_updates=ALLOWED_UPDATES)
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except (TimedOut, NetworkError) as exc:
                log.warning("polling: %s", exc)
                await asyncio.sleep(2)
                continue
            # Handle the batch, then confirm it (the next offset) so a crash re-fetches it; a failed
            # update keeps the offset where it was and the batch comes again (repeats are dropped).
            results = await asyncio.gather(*(self._process_polled(u.to_dict()) for u in updates),
                                           return_exceptions=True)
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                log.error("polling: %d of %d updates failed, fetching them again: %r", len(failed), len(updates),
                          failed[0])
                await asyncio.sleep(2)
                continue
            if updates:
                offset = updates[-1].update_id + 1


    async def _process_polled(self, data: dict[str, Any]) -> None:
        try:
            update = from_ptb(data)
        except Malformed as exc:
            log.warning("Telegram update %s ignored: %s", data.get("update_id"), exc)
            return
        await self.process(update)


def build(settings: Settings, core: ChannelCore) -> TelegramChannel:
    return TelegramChannel(settings, core, bot=core.options.get("telegram_bot"))
