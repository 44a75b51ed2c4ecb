"""The trainer console's sign-in from chat: ``/web`` gives a trainer or admin a one-time link (15 minutes,
once) to the web console; anyone else gets the polite refusal of the trainer tools (and it is logged).
``smce-bot admin web-login CHANNEL ADDRESS`` prints such a link for an operator on the server."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.console.links import LINK_MINUTES, issue_link, may_sign_in
from bot.context import Context
from bot.jobs import Job, JobContext
from bot.router import Router
from handlers.announcements.roles import ADDRESS_FORMS, CHANNELS, cli_audit, full_address, refuse
from storage.console_learners import refresh_learners
from storage.console_summary import refresh
from storage.db import Database
from storage.models import User
from storage.users import find_address

router = Router("console")


async def refresh_summaries(jc: JobContext) -> int:
    """Summarise the days that closed or changed since the last run (``storage.console_summary``) and take
    the day's learner snapshot (``storage.console_learners``)."""
    await refresh(jc.db, jc.deps.clock.now())
    await refresh_learners(jc.db, jc.deps.clock.now())
    return 0  # nothing for the outbox to send


JOBS = [Job("console-summaries", 300.0, refresh_summaries)]


@router.command("web")
async def web_link(ctx: Context) -> None:
    if not may_sign_in(ctx.user.role):
        await refuse(ctx)
        return
    link = issue_link(ctx.session, ctx.user.id, ctx.deps.settings, ctx.now)
    ctx.reply(ctx.ngettext("Your sign-in link to the web console (it works once, for {n} minute): {link}",
                           "Your sign-in link to the web console (it works once, for {n} minutes): {link}",
                           LINK_MINUTES, link=link))


# --- command line: smce-bot admin web-login CHANNEL ADDRESS -----------------------------------------------


async def login_link(settings: Settings, channel: str, address: str, now: datetime) -> tuple[str | None, str]:
    """(link, "") for a trainer or admin at this address, else (None, why not)."""
    where = full_address(channel, address)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            found = await find_address(session, where)
            user = await session.get(User, found.user_id) if found is not None else None
            if user is None:
                return None, f"nobody has written from {where}"
            if not may_sign_in(user.role):
                return None, (f"{where} (user {user.id}) is a {user.role}, not a trainer or admin: "
                              f"grant the role first (smce-bot admin grant trainer {channel} {address})")
            link = issue_link(session, user.id, settings, now)
            await cli_audit(session, now, "login.link", f"user:{user.id}", address=where)
            return link, ""
    finally:
        await db.close()


def _web_login(args: argparse.Namespace, settings: Any) -> int:
    try:
        link, why = asyncio.run(login_link(settings, args.channel, args.address, datetime.now(UTC)))
    except ValueError as error:
        print(f"smce-bot admin web-login: {error}; write {ADDRESS_FORMS}", file=sys.stderr)
        return 2
    if link is None:
        print(f"smce-bot admin web-login: no link: {why}", file=sys.stderr)
        return 1
    print(f"One-time sign-in link to the console (valid {LINK_MINUTES} minutes, works once):")
    print(link)
    return 0


def add_commands(subparsers: Any) -> None:
    """``web-login`` joins the ``admin`` commands (``handlers.announcements`` adds them first)."""
    admin = subparsers.choices.get("admin") or subparsers.add_parser("admin", help="roles and console sign-in")
    actions = [a for a in admin._actions if isinstance(a, argparse._SubParsersAction)]
    sub = actions[0] if actions else admin.add_subparsers(dest="admin_command", required=True)
    p = sub.add_parser("web-login", help="print a one-time sign-in link to the web console",
                       description=f"Print a one-time link (valid {LINK_MINUTES} minutes) that signs the trainer "
                                   "or admin at this address in to the web console.",
                       epilog="example: smce-bot admin web-login telegram 123456789")
    p.add_argument("channel", choices=list(CHANNELS))
    p.add_argument("address", help=f"the address: {ADDRESS_FORMS}")
    p.set_defaults(func=_web_login)
