"""Making a poll by chat (``/poll``, or "Polls" → "New poll"): its questions one by one (the text, then
single choice, multiple choice or a short free-text answer; the choices one per line), the audience
(``handlers.polls.audience``), anonymous or named, when it opens and closes, and a last look before it goes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Context
from bot.i18n import N_, translator
from bot.router import Command, InStep, NoPayload, Router
from bot.types import Button, rows
from handlers.announcements.audiences import describe_audience, reach_text
from handlers.announcements.common import staff
from handlers.announcements.schedule import example_when, parse_when, user_zone, when_problem
from handlers.polls.actions import (
    ANONYMOUS,
    AUDIENCE,
    CLOSES,
    CONFIRM,
    DISCARD,
    DONE_QUESTIONS,
    KIND,
    LIST,
    MORE,
    NEW,
    OPENS,
)
from handlers.polls.audience import audience_screen
from handlers.polls.common import CHOICE_MAX, CHOICES_MAX, QUESTION_MAX, QUESTIONS_MAX, PollStep, my_poll
from handlers.polls.results import list_polls
from storage.announcements import audience_count
from storage.polls import Poll, PollStatus, QuestionKind, add_question, questions_of

router = Router("polls.create")

KIND_LABELS = {QuestionKind.SINGLE: N_("Single choice"), QuestionKind.MULTIPLE: N_("Multiple choice"),
               QuestionKind.TEXT: N_("Short free text")}
CLOSE_AFTER = (24, 72, 168)  # hours


def gone(ctx: Context) -> None:
    ctx.goto(None)
    ctx.reply(ctx._("That poll is no longer a draft."), rows(Button(ctx._("Polls"), LIST.encode())))


@router.on(Command("poll", "polls"), *staff)
async def poll_command(ctx: Context) -> None:
    if ctx.msg.command_args.strip().casefold() in ("results", "result", "list", ctx._("results").casefold()):
        await list_polls(ctx)
        return
    await new_poll(ctx)


@router.on(NEW, *staff)
async def new_poll(ctx: Context) -> None:
    poll = Poll(author_id=ctx.user.id, title="", audience={}, anonymous=True, status=PollStatus.DRAFT,
                created_at=ctx.now, expanded=False, cursor=0, targeted=0)
    ctx.session.add(poll)
    await ctx.session.flush()
    ctx.goto(PollStep.QUESTION, poll=poll.id)
    ctx.reply(ctx._("New poll. Send the first question (at most {max} characters). A consultation is a poll "
                    "with several questions: you can add more after this one.", max=ctx.t.number(QUESTION_MAX)),
              rows(Button(ctx._("Cancel"), DISCARD.encode(poll.id))))


@router.on(InStep(PollStep.QUESTION), NoPayload, *staff)
async def got_question(ctx: Context) -> None:
    poll = await my_poll(ctx, ctx.data.get("poll"), PollStatus.DRAFT)
    if poll is None:
        gone(ctx)
        return
    text = ctx.msg.text.strip()
    if not text or ctx.msg.command is not None:
        ctx.reply(ctx._("Please send the question as text."))
        return
    if len(text) > QUESTION_MAX:
        ctx.reply(ctx._("That is too long. Please keep the question under {max} characters.",
                        max=ctx.t.number(QUESTION_MAX)))
        return
    ctx.update_data(text=text)
    ctx.reply(ctx._("How should people answer?"), rows(
        *(Button(ctx._(label), KIND.encode(poll.id, kind)) for kind, label in KIND_LABELS.items()),
        Button(ctx._("Cancel"), DISCARD.encode(poll.id))))


@router.on(KIND, *staff)
async def got_kind(ctx: Context) -> None:
    poll_id, kind = KIND.args(ctx)
    poll = await my_poll(ctx, poll_id, PollStatus.DRAFT)
    text = ctx.data.get("text") if ctx.step == PollStep.QUESTION and ctx.data.get("poll") == poll_id else None
    if poll is None or kind not in QuestionKind.ALL:
        gone(ctx)
        return
    if not isinstance(text, str) or not text:
        ctx.goto(PollStep.QUESTION, poll=poll.id)
        ctx.reply(ctx._("Please send the question as text."))
        return
    if kind == QuestionKind.TEXT:
        await add_question(ctx.session, poll, kind, text, [])
        await question_added(ctx, poll)
        return
    ctx.goto(PollStep.CHOICES, poll=poll.id, text=text, kind=kind)
    ctx.reply(ctx._("Send the choices, one per line (2 to {max}, each at most {chars} characters).",
                    max=ctx.t.number(CHOICES_MAX), chars=ctx.t.number(CHOICE_MAX)))


def read_choices(text: str) -> list[str]:
    """The typed lines as choices: trimmed, without empty lines or repeats, each cut to ``CHOICE_MAX``."""
    found: list[str] = []
    for line in text.splitlines():
        label = " ".join(line.split()).lstrip("-•*·").strip()[:CHOICE_MAX]
        if label and label.casefold() not in [f.casefold() for f in found]:
            found.append(label)
    return found


@router.on(InStep(PollStep.CHOICES), NoPayload, *staff)
async def got_choices(ctx: Context) -> None:
    poll = await my_poll(ctx, ctx.data.get("poll"), PollStatus.DRAFT)
    if poll is None:
        gone(ctx)
        return
    labels = read_choices(ctx.msg.text) if ctx.msg.command is None else []
    if not 2 <= len(labels) <= CHOICES_MAX:
        ctx.reply(ctx._("Please send between 2 and {max} choices, one per line.", max=ctx.t.number(CHOICES_MAX)))
        return
    await add_question(ctx.session, poll, str(ctx.data.get("kind")), str(ctx.data.get("text")), labels)
    await question_added(ctx, poll)


async def question_added(ctx: Context, poll: Poll) -> None:
    ctx.goto(None)
    count = len(await questions_of(ctx.session, poll.id))
    buttons = [Button(ctx._("Add another question"), MORE.encode(poll.id))] if count < QUESTIONS_MAX else []
    ctx.reply(ctx.ngettext("The poll has {n} question.", "The poll has {n} questions.", count),
              rows(*buttons, Button(ctx._("Continue: the audience"), DONE_QUESTIONS.encode(poll.id)),
                   Button(ctx._("Discard"), DISCARD.encode(poll.id))))


@router.on(MORE, *staff)
async def more(ctx: Context) -> None:
    poll = await my_poll(ctx, MORE.arg(ctx), PollStatus.DRAFT)
    if poll is None:
        gone(ctx)
        return
    ctx.goto(PollStep.QUESTION, poll=poll.id)
    ctx.reply(ctx._("Send the next question."), rows(Button(ctx._("Cancel"), DISCARD.encode(poll.id))))


@router.on(DONE_QUESTIONS, *staff)
async def questions_done(ctx: Context) -> None:
    poll = await my_poll(ctx, DONE_QUESTIONS.arg(ctx), PollStatus.DRAFT)
    if poll is None or not await questions_of(ctx.session, poll.id):
        gone(ctx)
        return
    ctx.goto(None)
    await audience_screen(ctx, poll)


@router.on(ANONYMOUS, *staff)
async def got_anonymous(ctx: Context) -> None:
    poll_id, anonymous = ANONYMOUS.args(ctx)
    poll = await my_poll(ctx, poll_id, PollStatus.DRAFT)
    if poll is None:
        gone(ctx)
        return
    poll.anonymous = bool(anonymous)
    ctx.reply(ctx._("When does it open?"), rows(Button(ctx._("Now"), OPENS.encode(poll.id, "now")),
                                                 Button(ctx._("At a date and time"), OPENS.encode(poll.id, "later"))))


@router.on(OPENS, *staff)
async def got_opens(ctx: Context) -> None:
    poll_id, which = OPENS.args(ctx)
    poll = await my_poll(ctx, poll_id, PollStatus.DRAFT)
    if poll is None:
        gone(ctx)
        return
    if which == "later":
        zone = user_zone(ctx.user, ctx.deps.settings.default_timezone)
        ctx.goto(PollStep.OPENS, poll=poll.id)
        ctx.reply(ctx._("When should it open? Type the date and time in your time zone ({zone}), for example "
                        "{example} or tomorrow 9:00.", zone=str(zone), example=example_when(ctx.now, zone)))
        return
    poll.opens_at = ctx.now
    ask_close(ctx, poll)


def typed_time(ctx: Context) -> datetime | None:
    zone = user_zone(ctx.user, ctx.deps.settings.default_timezone)
    when = parse_when(ctx.msg.text, ctx.now, zone, ("today", ctx._("today")), ("tomorrow", ctx._("tomorrow")))
    if when is None:
        ctx.reply(ctx._("Sorry, I could not read that. Please write it like {example} or tomorrow 9:00.",
                        example=example_when(ctx.now, zone)))
        return None
    problem = when_problem(when, ctx.now)
    if problem is not None:
        ctx.reply(ctx._(problem))
        return None
    return when


@router.on(InStep(PollStep.OPENS), NoPayload, *staff)
async def typed_opens(ctx: Context) -> None:
    poll = await my_poll(ctx, ctx.data.get("poll"), PollStatus.DRAFT)
    if poll is None:
        gone(ctx)
        return
    when = typed_time(ctx)
    if when is not None:
        poll.opens_at = when
        ctx.goto(None)
        ask_close(ctx, poll)


def ask_close(ctx: Context, poll: Poll) -> None:
    labels = {24: ctx._("In 1 day"), 72: ctx._("In 3 days"), 168: ctx._("In 1 week")}
    ctx.reply(ctx._("When does it close (after it opens)?"), rows(
        *(Button(labels[h], CLOSES.encode(poll.id, h)) for h in CLOSE_AFTER),
        Button(ctx._("At a date and time"), CLOSES.encode(poll.id, 0))))


@router.on(CLOSES, *staff)
async def got_closes(ctx: Context) -> None:
    poll_id, hours = CLOSES.args(ctx)
    poll = await my_poll(ctx, poll_id, PollStatus.DRAFT)
    if poll is None or poll.opens_at is None:
        gone(ctx)
        return
    if hours in CLOSE_AFTER:
        poll.closes_at = poll.opens_at + timedelta(hours=hours)
        await summary(ctx, poll)
        return
    ctx.goto(PollStep.CLOSES, poll=poll.id)
    zone = user_zone(ctx.user, ctx.deps.settings.default_timezone)
    ctx.reply(ctx._("When should it close? Type the date and time in your time zone ({zone}).", zone=str(zone)))


@router.on(InStep(PollStep.CLOSES), NoPayload, *staff)
async def typed_closes(ctx: Context) -> None:
    poll = await my_poll(ctx, ctx.data.get("poll"), PollStatus.DRAFT)
    if poll is None or poll.opens_at is None:
        gone(ctx)
        return
    when = typed_time(ctx)
    if when is None:
        return
    if when <= poll.opens_at:
        ctx.reply(ctx._("It must close after it opens. Please send a later time."))
        return
    poll.closes_at = when
    ctx.goto(None)
    await summary(ctx, poll)


async def summary(ctx: Context, poll: Poll) -> None:
    """The last look: the questions, who gets it, anonymous or not, when."""
    local = translator(ctx.user.language, str(user_zone(ctx.user, ctx.deps.settings.default_timezone)))
    lines = [ctx._("Your poll:")]
    for q in await questions_of(ctx.session, poll.id):
        lines.append(f"{q.position + 1}. {q.text} ({ctx._(KIND_LABELS.get(q.kind, q.kind))})")
    reach, opted_out = await audience_count(ctx.session, poll.audience or {}, poll.author_id)
    lines += [ctx._("Audience: {audience}", audience=describe_audience(ctx.t, poll.audience or {}, ctx.deps.library)),
              reach_text(ctx, reach, opted_out),
              ctx._("Anonymous: nobody, not even an admin, can see who answered what.") if poll.anonymous
              else ctx._("Named: you will see each person's answers."),
              ctx._("Opens: {when}", when=ctx._("now") if poll.opens_at is None or poll.opens_at <= ctx.now
                    else local.datetime(poll.opens_at)),
              ctx._("Closes: {when}", when=local.datetime(poll.closes_at) if poll.closes_at else "—")]
    ctx.reply("\n".join(lines), rows(Button(ctx._("Start the poll"), CONFIRM.encode(poll.id)),
                                     Button(ctx._("Change audience"), AUDIENCE.encode(poll.id, "show")),
                                     Button(ctx._("Discard"), DISCARD.encode(poll.id))))


@router.on(CONFIRM, *staff)
async def confirm(ctx: Context) -> None:
    poll = await my_poll(ctx, CONFIRM.arg(ctx), PollStatus.DRAFT)
    if poll is None or poll.opens_at is None or poll.closes_at is None:
        gone(ctx)
        return
    if poll.closes_at <= ctx.now:
        ctx.reply(ctx._("That closing time has already passed."))
        ask_close(ctx, poll)
        return
    poll.status = PollStatus.SCHEDULED
    poll.opens_at = max(poll.opens_at, ctx.now)
    ctx.goto(None)
    text = (ctx._("The poll opens now and goes out to its audience.") if poll.opens_at <= ctx.now
            else ctx._("The poll will open at the time you chose."))
    ctx.reply(text + "\n" + ctx._("See its results any time with /poll results."),
              rows(Button(ctx._("Polls"), LIST.encode())))


@router.on(DISCARD, *staff)
async def discard(ctx: Context) -> None:
    poll = await my_poll(ctx, DISCARD.arg(ctx), PollStatus.DRAFT)
    if poll is not None:
        poll.status = PollStatus.CANCELLED
    ctx.goto(None)
    ctx.reply(ctx._("Poll discarded."), rows(Button(ctx._("Polls"), LIST.encode())))
