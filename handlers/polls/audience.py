"""Who a poll goes to: the same filters as announcements (language, country, province, craft, course state;
they combine), described and counted by ``handlers.announcements.audiences`` and
``storage.announcements.audience_count``; then anonymous or named."""

from __future__ import annotations

from bot.context import Context
from bot.router import InStep, NoPayload, Router
from bot.types import Button, rows
from handlers.announcements.audiences import (
    ask_course_state,
    ask_filter,
    describe_audience,
    reach_text,
    with_filter,
    with_province,
)
from handlers.announcements.common import staff
from handlers.polls.actions import ANONYMOUS, AUDIENCE, COURSE, DISCARD, LIST, SET
from handlers.polls.common import PollStep, my_poll
from storage.announcements import audience_count
from storage.polls import Poll, PollStatus

router = Router("polls.audience")


def gone(ctx: Context) -> None:
    ctx.goto(None)
    ctx.reply(ctx._("That poll is no longer a draft."), rows(Button(ctx._("Polls"), LIST.encode())))


async def audience_screen(ctx: Context, poll: Poll) -> None:
    reach, opted_out = await audience_count(ctx.session, poll.audience or {}, poll.author_id)
    lines = [ctx._("Audience: {audience}", audience=describe_audience(ctx.t, poll.audience or {}, ctx.deps.library)),
             reach_text(ctx, reach, opted_out),
             ctx._("Add filters to narrow it (they combine), then continue.")]
    i = poll.id
    ctx.reply("\n".join(lines), rows(
        Button(ctx._("Language"), AUDIENCE.encode(i, "language")),
        Button(ctx._("Country"), AUDIENCE.encode(i, "country")),
        Button(ctx._("Province"), AUDIENCE.encode(i, "province")),
        Button(ctx._("Craft"), AUDIENCE.encode(i, "craft")),
        Button(ctx._("Course"), AUDIENCE.encode(i, "course")),
        Button(ctx._("Everyone"), AUDIENCE.encode(i, "clear")),
        Button(ctx._("Continue"), AUDIENCE.encode(i, "next")),
        Button(ctx._("Discard"), DISCARD.encode(i)),
        width=2,
    ), title=ctx._("New poll"))


def ask_anonymous(ctx: Context, poll: Poll) -> None:
    ctx.reply(ctx._("Should the answers be anonymous? Then nobody, not even an admin, can see who answered "
                    "what: only the totals are kept."),
              rows(Button(ctx._("Anonymous"), ANONYMOUS.encode(poll.id, 1)),
                   Button(ctx._("Named"), ANONYMOUS.encode(poll.id, 0))))


@router.on(AUDIENCE, *staff)
async def audience_choice(ctx: Context) -> None:
    poll_id, which = AUDIENCE.args(ctx)
    poll = await my_poll(ctx, poll_id, PollStatus.DRAFT)
    if poll is None:
        gone(ctx)
        return
    i = poll.id
    if ask_filter(ctx, which, i, SET, COURSE):
        return
    if which == "province":
        ctx.goto(PollStep.PROVINCE, poll=i)
        ctx.reply(ctx._("Type the province (as learners wrote it in their profile)."))
    elif which == "next":
        ask_anonymous(ctx, poll)
    else:
        if which == "clear":
            poll.audience = {}
        await audience_screen(ctx, poll)


@router.on(COURSE, *staff)
async def course_state_choice(ctx: Context) -> None:
    poll_id, course_id = COURSE.args(ctx)
    poll = await my_poll(ctx, poll_id, PollStatus.DRAFT)
    if poll is None or course_id not in ctx.deps.library.courses:
        gone(ctx)
        return
    ask_course_state(ctx, SET, poll.id, course_id)


@router.on(SET, *staff)
async def set_filter(ctx: Context) -> None:
    poll_id, field, value, *more = SET.args(ctx)
    poll = await my_poll(ctx, poll_id, PollStatus.DRAFT)
    if poll is None:
        gone(ctx)
        return
    poll.audience = with_filter(ctx, poll.audience, field, value, more)
    await audience_screen(ctx, poll)


@router.on(InStep(PollStep.PROVINCE), NoPayload, *staff)
async def got_province(ctx: Context) -> None:
    poll = await my_poll(ctx, ctx.data.get("poll"), PollStatus.DRAFT)
    ctx.goto(None)
    if poll is None:
        gone(ctx)
        return
    poll.audience = with_province(ctx, poll.audience) or poll.audience
    await audience_screen(ctx, poll)
