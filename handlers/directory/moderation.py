"""Moderation of directory profiles by trainers and admins, as for listings: approve, or reject with a reason
the owner is told in their language.

Payloads: ``dir:mod:ok:<id>``, ``dir:mod:no:<id>``, ``dir:mod:back`` (see ``actions``); ``/profiles`` lists
what waits.
"""

from __future__ import annotations

from bot.context import Context
from bot.router import Command, Router
from bot.types import Button, Reply, rows
from handlers.directory.actions import APPROVE, MINE, MOD_BACK, REJECT, VIEW, moderation_button
from handlers.directory.common import (
    REASON_MAX,
    STATUS_LABELS,
    DirStep,
    clean_line,
    home_button,
    is_moderator,
    no_command,
    owner_t,
)
from storage.directory import Profile, ProfileStatus, pending_profiles, profile_of
from storage.models import User

router = Router("directory.moderation")


def approve_profile(profile: Profile, moderator_id: int, ctx: Context) -> None:
    profile.status = ProfileStatus.ACTIVE
    profile.reject_reason = None
    profile.moderator_id, profile.moderated_at, profile.updated_at = moderator_id, ctx.now, ctx.now


def reject_profile(profile: Profile, reason: str, moderator_id: int, ctx: Context) -> None:
    profile.status = ProfileStatus.REJECTED
    profile.reject_reason = reason
    profile.moderator_id, profile.moderated_at, profile.updated_at = moderator_id, ctx.now, ctx.now


async def target(ctx: Context, profile_id: int) -> Profile | None:
    profile = await profile_of(ctx.session, profile_id)
    if profile is None:
        ctx.reply(ctx._("That profile is no longer there."), rows(home_button(ctx)))
    return profile


@router.on(Command("profiles"), is_moderator)
async def waiting(ctx: Context) -> None:
    found = await pending_profiles(ctx.session)
    if not found:
        ctx.reply(ctx._("No directory profiles wait for review."), rows(home_button(ctx)))
        return
    ctx.reply(ctx.ngettext("{n} profile waits for review:", "{n} profiles wait for review:", len(found)),
              rows(*(Button(p.name[:30], VIEW.encode(p.id)) for p in found), home_button(ctx)))


@router.on(APPROVE, is_moderator)
async def approve(ctx: Context) -> None:
    if (profile := await target(ctx, APPROVE.arg(ctx))) is None:
        return
    if profile.status != ProfileStatus.PENDING:
        ctx.reply(ctx._("Already handled: “{name}” is {status}.", name=profile.name,
                        status=ctx._(STATUS_LABELS[profile.status])))
        return
    approve_profile(profile, ctx.user.id, ctx)
    ctx.reply(ctx._("Approved: “{name}” is in the directory.", name=profile.name), rows(home_button(ctx)))
    owner = await ctx.session.get(User, profile.owner_id)
    if owner is not None:
        t = owner_t(owner)
        ctx.send(owner, Reply(t.gettext("✅ Your profile “{name}” is now in the directory.", name=profile.name),
                              rows(Button(t.gettext("My directory profile"), MINE.encode())), kind="moderation"))


@router.on(REJECT, is_moderator)
async def reject(ctx: Context) -> None:
    if (profile := await target(ctx, REJECT.arg(ctx))) is None:
        return
    if profile.status not in (ProfileStatus.PENDING, ProfileStatus.ACTIVE):
        ctx.reply(ctx._("Already handled: “{name}” is {status}.", name=profile.name,
                        status=ctx._(STATUS_LABELS[profile.status])))
        return
    ctx.goto(DirStep.REJECT, profile=profile.id)
    ctx.reply(ctx._("Why is “{name}” not accepted? Type the reason; the owner will be told.", name=profile.name),
              rows(Button(ctx._("Cancel"), MOD_BACK.encode())))


@router.on(MOD_BACK, is_moderator)
async def back(ctx: Context) -> None:
    ctx.goto(None)
    ctx.reply(ctx._("Nothing was changed."), rows(home_button(ctx)))


@router.step(DirStep.REJECT, filters=[is_moderator, no_command])
async def got_reason(ctx: Context) -> None:
    profile = await profile_of(ctx.session, int(ctx.data.get("profile") or 0))
    if profile is None or profile.status not in (ProfileStatus.PENDING, ProfileStatus.ACTIVE):
        ctx.goto(None)
        ctx.reply(ctx._("That profile was already handled."), rows(home_button(ctx)))
        return
    reason = clean_line(ctx.msg.text)
    if not reason or ctx.msg.media:
        ctx.reply(ctx._("Please type the reason."), rows(Button(ctx._("Cancel"), MOD_BACK.encode())))
        return
    if len(reason) > REASON_MAX:
        ctx.reply(ctx._("Please keep the reason under {max} characters.", max=REASON_MAX))
        return
    reject_profile(profile, reason, ctx.user.id, ctx)
    ctx.goto(None)
    ctx.reply(ctx._("“{name}” was rejected; the owner was told why.", name=profile.name), rows(home_button(ctx)))
    owner = await ctx.session.get(User, profile.owner_id)
    if owner is not None:
        t = owner_t(owner)
        ctx.send(owner, Reply(t.gettext("Your profile “{name}” was not accepted. Reason: {reason}\nYou can change it "
                                        "and send it again from My directory profile.", name=profile.name,
                                        reason=reason),
                              rows(Button(t.gettext("My directory profile"), MINE.encode())), kind="moderation"))


@router.on(moderation_button)
async def not_moderator(ctx: Context) -> None:
    ctx.reply(ctx._("Only moderators can do that."), rows(home_button(ctx)))
