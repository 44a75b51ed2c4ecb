"""What the trainer's modules share: who is staff, the trainer's conversation steps, the tools menu, and
finding the announcement a button or a step is about."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.context import Context
from bot.i18n import N_
from bot.router import Filter
from bot.types import Button, rows
from handlers.announcements.actions import LIST, NEW, REPORT, TOOLS
from handlers.market.actions import QUEUE
from handlers.menu import HOME, add_item
from storage.announcements import Broadcast, BroadcastStatus
from storage.models import Role

STAFF = (Role.TRAINER, Role.ADMIN)


class TrainerStep(StrEnum):
    TEXT = "trainer.text"
    PROVINCE = "trainer.province"
    WHEN = "trainer.when"
    CODE = "trainer.code"


def is_staff(ctx: Context) -> bool:
    return ctx.user.role in STAFF


staff: list[Filter] = [is_staff]

add_item(N_("Trainer tools"), TOOLS.encode(), 80, visible=is_staff)


def tools(ctx: Context, text: str | None = None) -> None:
    ctx.reply(text or ctx._("Trainer tools"), rows(
        Button(ctx._("New announcement"), NEW.encode()),
        Button(ctx._("Scheduled and sent"), LIST.encode()),
        Button(ctx._("Latest report"), REPORT.encode()),
        Button(ctx._("Listings to review"), QUEUE.encode(0)),
        Button(ctx._("Main menu"), HOME.encode()),
    ))


async def my_broadcast(ctx: Context, broadcast_id: Any, *statuses: str) -> Broadcast | None:
    """The announcement with this id if the user wrote it (or is an admin) and it is in one of ``statuses``."""
    try:
        b = await ctx.session.get(Broadcast, int(broadcast_id))
    except (TypeError, ValueError):
        return None
    if b is None or (b.author_id != ctx.user.id and ctx.user.role != Role.ADMIN):
        return None
    if statuses and b.status not in statuses:
        return None
    return b


async def step_draft(ctx: Context) -> Broadcast | None:
    """The draft this compose step works on; if it is gone, leave the step and show the trainer tools."""
    draft = await my_broadcast(ctx, ctx.data.get("draft"), BroadcastStatus.DRAFT)
    if draft is None:
        ctx.goto(None)
        tools(ctx)
    return draft
