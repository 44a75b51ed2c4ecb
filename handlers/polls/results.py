"""A poll's results: counts and percentages per choice, free-text answers (anonymous: in random order, of
nobody), the bar chart, the CSV export; ``/poll results`` (the list), closing a poll early. The console
shows the same (``handlers.polls.pages``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.i18n import N_, Translator
from bot.media import MediaRejected, MediaStore
from bot.router import Router
from bot.types import Button, Media, rows
from handlers.announcements.common import staff
from handlers.polls.actions import CSV, END, LIST, NEW, RESULTS
from handlers.polls.chart import Bars, percent, render_chart
from handlers.polls.common import my_poll
from storage.models import Role
from storage.polls import (
    Poll,
    PollQuestion,
    PollStatus,
    QuestionKind,
    choices_of,
    named_answers,
    questions_of,
    recent_polls,
    recipient_count,
    respondents,
    texts_of,
)

router = Router("polls.results")

TEXTS_SHOWN = 10  # free-text answers shown in chat per question (all of them in the CSV)
CSV_CHAT_MAX = 3500
STATUS = {PollStatus.DRAFT: N_("draft"), PollStatus.SCHEDULED: N_("scheduled"), PollStatus.OPEN: N_("open"),
          PollStatus.CLOSED: N_("closed"), PollStatus.CANCELLED: N_("cancelled")}


@dataclass
class QuestionResult:
    question: PollQuestion
    answered: int
    choices: list[tuple[str, int]] = field(default_factory=list)  # (label, votes)
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    poll: Poll
    sent_to: int
    questions: list[QuestionResult]


async def poll_results(session: AsyncSession, poll: Poll, text_limit: int | None = None) -> Results:
    questions = await questions_of(session, poll.id)
    ids = [q.id for q in questions]
    choices = await choices_of(session, ids)
    counts = await respondents(session, ids)
    found = []
    for q in questions:
        r = QuestionResult(q, counts.get(q.id, 0), [(c.label, c.votes) for c in choices[q.id]])
        if q.kind == QuestionKind.TEXT:
            r.texts = await texts_of(session, q.id, text_limit)
        found.append(r)
    return Results(poll, await recipient_count(session, poll.id), found)


def title_of(poll: Poll, results: Results | None = None, questions: list[PollQuestion] | None = None) -> str:
    first = results.questions[0].question.text if results and results.questions else (
        questions[0].text if questions else "")
    return poll.title or first[:80]


def results_text(t: Translator, results: Results) -> str:
    poll = results.poll
    lines = [t.gettext("Poll #{id} ({status}): sent to {n} people.", id=poll.id, n=t.number(results.sent_to),
                       status=t.gettext(STATUS.get(poll.status, poll.status)))]
    if poll.closes_at is not None:
        lines.append(t.gettext("Closes: {when}", when=t.datetime(poll.closes_at)))
    lines.append(t.gettext("Anonymous") if poll.anonymous else t.gettext("Named"))
    for r in results.questions:
        lines.append("")
        lines.append(f"{r.question.position + 1}. {r.question.text}")
        lines.append(t.ngettext("{n} answer", "{n} answers", r.answered))
        for label, n in r.choices:
            lines.append(f"  {label}: {t.number(n)} ({percent(n, r.answered)}%)")
        for text in r.texts[:TEXTS_SHOWN]:
            lines.append(f"  “{text}”")
        if len(r.texts) > TEXTS_SHOWN:
            lines.append("  " + t.gettext("… and more in the CSV export."))
    return "\n".join(lines)


def chart_png(t: Translator, results: Results) -> bytes | None:
    """The bar chart of the choice questions (None when the poll has none)."""
    bars = [Bars(f"{r.question.position + 1}. {r.question.text}", r.choices, r.answered)
            for r in results.questions if r.question.kind != QuestionKind.TEXT]
    if not bars:
        return None
    return render_chart(bars, t.gettext("Poll #{id}: sent to {n} people.", id=results.poll.id,
                                        n=t.number(results.sent_to)))


def cell(value: Any) -> Any:
    """Never a formula in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_csv(results: Results) -> str:
    """One row per choice (count, percent of those who answered) and per free-text answer."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "question_text", "kind", "answer", "count", "percent", "answered"])
    for r in results.questions:
        q = r.question
        for label, n in r.choices:
            writer.writerow([q.position + 1, cell(q.text), q.kind, cell(label), n, percent(n, r.answered), r.answered])
        for text in r.texts:
            writer.writerow([q.position + 1, cell(q.text), q.kind, cell(text), "", "", r.answered])
    return out.getvalue()


async def answers_csv(session: AsyncSession, results: Results) -> str | None:
    """A named poll's answers per person (None for an anonymous poll: there is nothing of the kind)."""
    if results.poll.anonymous:
        return None
    by_id = {r.question.id: r for r in results.questions}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["user_id", "name", "question", "answer", "answered_at"])
    for row in await named_answers(session, list(by_id)):
        r = by_id[row.question_id]
        labels = dict(enumerate(label for label, _ in r.choices))
        answer = row.text if row.text is not None else "; ".join(labels.get(p, "?") for p in row.choices or [])
        writer.writerow([row.user_id, cell(row.name or ""), r.question.position + 1, cell(answer),
                         row.answered_at.isoformat()])
    return out.getvalue()


