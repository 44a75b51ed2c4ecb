"""Roles: ``smce-bot admin grant trainer <channel> <address>`` or a one-time invite code
(``smce-bot admin invite trainer``) that the new trainer sends as ``/trainer CODE``.

``router`` (``/trainer`` and its code step) is tried *before onboarding* (``handlers.FEATURES``): a new
trainer's first message is often ``/trainer CODE`` as the invite said, and it must not be lost behind the
language question. The code is redeemed at once (the role is granted and the trainer told so), then the
setup questions start. A trainer (granted by an admin) who sends a trainer command such as ``/pending``
before finishing the setup questions is told to finish them first and then send the command again: the
answers (language, country, hence time zone) are what every trainer screen is written in.

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
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.i18n import Translator, normalise_language, translator
from bot.router import Command, InStep, NoPayload, NotOnboarded, Onboarded, Payload, Router
from handlers import onboarding
from handlers.announcements.actions import TRAINER
from handlers.announcements.common import TrainerStep, is_staff, tools
from storage.audit import record
from storage.db import Database
from storage.models import Role, User
from storage.roles import add_attempt, add_invite, attempts_since, unused_invite
from storage.users import get_or_create

log = logging.getLogger(__name__)
router = Router("trainer.roles")
refusals = Router("trainer.refusals")

INVITE_DAYS = 7
CODE_TRIES_PER_HOUR = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
# Commands only trainers have (the market's /pending, the FAQ's /tickets and /unanswered included).
STAFF_COMMANDS = ("announce", "scheduled", "announcements", "report", "pending", "tickets", "unanswered")
CHANNELS = ("telegram", "whatsapp", "terminal")
ADDRESS_FORMS = "telegram:<chat id>, whatsapp:+<number> or terminal:<name>"


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
    code, _ = await make_invite(session, role, now, days)
    return code


async def make_invite(session: AsyncSession, role: str, now: datetime, days: int = INVITE_DAYS) -> tuple[str, int]:
    """A one-time invite code for ``role`` valid ``days`` (only its hash is kept), and the invite's id."""
    code = new_code()
    invite = add_invite(session, hash_code(code), role, now, now + timedelta(days=days))
    await session.flush()
    return code, invite.id


@router.command("trainer", filters=[Onboarded])
async def trainer_command(ctx: Context) -> None:
    code = ctx.msg.command_args.strip()
    if not code:
        ctx.goto(TrainerStep.CODE)
        ctx.reply(ctx._("Please send your invite code."))
        return
    if await redeem(ctx, ctx.t, code):
        tools(ctx, ctx._("Welcome, trainer! You can now send announcements to learners."))


@router.step(TrainerStep.CODE)
async def got_code(ctx: Context) -> None:
    ctx.goto(None)
    if await redeem(ctx, ctx.t, ctx.msg.text.strip()):
        tools(ctx, ctx._("Welcome, trainer! You can now send announcements to learners."))


def first_words(ctx: Context) -> Translator:
    """Before onboarding the user may have no language yet: their app's hint, else English."""
    if ctx.user.language:
        return ctx.t
    return translator(normalise_language(ctx.msg.language_hint), ctx.user.timezone)


@router.command("trainer", filters=[NotOnboarded])
async def trainer_before_onboarding(ctx: Context) -> None:
    """``/trainer CODE`` before (or in the middle of) the setup questions: redeem it now, then go on with them."""
    t = first_words(ctx)
    code = ctx.msg.command_args.strip()
    if not code:
        ctx.reply(t.gettext("Send /trainer followed by your invite code, for example /trainer ABCDE-23456."))
    elif await redeem(ctx, t, code):
        ctx.reply(t.gettext("Welcome, trainer! First a few questions to set you up; then your trainer tools "
                            "are in the menu."))
    onboarding.prompt_current(ctx)


@router.on(Command(*STAFF_COMMANDS), NotOnboarded, is_staff)
async def staff_before_onboarding(ctx: Context) -> None:
    """A trainer's command before the setup questions are answered: say why it waits, then ask them."""
    t = first_words(ctx)
    ctx.reply(t.gettext("You are a trainer here. Please answer the few setup questions first, then send "
                        "/{command} again.", command=ctx.msg.command or ""))
    onboarding.prompt_current(ctx)


