"""Roles: ``smce-bot admin grant trainer <channel> <address>`` or a one-time invite code
(``smce-bot admin invite trainer``) that the new trainer sends as ``/trainer CODE``.

Anyone without the role who tries a trainer action gets a polite refusal; the attempt is logged (python
logging and a row in ``access_attempts``). The refusals are a router of their own (``refusals``), tried
after every trainer route.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.router import Command, InStep, NoPayload, Onboarded, Payload, Router
from handlers.announcements.actions import TRAINER
from handlers.announcements.common import TrainerStep, tools
from storage.db import Database
from storage.models import Role
from storage.roles import add_attempt, add_invite, attempts_since, unused_invite
from storage.users import get_or_create

log = logging.getLogger(__name__)
router = Router("trainer.roles")
refusals = Router("trainer.refusals")

INVITE_DAYS = 7
CODE_TRIES_PER_HOUR = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


# --- refusals and roles ----------------------------------------------------------------------------


async def record_attempt(ctx: Context, action: str) -> None:
    log.warning("refused %s for user %s (%s, role %s)", action, ctx.user.id, ctx.msg.address, ctx.user.role)
    add_attempt(ctx.session, ctx.user.id, ctx.msg.address, action, ctx.now)


async def refuse(ctx: Context) -> None:
    action = ctx.msg.payload or f"/{ctx.msg.command}"
    await record_attempt(ctx, action)
    ctx.reply(ctx._("Sorry, this is only for trainers. If you run trainings, ask the team for an invite code, "
                    "then send /trainer followed by the code."))


def hash_code(code: str) -> str:
    clean = re.sub(r"[\s-]", "", code).upper()
    return hashlib.sha256(clean.encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


async def create_invite(session: AsyncSession, role: str, now: datetime, days: int = INVITE_DAYS) -> str:
    code = new_code()
    add_invite(session, hash_code(code), role, now, now + timedelta(days=days))
    return code


@router.command("trainer", filters=[Onboarded])
async def trainer_command(ctx: Context) -> None:
    code = ctx.msg.command_args.strip()
    if not code:
        ctx.goto(TrainerStep.CODE)
        ctx.reply(ctx._("Please send your invite code."))
        return
    await redeem(ctx, code)


@router.step(TrainerStep.CODE)
async def got_code(ctx: Context) -> None:
    ctx.goto(None)
    await redeem(ctx, ctx.msg.text.strip())


async def redeem(ctx: Context, code: str) -> None:
    tries = await attempts_since(ctx.session, ctx.user.id, "invite-code", ctx.now - timedelta(hours=1))
    if tries >= CODE_TRIES_PER_HOUR:
        await record_attempt(ctx, "invite-code")
        ctx.reply(ctx._("Too many wrong codes. Please try again in an hour."))
        return
    invite = await unused_invite(ctx.session, hash_code(code))
    if invite is None or invite.expires_at < ctx.now:
        await record_attempt(ctx, "invite-code")
        ctx.reply(ctx._("Sorry, that code is not valid (or was already used). Please check it with the team."))
        return
    invite.used_at = ctx.now
    invite.used_by = ctx.user.id
    if ctx.user.role != Role.ADMIN:
        ctx.user.role = invite.role
    log.info("user %s became %s with an invite code", ctx.user.id, ctx.user.role)
    tools(ctx, ctx._("Welcome, trainer! You can now send announcements to learners."))


# --- anyone else: refusals (after every trainer route) ------------------------------------------------


@refusals.on(Command("announce", "report", "scheduled", "announcements"))
@refusals.on(Payload(TRAINER))
async def not_a_trainer(ctx: Context) -> None:
    await refuse(ctx)


@refusals.on(InStep(*TrainerStep), NoPayload)
async def stale_step(ctx: Context) -> None:
    """A trainer step left behind by someone who is no longer a trainer."""
    ctx.goto(None)
    await refuse(ctx)


# --- command line: smce-bot admin ... ----------------------------------------------------------------


def full_address(channel: str, address: str) -> str:
    channel = channel.lower()
    return address if address.startswith(f"{channel}:") else f"{channel}:{address}"


async def grant_role(db: Database, channel: str, address: str, role: str, now: datetime) -> tuple[int, bool]:
    """Give the person at this address a role (creating them if they never wrote); (user id, created?)."""
    async with db.transaction() as session:
        user, _, created = await get_or_create(session, channel.lower(), full_address(channel, address))
        user.role = role
        return user.id, created


def _grant(args: argparse.Namespace, settings: Any) -> int:
    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            user_id, created = await grant_role(db, args.channel, args.address, args.role, datetime.now(UTC))
        finally:
            await db.close()
        where = full_address(args.channel, args.address)
        print(f"{where} (user {user_id}) is now {args.role}" + (" (they have not written yet)" if created else ""))
        return 0

    return asyncio.run(run())


def _invite(args: argparse.Namespace, settings: Any) -> int:
    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.transaction() as session:
                code = await create_invite(session, args.role, datetime.now(UTC), args.days)
        finally:
            await db.close()
        print(f"One-time {args.role} invite code (valid {args.days} days): {code}")
        print(f"The new {args.role} sends the bot: /trainer {code}")
        return 0

    return asyncio.run(run())


def add_commands(subparsers: Any) -> None:
    admin = subparsers.add_parser("admin", help="roles: grant trainer/admin, make invite codes")
    sub = admin.add_subparsers(dest="admin_command", required=True)
    p = sub.add_parser("grant", help="give the person at an address a role")
    p.add_argument("role", choices=[Role.TRAINER, Role.ADMIN, Role.LEARNER])
    p.add_argument("channel", choices=["telegram", "whatsapp", "terminal"])
    p.add_argument("address", help="telegram chat id, WhatsApp number (+856...), or terminal user")
    p.set_defaults(func=_grant)
    p = sub.add_parser("invite", help="print a one-time invite code the new trainer sends as /trainer CODE")
    p.add_argument("role", choices=[Role.TRAINER, Role.ADMIN])
    p.add_argument("--days", type=int, default=INVITE_DAYS, help=f"valid for (default {INVITE_DAYS})")
    p.set_defaults(func=_invite)
