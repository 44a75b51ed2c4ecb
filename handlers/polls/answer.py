"""Answering a poll: a choice by button (Telegram buttons, a numbered list on WhatsApp and the terminal),
several choices by ticking them then "Done", or a few typed words; then the next question of a
consultation, until the thanks. Answers after the poll closed are refused kindly. Each answer is counted
in its own transaction, once (``storage.polls.record_answer``)."""

from __future__ import annotations

from bot.context import Context
from bot.router import InStep, NoPayload, Router
from bot.types import Button, rows
from handlers.menu import HOME
from handlers.polls.actions import FINISH, PICK, SHOW, TOGGLE, WRITE
from handlers.polls.common import PollStep, positions_of, question_reply
from storage.polls import (
    TEXT_MAX,
    TOGGLE_KIND,
    Poll,
    PollQuestion,
    PollStatus,
    QuestionKind,
    answered,
    choices_of,
    is_recipient,
    questions_of,
    record_answer,
)

router = Router("polls.answer")


async def open_question(ctx: Context, question_id: int) -> tuple[Poll, PollQuestion] | None:
    """The question and its poll if this person may answer it now; otherwise say why and give None."""
    question = await ctx.session.get(PollQuestion, question_id)
    poll = await ctx.session.get(Poll, question.poll_id) if question is not None else None
    if question is None or poll is None or not await is_recipient(ctx.session, poll.id, ctx.user.id):
        ctx.goto(None)
        ctx.reply(ctx._("Sorry, that poll is not available."), rows(Button(ctx._("Main menu"), HOME.encode())))
        return None
    closed = poll.status in (PollStatus.CLOSED, PollStatus.CANCELLED) or (
        poll.closes_at is not None and poll.closes_at <= ctx.now)
    if closed:
        ctx.goto(None)
        ctx.reply(ctx._("Thank you, but this poll has closed, so answers are no longer counted."),
                  rows(Button(ctx._("Main menu"), HOME.encode())))
        return None
    if await answered(ctx.session, [question.id], ctx.user.id):
        ctx.goto(None)
        await next_question(ctx, poll, ctx._("You have already answered that question."))
        return None
    return poll, question


async def next_question(ctx: Context, poll: Poll, note: str | None = None, *, counted: bool = False) -> None:
    """The first question this person has not answered, or the thanks when none is left (``counted``: the
    note is the thanks for an answer, which the final thanks replaces)."""
    questions = await questions_of(ctx.session, poll.id)
    done = await answered(ctx.session, [q.id for q in questions], ctx.user.id)
    left = [q for q in questions if q.id not in done]
    if not left:
        text = ctx._("Thank you! Your answers are recorded.")
        ctx.reply(f"{note}\n{text}" if note and not counted else text, rows(Button(ctx._("Main menu"), HOME.encode())))
        return
    question = left[0]
    choices = (await choices_of(ctx.session, [question.id]))[question.id]
    reply = question_reply(ctx.t, poll, question, choices, len(questions), closes_at=poll.closes_at)
    ctx.reply(f"{note}\n{reply.text}" if note else reply.text, reply.buttons, title=reply.title)


async def count(ctx: Context, poll: Poll, question: PollQuestion, positions: list[int], text: str | None) -> None:
    ctx.goto(None)
    if not await record_answer(ctx.session, poll, question, ctx.user.id, positions, text, ctx.now):
        await next_question(ctx, poll, ctx._("You have already answered that question."))
        return
    await next_question(ctx, poll, ctx._("Thank you, your answer is counted."), counted=True)


@router.on(SHOW)
async def show(ctx: Context) -> None:
    poll = await ctx.session.get(Poll, SHOW.arg(ctx))
    if poll is None or not await is_recipient(ctx.session, poll.id, ctx.user.id):
        ctx.reply(ctx._("Sorry, that poll is not available."), rows(Button(ctx._("Main menu"), HOME.encode())))
        return
    await next_question(ctx, poll)


@router.on(PICK)
async def pick(ctx: Context) -> None:
    question_id, position = PICK.args(ctx)
    found = await open_question(ctx, question_id)
    if found is None:
        return
    poll, question = found
    choices = (await choices_of(ctx.session, [question.id]))[question.id]
    if question.kind != QuestionKind.SINGLE or position not in [c.position for c in choices]:
        await next_question(ctx, poll)
        return
    await count(ctx, poll, question, [position], None)


@router.on(TOGGLE)
async def toggle(ctx: Context) -> None:
    question_id, mask = TOGGLE.args(ctx)
    found = await open_question(ctx, question_id)
    if found is None:
        return
    poll, question = found
    choices = (await choices_of(ctx.session, [question.id]))[question.id]
    if question.kind != QuestionKind.MULTIPLE:
        await next_question(ctx, poll)
        return
    ticked = sum(1 << p for p in positions_of(mask, len(choices)))
    reply = question_reply(ctx.t, poll, question, choices, len(await questions_of(ctx.session, poll.id)), ticked)
    ctx.reply(reply.text, reply.buttons, title=reply.title, kind=TOGGLE_KIND)


@router.on(FINISH)
async def finish(ctx: Context) -> None:
    question_id, mask = FINISH.args(ctx)
    found = await open_question(ctx, question_id)
    if found is None:
        return
    poll, question = found
    choices = (await choices_of(ctx.session, [question.id]))[question.id]
    positions = positions_of(mask, len(choices))
    if question.kind != QuestionKind.MULTIPLE:
        await next_question(ctx, poll)
        return
    if not positions:
        reply = question_reply(ctx.t, poll, question, choices, len(await questions_of(ctx.session, poll.id)))
        ctx.reply(ctx._("Please tick at least one answer first.") + "\n" + reply.text, reply.buttons,
                  title=reply.title)
        return
    await count(ctx, poll, question, positions, None)


@router.on(WRITE)
async def write(ctx: Context) -> None:
    found = await open_question(ctx, WRITE.arg(ctx))
    if found is None:
        return
    poll, question = found
    if question.kind != QuestionKind.TEXT:
        await next_question(ctx, poll)
        return
    ctx.goto(PollStep.ANSWER, question=question.id)
    ctx.reply(ctx._("Type your answer (at most {max} characters).", max=ctx.t.number(TEXT_MAX)))


@router.on(InStep(PollStep.ANSWER), NoPayload)
async def typed_answer(ctx: Context) -> None:
    text = " ".join(ctx.msg.text.split())
    if ctx.msg.command is not None:
        return await leave(ctx)
    if not text:
        ctx.reply(ctx._("Please type your answer in words (a photo or a sticker cannot be counted)."))
        return
    if len(text) > TEXT_MAX:
        ctx.reply(ctx._("That is {n} characters: please keep it under {max}.", n=ctx.t.number(len(text)),
                        max=ctx.t.number(TEXT_MAX)))
        return
    found = await open_question(ctx, ctx.data.get("question", 0))
    if found is None:
        return
    poll, question = found
    await count(ctx, poll, question, [], text)


async def leave(ctx: Context) -> None:
    ctx.goto(None)
    ctx.reply(ctx._("Your answer was not sent. Press “Write my answer” on the poll when you are ready."),
              rows(Button(ctx._("Main menu"), HOME.encode())))