async def redeem(ctx: Context, t: Translator, code: str) -> bool:
    """Use an invite code: the role is granted (True), or the person is told why not (False)."""
    tries = await attempts_since(ctx.session, ctx.user.id, "invite-code", ctx.now - timedelta(hours=1))
    if tries >= CODE_TRIES_PER_HOUR:
        await record_attempt(ctx, "invite-code")
        ctx.reply(t.gettext("Too many wrong codes. Please try again in an hour."))
        return False
    invite = await unused_invite(ctx.session, hash_code(code))
    if invite is None or invite.expires_at < ctx.now:
        await record_attempt(ctx, "invite-code")
        ctx.reply(t.gettext("Sorry, that code is not valid (or was already used). Please check it with the team."))
        return False
    invite.used_at = ctx.now
    invite.used_by = ctx.user.id
    if ctx.user.role != Role.ADMIN:
        ctx.user.role = invite.role
    log.info("user %s became %s with an invite code", ctx.user.id, ctx.user.role)
    return True


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
    """The stored address for what an admin typed: ``123`` or ``telegram:123`` → ``telegram:123``;
    ``+856 20 5550 0000``, ``8562055500000`` or ``whatsapp:+8562055500000`` → ``whatsapp:+8562055500000``.
    An address of another channel is a ``ValueError``."""
    channel = channel.lower()
    address = address.strip()
    prefix, colon, rest = address.partition(":")
    if colon and prefix.lower() in CHANNELS:
        if prefix.lower() != channel:
            raise ValueError(f"{address} is a {prefix.lower()} address, not {channel}")
        address = rest.strip()
    if channel == "whatsapp":
        address = re.sub(r"[\s().-]", "", address)
        if address.isdigit():
            address = "+" + address
    return f"{channel}:{address}"


async def set_role_at(session: AsyncSession, channel: str, address: str, role: str) -> tuple[User, str, bool]:
    """Give the person at this address a role (creating them if they never wrote): (them, the role they had,
    created?). The command line and the console's people page both grant this way."""
    user, _, created = await get_or_create(session, channel.lower(), full_address(channel, address))
    was, user.role = user.role, role
    return user, was, created


async def cli_audit(session: AsyncSession, now: datetime, action: str, target: str | None, **detail: Any) -> None:
    """One audit row for an ``smce-bot admin`` command: actor and address "cli" (the server's shell)."""
    await record(session, at=now, actor_id=None, actor="cli", action=action, target=target, address="cli",
                 detail=detail or None)


async def grant_role(db: Database, channel: str, address: str, role: str, now: datetime) -> tuple[int, bool]:
    """``smce-bot admin grant``: the role for the person at this address, audited; (user id, created?)."""
    async with db.transaction() as session:
        user, was, created = await set_role_at(session, channel, address, role)
        action = "role.revoke" if role == Role.LEARNER and was != Role.LEARNER else "role.grant"
        await cli_audit(session, now, action, f"user:{user.id}", role=role, was=was,
                        address=full_address(channel, address))
        return user.id, created


def _grant(args: argparse.Namespace, settings: Any) -> int:
    try:
        where = full_address(args.channel, args.address)
    except ValueError as error:
        print(f"smce-bot admin grant: {error}; write {ADDRESS_FORMS}", file=sys.stderr)
        return 2

    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            user_id, created = await grant_role(db, args.channel, args.address, args.role, datetime.now(UTC))
        finally:
            await db.close()
        print(f"{where} (user {user_id}) is now {args.role}" + (" (they have not written yet)" if created else ""))
        return 0

    return asyncio.run(run())


def _invite(args: argparse.Namespace, settings: Any) -> int:
    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.transaction() as session:
                now = datetime.now(UTC)
                code, invite_id = await make_invite(session, args.role, now, args.days)
                await cli_audit(session, now, "invite.create", f"invite:{invite_id}", role=args.role, days=args.days)
        finally:
            await db.close()
        print(f"One-time {args.role} invite code (valid {args.days} days): {code}")
        print(f"The new {args.role} sends the bot: /trainer {code}")
        return 0

    return asyncio.run(run())


def add_commands(subparsers: Any) -> None:
    admin = subparsers.add_parser("admin", help="roles: grant trainer/admin, make invite codes")
    sub = admin.add_subparsers(dest="admin_command", required=True)
    p = sub.add_parser("grant", help="give the person at an address a role",
                       description="Give the person at an address a role. They still answer the setup "
                                   "questions (language, name, craft, country) on their first message.",
                       epilog="examples: smce-bot admin grant trainer telegram telegram:123456789 | "
                              "smce-bot admin grant trainer whatsapp whatsapp:+8562055512345 | "
                              "smce-bot admin grant admin terminal terminal:noy")
    p.add_argument("role", choices=[Role.TRAINER, Role.ADMIN, Role.LEARNER])
    p.add_argument("channel", choices=list(CHANNELS))
    p.add_argument("address", help=f"the address: {ADDRESS_FORMS} (the part after the colon is enough: "
                                   "123456789, +8562055512345, noy)")
    p.set_defaults(func=_grant)
    p = sub.add_parser("invite", help="print a one-time invite code the new trainer sends as /trainer CODE")
    p.add_argument("role", choices=[Role.TRAINER, Role.ADMIN])
    p.add_argument("--days", type=int, default=INVITE_DAYS, help=f"valid for (default {INVITE_DAYS})")
    p.set_defaults(func=_invite)
