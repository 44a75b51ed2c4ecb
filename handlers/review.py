"""Spaced review: the quiz questions a learner got wrong come back on a Leitner schedule (``storage.review``).

``/review`` (or the menu's "Review", shown only when something is due) asks the due questions one at a
time; right moves a question up a box, wrong back to box 1. Payloads: ``menu:review`` (start) and
``rev:<course>:<question>:<choice>`` (an answer).
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.payloads import Action
from bot.router import Command, Onboarded, Router, Words
from bot.types import Button, rows
from content import Course, Question
from handlers.lessons.common import plain, text_in
from handlers.lessons.quiz import verdict
from handlers.menu import HOME, add_item
from storage.review import (
    TOP_BOX,
    due_count,
    due_items,
    record_review,
    refresh_due_hint,
    review_counts,
    review_due,
    review_item,
)

router = Router("review")

START = Action("menu:review")
ANSWER = Action("rev", str, str, int)  # course, question, choice index

add_item(N_("Review"), START, 15, visible=lambda ctx: review_due(ctx.user, ctx.now))


def ask(ctx: Context, course: Course, question: Question, left: int) -> None:
    buttons = rows(*(Button(plain(ctx, choice.text)[:60], ANSWER.encode(course.id, question.id, i))
                     for i, choice in enumerate(question.choices)))
    header = ctx.ngettext("{n} question to review", "{n} questions to review", left)
    ctx.reply(f"{header} · {plain(ctx, course.title)}\n\n{text_in(ctx, question.question)}", buttons,
              title=ctx._("Review"))


async def mastered_line(ctx: Context) -> str:
    counts = await review_counts(ctx.session, ctx.user.id)
    total = sum(n for n, _ in counts.values())
    mastered = sum(m for _, m in counts.values())
    return ctx._("Mastered in review: {mastered} of {total} questions", mastered=mastered, total=total)


async def ask_next(ctx: Context, done_text: str | None = None) -> None:
    """The next due question, or a closing message with the mastered count when none is left."""
    await refresh_due_hint(ctx.session, ctx.user)
    for item in await due_items(ctx.session, ctx.user.id, ctx.now):
        course = ctx.deps.library.courses.get(item.course_id)
        found = course.question(item.question_id) if course is not None else None
        if course is None or found is None:  # the content changed: nothing to ask
            item.box, item.due_at = TOP_BOX + 1, ctx.now
            continue
        if done_text:
            ctx.reply(done_text)
        ask(ctx, course, found[1], await due_count(ctx.session, ctx.user.id, ctx.now))
        return
    await refresh_due_hint(ctx.session, ctx.user)
    text = ctx._("Nothing to review right now. Questions you get wrong come back here after a day.")
    text += "\n" + await mastered_line(ctx)
    ctx.reply(f"{done_text}\n\n{text}" if done_text else text, rows(Button(ctx._("Main menu"), HOME.encode())))


@router.on(Command("review"), Onboarded)
@router.on(Words(N_("review")), Onboarded)
@router.on(START, Onboarded)
async def start(ctx: Context) -> None:
    ctx.goto(None)
    await ask_next(ctx)


@router.on(ANSWER, Onboarded)
async def answer(ctx: Context) -> None:
    course_id, question_id, choice_index = ANSWER.args(ctx)
    course = ctx.deps.library.courses.get(course_id)
    found = course.question(question_id) if course is not None else None
    item = await review_item(ctx.session, ctx.user.id, course_id, question_id)
    if course is None or found is None or item is None or not 0 <= choice_index < len(found[1].choices):
        ctx.reply(ctx._("That question is no longer available."))
        await ask_next(ctx)
        return
    if item.box > TOP_BOX or item.due_at > ctx.now:
        await ask_next(ctx, ctx._("You already reviewed this question."))
        return
    question = found[1]
    choice = question.choices[choice_index]
    record_review(item, choice.correct, ctx.now)
    text = verdict(ctx, choice.correct, text_in(ctx, choice.feedback) if choice.feedback else "")
    if not choice.correct:
        right = question.choices[question.correct_index]
        text += "\n" + ctx._("The right answer: {answer}", answer=plain(ctx, right.text))
    await ask_next(ctx, text)
