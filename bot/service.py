"""Assembles the service from settings: database, content, router, engine, channels (from
``bot.channels.registry``), outbox, jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Any

from aiohttp import web

import storage.all_models  # noqa: F401 - every feature's tables (merging users moves rows of all of them)
from bot.certificates.web import routes as certificate_routes
from bot.channels.base import Channel, ChannelCore, GoesLive, MediaSource
from bot.channels.registry import build_channels, log_disabled
from bot.config import Settings
from bot.console.app import add_console
from bot.context import Clock, Deps, SystemClock
from bot.deliveries import Deliveries
from bot.documents import DocumentStore
from bot.engine import NUMBERED_MENU_CHANNELS, Engine, tune_gc
from bot.jobs import Job, JobContext, Scheduler
from bot.light import Light, LightSender
from bot.logs import configure as configure_logs
from bot.media import MediaStore
from bot.metrics import CONTENT_TYPE, Backlog, authorised, is_loopback, serve_on_main, timed_job
from bot.metrics import render as render_metrics
from bot.outbox.sender import Sender
from bot.outbox.worker import OutboxWorker
from bot.public.web import routes as public_routes
from bot.redact import protect
from bot.router import Router
from bot.web import build_app, metrics_app
from content import load_library
from storage.db import Database
from storage.retention import outbox_backlog, ping, schema_revisions
from storage.workers import AnotherServer, single_server

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel
    from bot.channels.whatsapp import WhatsAppChannel

log = logging.getLogger(__name__)


SHUTDOWN_GRACE = 10.0  # seconds the webhooks under way get to finish on SIGTERM


class ContentError(RuntimeError):
    pass


def protect_secrets(settings: Settings) -> None:
    """The settings' secrets never appear in a log line (``bot.redact``)."""
    import base64

    secrets: list[str | None] = [settings.telegram_token, settings.telegram_webhook_secret,
                                 settings.twilio_auth_token, settings.metrics_token]
    if settings.telegram_token:
        from bot.channels.telegram import webhook_secret

        secrets += [settings.telegram_token.split(":", 1)[-1], webhook_secret(settings)]
    if settings.twilio_account_sid and settings.twilio_auth_token:
        basic = f"{settings.twilio_account_sid}:{settings.twilio_auth_token}".encode()
        secrets.append(base64.b64encode(basic).decode())
    protect(*secrets)


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
        protect_secrets(settings)
        self.clock = clock or SystemClock()
        library, problems = load_library(settings.content_dir)
        if problems:
            raise ContentError("content library has problems:\n" + "\n".join(map(str, problems[:20])))
        self.db = Database(settings.database_url)
        self.media = MediaStore(settings.media_dir)
        self.documents = DocumentStore(settings.media_dir / "documents")
        self.deps = Deps(settings, library, self.clock)
        self.deps.extras["media"] = self.media
        self.deps.extras["documents"] = self.documents
        self.router = router or build_router()
        self.engine = Engine(self.db, self.router, self.deps, on_commit=self.wake_outbox)
        self.senders: dict[str, Sender] = dict(extra_senders or {})
        core = ChannelCore(self.engine, self.media, Deliveries(self.db), self.clock,
                           options={"telegram_bot": telegram_bot} if telegram_bot is not None else {},
                           documents=self.documents)
        self.channels: dict[str, Channel] = build_channels(settings, core)
        light = Light(self.media)  # data saver, platform limits, size notes: every photo, every channel
        for channel in self.channels.values():
            self.senders[channel.sender.channel] = LightSender(channel.sender, light, self.db,
                                                               buttons=channel.name not in NUMBERED_MENU_CHANNELS)
        self.deps.extras["channels"] = self.channel_fetchers()
        # ``share``: on PostgreSQL, workers beat a heartbeat and pace each channel at rate ÷ live workers.
        self.outbox = OutboxWorker(self.db, self.senders, self.clock, unconfirmed=settings.outbox_unconfirmed,
                                   share=True)
        counted = [Job(job.name, job.every, timed_job(job.name, job.run), job.each_worker) for job in JOBS]
        self.scheduler = Scheduler(counted, JobContext(self.db, self.deps, self.wake_outbox))
        self._tasks: list[asyncio.Task[Any]] = []
        self._stop = asyncio.Event()

    def wake_outbox(self) -> None:
        self.outbox.wake()

    @property
    def telegram(self) -> TelegramChannel | None:
        return self.channels.get("telegram")  # type: ignore[return-value]

    @property
    def whatsapp(self) -> WhatsAppChannel | None:
        return self.channels.get("whatsapp")  # type: ignore[return-value]

    def channel_fetchers(self) -> dict[str, MediaSource]:
        """Per channel, an object with ``async fetch_media(media) -> bytes`` (for copying photos)."""
        return {name: channel for name, channel in self.channels.items() if isinstance(channel, MediaSource)}

    async def start(self, *, background: bool = True, only_server: bool = False) -> None:
        """Migrate, connect channels; with ``background`` also run the outbox worker and jobs. The
        ``only_server`` of a database (SQLite, its lock held) takes back its dead predecessor's rows."""
        await self.db.upgrade()
        if only_server and (taken := await self.outbox.take_over()):
            log.info("%d outbox rows a stopped server held are sent again", taken)
        for channel in self.channels.values():
            await channel.start()
        log_disabled(self.settings)
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
        for channel in self.channels.values():
            await channel.stop()
        await self.db.close()

    def web_app(self) -> web.Application:
        s = self.settings
        on_main = serve_on_main(s.host, s.metrics_token, s.metrics_port)
        routes = [route for channel in self.channels.values() for route in channel.routes()]
        from handlers.choices import CRAFTS  # the public pages' craft names (bot.public never imports handlers)

        routes += public_routes(self.db, self.media, s.public_url, CRAFTS)
        app = build_app(self.media, routes + certificate_routes(self.db), closing=self._stop.is_set,
                        ready=self.readiness, metrics=self.metrics if on_main else None, documents=self.documents)
        add_console(app, self.db, self.settings, self.clock)
        return app

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """``GET /readyz``: the database answers, its schema is at the migrations' head, and at least one
        messaging channel is configured."""
        checks: dict[str, Any] = {}
        try:
            async with self.db.read() as session:
                await ping(session)
            checks["database"] = "ok"
            current, heads = await schema_revisions(self.db)
            checks["migrations"] = "ok" if current == heads else f"at {sorted(current)}, code wants {sorted(heads)}"
        except Exception as exc:  # unreachable, refused, wrong credentials, ...
            log.warning("readiness: database check failed: %r", exc)
            checks.setdefault("database", f"unreachable: {type(exc).__name__}")
            checks.setdefault("migrations", "unknown")
        checks["channels"] = sorted(self.channels) or "none configured"
        ok = checks["database"] == "ok" and checks["migrations"] == "ok" and bool(self.channels)
        return ok, checks

    async def metrics(self, request: web.Request) -> web.Response:
        """``GET /metrics``: Prometheus text, with the outbox backlog read now (one query)."""
        if not authorised(request.headers.get("Authorization"), self.settings.metrics_token):
            return web.Response(status=401, text="unauthorised", headers={"WWW-Authenticate": "Bearer"})
        backlog: Backlog | None = None
        try:
            async with self.db.read() as session:
                pending, oldest = await outbox_backlog(session)
            backlog = Backlog(pending, oldest)
        except Exception as exc:
            log.warning("metrics: outbox backlog not read: %r", exc)
        return web.Response(body=render_metrics(backlog, self.clock.now()), headers={"Content-Type": CONTENT_TYPE})

    async def _metrics_site(self) -> web.AppRunner | None:
        """A separate listener for ``/metrics`` (``METRICS_PORT``), or a note on where it is served."""
        s = self.settings
        if s.metrics_port is None:
            if not serve_on_main(s.host, s.metrics_token, None):
                log.info("/metrics is off: the app listens on %s without METRICS_TOKEN or METRICS_PORT", s.host)
            return None
        runner = web.AppRunner(metrics_app(self.metrics), access_log=None)
        await runner.setup()
        host = s.metrics_host or s.host
        await web.TCPSite(runner, host, s.metrics_port).start()
        if not is_loopback(host) and not s.metrics_token:
            log.warning("/metrics is served on %s:%s without METRICS_TOKEN: keep that port private", host,
                        s.metrics_port)
        log.info("metrics on http://%s:%s/metrics", host, s.metrics_port)
        return runner

    async def serve(self) -> None:
        """Run the web server (and polling when asked) until SIGTERM or SIGINT, then shut down gracefully:
        new webhooks get 503 with Retry-After at once, those being handled finish (at most
        ``SHUTDOWN_GRACE`` s), the listener closes, the outbox finishes the sends under way and hands every
        other row it holds back to the queue, and the process exits."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self._stop.set)
        configure_logs(self.settings.log_format)
        try:  # SQLite takes one server per file; PostgreSQL any number
            server_lock = single_server(self.settings.database_url)
        except AnotherServer as exc:
            log.error("%s", exc)
            raise SystemExit(f"smce-bot serve: {exc}") from None
        await self.start(only_server=server_lock.held)
        tune_gc()
        metrics_runner = await self._metrics_site()
        runner = web.AppRunner(self.web_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.host, self.settings.port, shutdown_timeout=SHUTDOWN_GRACE,
                           reuse_port=self.settings.reuse_port or None)
        await site.start()
        log.info("listening on http://%s:%s", self.settings.host, self.settings.port)
        for name, channel in self.channels.items():
            if isinstance(channel, GoesLive):
                background = await channel.go_live(self._stop)
                if background is not None:  # e.g. Telegram's long polling
                    self._tasks.append(asyncio.create_task(background, name=f"{name}-live"))
        try:
            await self._stop.wait()
            log.info("shutting down: new webhooks get 503, finishing what is under way")
        finally:
            await runner.cleanup()
            if metrics_runner is not None:
                await metrics_runner.cleanup()
            await self.stop()
            server_lock.release()
            log.info("stopped")
