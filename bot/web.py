"""The aiohttp application: health and readiness, metrics, channel webhooks, and the bot's own media and
documents for Twilio."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from bot.documents import DocumentStore
from bot.media import MediaStore
from bot.metrics import Outcome, count_update

log = logging.getLogger(__name__)


RETRY_AFTER = "5"  # seconds: when a platform should try again after a 503
WEBHOOKS = "/webhooks/"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Readiness = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


def unavailable() -> web.Response:
    return web.Response(status=503, text="temporarily unavailable", headers={"Retry-After": RETRY_AFTER})


@web.middleware
async def never_500(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Bad input is the sender's fault and the channels answer it with a 4xx (``bot.channels.inbound``
    reads every body before anything else); only our own failure gets here: 503 with Retry-After, so
    platforms send it again later."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("request to %s failed", request.path)
        return unavailable()


@web.middleware
async def count_rejected(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Webhook calls answered with a 4xx (bad signature, malformed body) count as rejected updates."""
    if not request.path.startswith(WEBHOOKS):
        return await handler(request)
    channel = request.path[len(WEBHOOKS):].split("/", 1)[0] or "unknown"
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if 400 <= exc.status < 500:
            count_update(channel, Outcome.REJECTED)
        raise
    if 400 <= response.status < 500:
        count_update(channel, Outcome.REJECTED)
    return response


def build_app(media_store: MediaStore, routes: Iterable[web.RouteDef] = (),
              closing: Callable[[], bool] = lambda: False, *, ready: Readiness | None = None,
              metrics: Handler | None = None, documents: DocumentStore | None = None) -> web.Application:
    """The web app serving ``media_store``'s files and the given routes (each channel's webhooks). While
    ``closing()`` (the service is shutting down), every request gets 503 with Retry-After. ``ready`` is the
    readiness check behind ``GET /readyz``; ``metrics``, when given, serves ``GET /metrics``."""

    @web.middleware
    async def refuse_when_closing(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if closing():
            return unavailable()
        return await handler(request)

    app = web.Application(middlewares=[refuse_when_closing, count_rejected, never_500],
                          client_max_size=2 * 1024 * 1024)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(_: web.Request) -> web.Response:
        ok, details = await ready() if ready is not None else (True, {})
        return web.json_response({"ready": ok, **details}, status=200 if ok else 503)

    async def media(request: web.Request) -> web.StreamResponse:
        path = media_store.path(request.match_info["key"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Content-Type": media_store.content_type(path.name)})

    async def document(request: web.Request) -> web.StreamResponse:
        path = documents.path(request.match_info["key"]) if documents is not None else None
        if path is None:
            raise web.HTTPNotFound()
        # text/plain: WhatsApp takes plain-text documents, not application/json; the file is JSON all the same.
        return web.FileResponse(path, headers={"Content-Type": "text/plain; charset=utf-8",
                                               "Cache-Control": "no-store"})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/media/{key}", media)
    app.router.add_get("/documents/{key}", document)
    if metrics is not None:
        app.router.add_get("/metrics", metrics)
    app.router.add_routes(list(routes))
    return app


def metrics_app(metrics: Handler) -> web.Application:
    """The separate listener's app (``METRICS_PORT``): ``/metrics`` and ``/healthz`` only."""
    app = web.Application()

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    return app
