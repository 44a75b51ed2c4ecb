"""Who may see which console page: the route table, sessions, CSRF and the security headers.

Every console route is declared with ``@page(method, path, role)``; the role is ``PUBLIC`` (sign-in pages and
the stylesheet), ``TRAINER`` (trainers and admins) or ``ADMIN``. The middleware lets a request through only
when its route is in the table and the session's person has the role: anyone else is sent to the sign-in
help page, which shows no data. A route missing from the table is refused (and fails the route-table test).
Every POST carries the session's CSRF token (``csrf`` form field, compared in constant time): else 403.
Every response carries the headers in ``SECURITY_HEADERS``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.console.links import base_url, hash_token
from bot.context import Clock
from storage.db import Database
from storage.models import Role, User
from storage.sessions import live_session

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PUBLIC = "public"
TRAINER = Role.TRAINER
ADMIN = Role.ADMIN
ALLOWED: dict[str, tuple[str, ...]] = {TRAINER: (Role.TRAINER, Role.ADMIN), ADMIN: (Role.ADMIN,)}

COOKIE = "smce_console"
PRE_COOKIE = "smce_signin"  # the sign-in form's CSRF token, before there is a session
IDLE = timedelta(hours=2)
TOUCH_EVERY = timedelta(minutes=1)
SIGN_IN_PAGE = "/admin/signin"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Console:
    """What the console's handlers share (``request.app[CONSOLE]``)."""

    db: Database
    settings: Settings
    clock: Clock

    @property
    def base(self) -> str:
        return base_url(self.settings)


CONSOLE = web.AppKey("console", Console)


@dataclass(frozen=True)
class Page:
    method: str
    path: str  # inside the console's sub-app (mounted at /admin)
    role: str
    handler: Handler


ROUTES: list[Page] = []  # the route table: every console route with the role it needs


def page(method: str, path: str, role: str) -> Callable[[Handler], Handler]:
    """Declare a console route and the role it needs."""
    if role not in (PUBLIC, TRAINER, ADMIN):
        raise ValueError(f"unknown role {role}")

    def register(handler: Handler) -> Handler:
        ROUTES.append(Page(method, path, role, handler))
        return handler

    return register


def role_of(handler: Any) -> str | None:
    for declared in ROUTES:
        if declared.handler is handler:
            return declared.role
    return None


@dataclass
class Visitor:
    """The signed-in person of a request (``request[VISITOR]``)."""

    user: User
    session_hash: str
    csrf: str


VISITOR: web.RequestKey[Visitor | None] = web.RequestKey("visitor")


def secure_cookies(request: web.Request) -> bool:
    return str(request.app[CONSOLE].base).startswith("https://")


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/admin", httponly=True, samesite="Lax",
                        secure=secure_cookies(request))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


async def load_visitor(request: web.Request) -> Visitor | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    console = request.app[CONSOLE]
    now = console.clock.now()
    async with console.db.transaction() as session:
        row = await live_session(session, hash_token(token), now - IDLE)
        if row is None:
            return None
        user = await session.get(User, row.user_id)
        if user is None:
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        session.expunge(user)
        return Visitor(user, row.token_hash, row.csrf)


def to_sign_in() -> web.HTTPException:
    return web.HTTPSeeOther(SIGN_IN_PAGE)


def with_headers(headers: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        if name != "Cache-Control" or name not in headers:
            headers[name] = value


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """The headers on every response, streamed ones (exports) included: set just before it is sent."""
    with_headers(response.headers)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The route table's role and CSRF on every POST; the headers on refusals too."""
    try:
        return await _guarded(request, handler)
    except web.HTTPException as exc:
        with_headers(exc.headers)
        raise


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = request.match_info.route
    if route.resource is None:  # no such page (404/405): aiohttp's answer, with our headers
        return await handler(request)
    role = role_of(route.handler)
    if role is None:
        raise web.HTTPForbidden(text="route without a declared role")
    visitor = await load_visitor(request)
    request[VISITOR] = visitor
    if role != PUBLIC and (visitor is None or visitor.user.role not in ALLOWED[role]):
        if visitor is not None and visitor.user.role in ALLOWED[TRAINER]:
            raise web.HTTPForbidden(text="for admins only")
        raise to_sign_in()
    if request.method == "POST":
        form = await request.post()
        expected = request.cookies.get(PRE_COOKIE) if role == PUBLIC else visitor.csrf if visitor else None
        given = form.get("csrf")
        if not csrf_ok(expected, given if isinstance(given, str) else None):
            raise web.HTTPForbidden(text="missing or wrong CSRF token")
    return await handler(request)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
