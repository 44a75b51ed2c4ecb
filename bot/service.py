"""Assembles the service from settings: database, content, router, engine, channels, outbox, jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.context import Clock, Deps, SystemClock
from bot.engine import Engine, tune_gc
from bot.jobs import JobContext, Scheduler
from bot.media import MediaStore
from bot.outbox.worker import OutboxWorker, Sender
from bot.router import Router
from content import load_library
from storage.db import Database

log = logging.getLogger(__name__)


class ContentError(RuntimeError):
    pass


class Service:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        router: Router | None = None,
        extra_senders: dict[str, Sender] | None = None,
        telegram_bot: Any = None,
    ) -> None:
        from handlers import JOBS, build_router

        self.settings = settings
        self.clock = clock or SystemClock()
        library, problems = load_library(settings.content_dir)
        if problems:
            raise ContentError("content library has problems:\n" + "\n".join(map(str, problems[:20])))
        self.db = Database(settings.database_url)
        self.media = MediaStore(settings.media_dir)
        self.deps = Deps(settings, library, self.clock)
        self.deps.extras["media"] = self.media
        self.router = router or build_router()
        self.engine = Engine(self.db, self.router, self.deps, on_commit=self.wake_outbox)
        self.senders: dict[str, Sender] = dict(extra_senders or {})
        self.telegram = None
        if settings.telegram_enabled:
            from bot.channels.telegram import TelegramChannel

            self.telegram = TelegramChannel(settings, self.engine, self.media, bot=telegram_bot)
            self.senders[self.telegram.sender.channel] = self.telegram.sender
        self.whatsapp: Any = None
        if settings.whatsapp_enabled:
            from bot.channels.whatsapp import WhatsAppChannel

            self.whatsapp = WhatsAppChannel(settings, self.engine, self.media, self.db, self.clock)
            self.senders[self.whatsapp.sender.channel] = self.whatsapp.sender
        self.deps.extras["channels"] = self.channel_fetchers()
        self.outbox = OutboxWorker(self.db, self.senders, self.clock)
        self.scheduler = Scheduler(JOBS, JobContext(self.db, self.deps, self.wake_outbox))
        self._tasks: list[asyncio.Task[Any]] = []
        self._stop = asyncio.Event()

    def wake_outbox(self) -> None:
        self.outbox.wake()

    def channel_fetchers(self) -> dict[str, Any]:
        """Per channel, an object with ``async fetch_media(media) -> bytes`` (for copying photos)."""
        found: dict[str, Any] = {}
        for channel in (self.telegram, self.whatsapp):
            if channel is not None and hasattr(channel, "fetch_media"):
                found[channel.sender.channel] = channel
        return found

    async def start(self, *, background: bool = True) -> None:
        """Migrate, connect channels; with ``background`` also run the outbox worker and jobs."""
        await self.db.upgrade()
        if self.telegram is not None:
            await self.telegram.start()
        if self.whatsapp is not None:
            await self.whatsapp.start()
        else:
            log.info("WhatsApp channel is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM")
        if background:
            self._tasks.append(asyncio.create_task(self.outbox.run(), name="outbox"))
            self._tasks.append(asyncio.create_task(self.scheduler.run(), name="jobs"))

    async def stop(self) -> None:
        self._stop.set()
        await self.outbox.stop()
        for task in self._tasks:
            if task.get_name() != "outbox":
                task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.telegram is not None:
            await self.telegram.stop()
        if self.whatsapp is not None:
            await self.whatsapp.stop()
        await self.db.close()

    def web_app(self) -> web.Application:
        from bot.web import build_app

        return build_app(self)

    async def serve(self) -> None:
        """Run the web server (and polling when asked) until interrupted."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):  # finish in-flight sends, then exit cleanly
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self._stop.set)
        await self.start()
        tune_gc()
        runner = web.AppRunner(self.web_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.host, self.settings.port)
        await site.start()
        log.info("listening on http://%s:%s", self.settings.host, self.settings.port)
        if self.telegram is not None:
            if self.settings.public_url and not self.settings.telegram_polling:
                await self.telegram.set_webhook(self.settings.public_url)
                log.info("Telegram webhook set to %s/webhooks/telegram", self.settings.public_url)
            else:
                self._tasks.append(asyncio.create_task(self.telegram.poll(self._stop), name="polling"))
                log.info("Telegram: long polling (no PUBLIC_URL)")
        else:
            log.info("Telegram channel is off: set TELEGRAM_BOT_TOKEN")
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()
            await self.stop()
