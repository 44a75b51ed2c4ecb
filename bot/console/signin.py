"""Signing in with a one-time link, and out: ``/admin/signin`` (how to get a link), ``/admin/login/<token>``
(a confirmation button: chat apps open links to preview them, which must not use the link up), the POST that
uses the link and starts a session, and ``/admin/logout``."""

from __future__ import annotations

from aiohttp import web

from bot.console.auth import (
    CONSOLE,
    COOKIE,
    IDLE,
    PRE_COOKIE,
    PUBLIC,
    TRAINER,
    VISITOR,
    new_secret,
    page,
    set_cookie,
)
from bot.console.links import hash_token, may_sign_in
from bot.console.render import render
from storage.models import User
from storage.sessions import add_session, login_by_hash, revoke_sessions


@page("GET", "/signin", PUBLIC)
async def sign_in_help(request: web.Request) -> web.StreamResponse:
    return render(request, "signin.html", signed_out=False)


@page("GET", "/login/{token}", PUBLIC)
async def confirm(request: web.Request) -> web.StreamResponse:
    pre = new_secret()
    response = render(request, "confirm.html", pre=pre, token=request.match_info["token"])
    set_cookie(request, response, PRE_COOKIE, pre, max_age=15 * 60)
    return response


@page("POST", "/login/{token}", PUBLIC)
async def log_in(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    now = console.clock.now()
    token = new_secret()
    async with console.db.transaction() as session:
        login = await login_by_hash(session, hash_token(request.match_info["token"]))
        user = await session.get(User, login.user_id) if login is not None else None
        usable = login is not None and login.used_at is None and login.expires_at > now
        if login is not None and login.used_at is None:
            login.used_at = now
        if not usable or user is None or not may_sign_in(user.role):
            refused = True
        else:
            refused = False
            add_session(session, hash_token(token), user.id, new_secret(), now, request.headers.get("User-Agent"))
    if refused:
        return render(request, "refused.html", status=403)
    response = web.HTTPSeeOther("/admin")
    set_cookie(request, response, COOKIE, token, max_age=int(IDLE.total_seconds()) * 6)
    response.del_cookie(PRE_COOKIE, path="/admin")
    raise response


@page("POST", "/logout", TRAINER)
async def log_out(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = request[VISITOR]
    assert visitor is not None  # the guard let a trainer through
    async with console.db.transaction() as session:
        await revoke_sessions(session, console.clock.now(), token_hash=visitor.session_hash)
    response = render(request, "signin.html", signed_out=True)
    response.del_cookie(COOKIE, path="/admin")
    return response