async def list_polls(ctx: Context) -> None:
    found = await recent_polls(ctx.session, None if ctx.user.role == Role.ADMIN else ctx.user.id)
    lines, buttons = [], []
    for poll in found:
        questions = await questions_of(ctx.session, poll.id)
        lines.append(f"#{poll.id} · {ctx._(STATUS.get(poll.status, poll.status))} · {title_of(poll, None, questions)}")
        buttons.append(Button(ctx._("Results #{id}", id=poll.id), RESULTS.encode(poll.id)))
    buttons.append(Button(ctx._("New poll"), NEW.encode()))
    ctx.reply("\n".join(lines) or ctx._("No polls yet."), rows(*buttons), title=ctx._("Polls"))


router.on(LIST, *staff)(list_polls)


@router.on(RESULTS, *staff)
async def show_results(ctx: Context) -> None:
    poll = await my_poll(ctx, RESULTS.arg(ctx))
    if poll is None or poll.status in (PollStatus.DRAFT, PollStatus.CANCELLED):
        ctx.reply(ctx._("Sorry, that poll is not available."), rows(Button(ctx._("Polls"), LIST.encode())))
        return
    results = await poll_results(ctx.session, poll, TEXTS_SHOWN + 1)
    photo = chart_photo(ctx, results)
    buttons = [Button(ctx._("Refresh"), RESULTS.encode(poll.id)), Button(ctx._("Export CSV"), CSV.encode(poll.id))]
    if poll.status in (PollStatus.OPEN, PollStatus.SCHEDULED):
        buttons.append(Button(ctx._("Close it now"), END.encode(poll.id)))
    buttons.append(Button(ctx._("Polls"), LIST.encode()))
    if photo is not None:
        ctx.reply(ctx._("Results of poll #{id}", id=poll.id), photo=photo, title=ctx._("Results"))
    ctx.reply(results_text(ctx.t, results), rows(*buttons), title=ctx._("Results"))


def chart_photo(ctx: Context, results: Results) -> Media | None:
    store = ctx.deps.extras.get("media")
    png = chart_png(ctx.t, results)
    if png is None or not isinstance(store, MediaStore):
        return None
    try:
        return Media("photo", key=store.save(png))
    except (MediaRejected, OSError):
        return None


@router.on(CSV, *staff)
async def export_csv(ctx: Context) -> None:
    poll = await my_poll(ctx, CSV.arg(ctx))
    if poll is None or poll.status in (PollStatus.DRAFT, PollStatus.CANCELLED):
        ctx.reply(ctx._("Sorry, that poll is not available."), rows(Button(ctx._("Polls"), LIST.encode())))
        return
    results = await poll_results(ctx.session, poll)
    text = results_csv(results)
    if len(text) > CSV_CHAT_MAX:
        text = text[:CSV_CHAT_MAX].rsplit("\n", 1)[0] + "\n…"
    link = f"{ctx.deps.settings.public_url or ''}/admin/polls/{poll.id}/results.csv"
    ctx.reply(text, title=ctx._("CSV of poll #{id}", id=poll.id))
    ctx.reply(ctx._("The whole file is in the web console (send /web to sign in): {link}", link=link),
              rows(Button(ctx._("Polls"), LIST.encode())))


@router.on(END, *staff)
async def end_poll(ctx: Context) -> None:
    poll = await my_poll(ctx, END.arg(ctx), PollStatus.OPEN, PollStatus.SCHEDULED)
    if poll is None:
        ctx.reply(ctx._("That poll is already closed."), rows(Button(ctx._("Polls"), LIST.encode())))
        return
    poll.status = PollStatus.CLOSED
    poll.closed_at = poll.closes_at = ctx.now
    ctx.reply(ctx._("Poll #{id} is closed: no more answers are counted.", id=poll.id),
              rows(Button(ctx._("Results #{id}", id=poll.id), RESULTS.encode(poll.id)),
                   Button(ctx._("Polls"), LIST.encode())))
