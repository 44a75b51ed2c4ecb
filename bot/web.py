"""The aiohttp application: health check, channel webhooks, and the bot's own media for Twilio."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from bot.media import MediaStore

log = logging.getLogger(__name__)


RETRY_AFTER = "5"  # seconds: when a platform should try again after a 503


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


def build_app(media_store: MediaStore, routes: Iterable[web.RouteDef] = (),
              closing: Callable[[], bool] = lambda: False) -> web.Application:
    """The web app serving ``media_store``'s files and the given routes (each channel's webhooks). While
    ``closing()`` (the service is shutting down), every request gets 503 with Retry-After."""

    @web.middleware
    async def refuse_when_closing(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if closing():
            return unavailable()
        return await handler(request)

    app = web.Application(middlewares=[refuse_when_closing, never_500], client_max_size=2 * 1024 * 1024)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def media(request: web.Request) -> web.StreamResponse:
        path = media_store.path(request.match_info["key"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Content-Type": media_store.content_type(path.name)})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/media/{key}", media)
    app.router.add_routes(list(routes))
    return app
