"""The console as an aiohttp sub-application mounted at ``/admin`` on the service's web app."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.config import Settings
from bot.console import audit, courses, dashboard, exports, faq_gaps, learners, signin  # noqa: F401 - they declare routes
from bot.console.auth import CONSOLE, PUBLIC, ROUTES, Console, guard, on_prepare, page
from bot.context import Clock
from storage.db import Database

HERE = Path(__file__).resolve().parent
PREFIX = "/admin"


@page("GET", "/static/console.css", PUBLIC)
async def stylesheet(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(HERE / "static" / "console.css", headers={"Content-Type": "text/css",
                                                                     "Cache-Control": "max-age=3600"})


def console_app(db: Database, settings: Settings, clock: Clock) -> web.Application:
    """The console: every route of the route table (``bot.console.auth.ROUTES``) behind its guard."""
    app = web.Application(middlewares=[guard])
    app[CONSOLE] = Console(db, settings, clock)
    app.on_response_prepare.append(on_prepare)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"),
                         autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                         undefined=jinja2.StrictUndefined)
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
    return app


def add_console(app: web.Application, db: Database, settings: Settings, clock: Clock) -> None:
    """Mount the console at ``/admin`` on the service's app."""
    app.add_subapp(PREFIX, console_app(db, settings, clock))
