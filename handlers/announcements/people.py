"""``/admin/people`` (admins only): the trainers and admins, granting and revoking roles, one-time invite codes
and ending another person's console sessions.

Granting by address and invite codes are those of ``smce-bot admin grant|invite`` (``roles.set_role_at``,
``roles.make_invite``). Revoking makes the person a learner again and ends their console sessions. Nobody
changes their own role here, and the last admin stays an admin. Each action writes one audit row
(``role.grant``, ``role.revoke``, ``invite.create``, ``session.end``; target ``user:<id>`` or
``invite:<id>``); the code itself is shown once and kept nowhere (only its hash).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.actions import back_to, field, notice, number
from bot.console.audit import audited
from bot.console.auth import ADMIN, CONSOLE, IDLE, VISITOR, page
from bot.console.render import add_nav, render, texts
from bot.console.texts import TEXTS
from bot.i18n import N_
from handlers.announcements.roles import CHANNELS, INVITE_DAYS, full_address, make_invite, set_role_at
from storage.models import Role, User
from storage.roles import count_admins, open_invites, staff
from storage.sessions import revoke_sessions
from storage.users import find_address

TEXTS.update({
    "ppl_menu": N_("People"),
    "ppl_title": N_("Trainers and admins"),
    "ppl_role": N_("Role"),
    "ppl_trainer": N_("Trainer"),
    "ppl_admin": N_("Admin"),
    "ppl_learner": N_("Learner"),
    "ppl_sessions": N_("Signed in"),
    "ppl_console_seen": N_("Last in the console"),
    "ppl_make_admin": N_("Make admin"),
    "ppl_make_trainer": N_("Make trainer"),
    "ppl_revoke": N_("Revoke the role"),
    "ppl_end_sessions": N_("Sign out everywhere"),
    "ppl_you": N_("you"),
    "ppl_nobody": N_("Nobody has a trainer or admin role yet."),
    "ppl_grant_title": N_("Give a role"),
    "ppl_grant_help": N_("The person at this address gets the role (they answer the setup questions on their "
                         "first message if they never wrote)."),
    "ppl_address": N_("Address"),
    "ppl_grant": N_("Give the role"),
    "ppl_invite_title": N_("One-time invite code"),
    "ppl_invite_help": N_("The new trainer or admin sends the code to the bot as /trainer CODE. It works once."),
    "ppl_days": N_("Valid for (days)"),
    "ppl_invite": N_("Make a code"),
    "ppl_code_title": N_("New invite code"),
    "ppl_code_help": N_("Copy it now: it is shown only once. The new {role} sends the bot: /trainer {code}"),
    "ppl_code_until": N_("Valid until {date}."),
    "ppl_open_invites": N_("Codes not used yet"),
    "ppl_created": N_("Made"),
    "ppl_until": N_("Until"),
    "ppl_done_granted": N_("Person #{number} has the new role."),
    "ppl_done_revoked": N_("Person #{number} is a learner again and signed out of the console."),
    "ppl_done_ended": N_("Person #{number} is signed out of the console everywhere."),
    "ppl_self": N_("You cannot change your own role or end your own sessions here (use Sign out)."),
    "ppl_last_admin": N_("The last admin cannot stop being an admin: make someone else admin first."),
    "ppl_bad_address": N_("That address cannot be used: write telegram:<chat id>, whatsapp:+<number> or "
                          "terminal:<name>."),
    "ppl_bad_role": N_("Pick a role: nothing was changed."),
    "ppl_gone": N_("That person is no longer there."),
})
add_nav("/people", "ppl_menu", ADMIN, 80)

PEOPLE_URL = "/admin/people"
ROLES = (Role.TRAINER, Role.ADMIN)
MAX_DAYS = 30
NOTICES = {
    "granted": ("ppl_done_granted", False), "revoked": ("ppl_done_revoked", False),
    "ended": ("ppl_done_ended", False), "self": ("ppl_self", True), "last_admin": ("ppl_last_admin", True),
    "address": ("ppl_bad_address", True), "role": ("ppl_bad_role", True), "gone": ("ppl_gone", True),
}


async def people_page(request: web.Request, **extra: Any) -> web.Response:
    console = request.app[CONSOLE]
    now = console.clock.now()
    async with console.db.read() as session:
        found = await staff(session, now - IDLE)
        rows = [{"id": user.id, "name": user.name or f"#{user.id}", "role": user.role, "live": live, "seen": seen,
                 "addresses": [a.address for a in user.addresses]} for user, live, seen in found]
        invites = await open_invites(session, now)
    context: dict[str, Any] = {"rows": rows, "invites": invites, "channels": CHANNELS, "max_days": MAX_DAYS,
                               "invite_days": INVITE_DAYS, "back": PEOPLE_URL, "code": None,
                               "notice": notice(request, texts(request), NOTICES)}
    context.update(extra)
    return render(request, "people.html", **context)


@page("GET", "/people", ADMIN)
async def people(request: web.Request) -> web.StreamResponse:
    return await people_page(request)


async def _change(request: web.Request, session: AsyncSession, user: User, role: str, actor: int) -> str:
    """Set ``user``'s role (``learner`` revokes) with the guards; the notice key."""
    if user.id == actor:
        return "self"
    if user.role == Role.ADMIN and role != Role.ADMIN and await count_admins(session) <= 1:
        return "last_admin"
    was, user.role = user.role, role
    if role == Role.LEARNER:
        ended = await revoke_sessions(session, request.app[CONSOLE].clock.now(), user_id=user.id)
        await audited(request, session, "role.revoke", f"user:{user.id}", was=was, sessions_ended=ended)
        return "revoked"
    await audited(request, session, "role.grant", f"user:{user.id}", role=role, was=was)
    return "granted"


@page("POST", "/people/{id}/role", ADMIN)
async def change_role(request: web.Request) -> web.StreamResponse:
    visitor = request[VISITOR]
    assert visitor is not None
    form = await request.post()
    user_id, role = number(request.match_info["id"]), field(form, "role", 20)
    async with request.app[CONSOLE].db.transaction() as session:
        user = await session.get(User, user_id) if user_id else None
        if user is None:
            done = "gone"
        elif role not in (*ROLES, Role.LEARNER):
            done = "role"
        else:
            done = await _change(request, session, user, role, visitor.user.id)
    raise back_to(form, PEOPLE_URL, done, user_id)


@page("POST", "/people/grant", ADMIN)
async def grant(request: web.Request) -> web.StreamResponse:
    visitor = request[VISITOR]
    assert visitor is not None
    form = await request.post()
    channel, typed, role = field(form, "channel", 20), field(form, "address", 100), field(form, "role", 20)
    if role not in ROLES:
        raise back_to(form, PEOPLE_URL, "role")
    try:
        where = full_address(channel, typed) if channel in CHANNELS and typed.strip(":+ ") else None
    except ValueError:
        where = None
    if where is None or len(where) > 100:
        raise back_to(form, PEOPLE_URL, "address")
    user_id: int | None = None
    async with request.app[CONSOLE].db.transaction() as session:
        found = await find_address(session, where)
        user = await session.get(User, found.user_id) if found is not None else None
        if user is not None:
            user_id = user.id
            done = await _change(request, session, user, role, visitor.user.id)
        else:
            created, was, _ = await set_role_at(session, channel, typed, role)
            user_id = created.id
            await audited(request, session, "role.grant", f"user:{created.id}", role=role, was=was, address=where,
                          new=True)
            done = "granted"
    raise back_to(form, PEOPLE_URL, done, user_id)


@page("POST", "/people/{id}/sessions", ADMIN)
async def end_sessions(request: web.Request) -> web.StreamResponse:
    visitor = request[VISITOR]
    assert visitor is not None
    form = await request.post()
    user_id = number(request.match_info["id"])
    async with request.app[CONSOLE].db.transaction() as session:
        user = await session.get(User, user_id) if user_id else None
        if user is None:
            done = "gone"
        elif user.id == visitor.user.id:
            done = "self"
        else:
            ended = await revoke_sessions(session, request.app[CONSOLE].clock.now(), user_id=user.id)
            await audited(request, session, "session.end", f"user:{user.id}", sessions_ended=ended)
            done = "ended"
    raise back_to(form, PEOPLE_URL, done, user_id)


@page("POST", "/people/invite", ADMIN)
async def invite(request: web.Request) -> web.StreamResponse:
    """Make a one-time code and show it once, on this answer (never in a URL, never stored)."""
    form = await request.post()
    role = field(form, "role", 20)
    days = min(max(number(field(form, "days", 5)) or INVITE_DAYS, 1), MAX_DAYS)
    if role not in ROLES:
        raise back_to(form, PEOPLE_URL, "role")
    now: datetime = request.app[CONSOLE].clock.now()
    async with request.app[CONSOLE].db.transaction() as session:
        code, invite_id = await make_invite(session, role, now, days)
        await audited(request, session, "invite.create", f"invite:{invite_id}", role=role, days=days)
    return await people_page(request, code=code, code_role=role, code_until=now + timedelta(days=days))
