"""``/admin/polls`` in the trainer console: the polls (a trainer sees theirs, an admin all), one poll's live
results (counts, percentages, bars, free-text answers; a named poll's answers per person), the CSV exports,
and closing an open poll early (audited ``poll.close``, target ``poll:<id>``). The results are the chat's
(``handlers.polls.results``): an anonymous poll has nothing per person to show."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.actions import back_to, notice
from bot.console.audit import audited
from bot.console.auth import CONSOLE, TRAINER, VISITOR, Visitor, page
from bot.console.render import add_nav, render, texts
from bot.console.texts import TEXTS
from bot.i18n import N_
from handlers.polls.results import STATUS, answers_csv, poll_results, results_csv, title_of
from storage.models import Role
from storage.polls import Poll, PollStatus, named_answers, questions_of, recent_polls

TEXTS.update({
    "polls_menu": N_("Polls"),
    "polls_none": N_("No polls yet. Trainers make them in the chat with /poll."),
    "polls_status": N_("Status"),
    "polls_question": N_("Question"),
    "polls_sent_to": N_("Sent to"),
    "polls_answered": N_("Answered"),
    "polls_closes": N_("Closes"),
    "polls_anonymous": N_("Anonymous: only the totals are kept, nobody can see who answered what."),
    "polls_named": N_("Named: each person's answers are kept."),
    "polls_csv": N_("Results (CSV)"),
    "polls_answers_csv": N_("Answers per person (CSV)"),
    "polls_close": N_("Close it now"),
    "polls_closed_done": N_("The poll is closed: no more answers are counted."),
    "polls_texts": N_("Written answers (in random order)"),
    "polls_person": N_("Person"),
    "polls_answer": N_("Answer"),
})
NOTICES = {"closed": ("polls_closed_done", False)}
PAGE_SIZE = 50

add_nav("/polls", "polls_menu", TRAINER, 46)


def _visitor(request: web.Request) -> Visitor:
    visitor = request.get(VISITOR)
    assert visitor is not None  # the guard let a trainer in
    return visitor


def _mine(request: web.Request) -> int | None:
    """Whose polls this visitor sees: their own (None: an admin, everybody's)."""
    user = _visitor(request).user
    return None if user.role == Role.ADMIN else user.id


async def _poll(request: web.Request, session: AsyncSession) -> Poll:
    raw = request.match_info["id"]
    poll = await session.get(Poll, int(raw), populate_existing=True) if raw.isdigit() and len(raw) < 10 else None
    mine = _mine(request)
    if poll is None or poll.status in (PollStatus.DRAFT, PollStatus.CANCELLED) or (
            mine is not None and poll.author_id != mine):
        raise web.HTTPNotFound(text="no such poll")
    return poll


@page("GET", "/polls", TRAINER)
async def polls_page(request: web.Request) -> web.StreamResponse:
    t = texts(request).t
    async with request.app[CONSOLE].db.read() as session:
        rows = []
        for poll in await recent_polls(session, _mine(request), PAGE_SIZE):
            rows.append({"id": poll.id, "title": title_of(poll, None, await questions_of(session, poll.id)),
                         "status": t.gettext(STATUS.get(poll.status, poll.status)), "closes_at": poll.closes_at,
                         "anonymous": poll.anonymous})
    return render(request, "polls.html", rows=rows)


@page("GET", "/polls/{id}", TRAINER)
async def poll_page(request: web.Request) -> web.StreamResponse:
    t = texts(request)
    async with request.app[CONSOLE].db.read() as session:
        poll = await _poll(request, session)
        results = await poll_results(session, poll)
        people = [] if poll.anonymous else await named_answers(session, [r.question.id for r in results.questions])
    by_question = {r.question.id: r for r in results.questions}
    answers = []
    for row in people:
        r = by_question[row.question_id]
        labels = dict(enumerate(label for label, _ in r.choices))
        answers.append({"person": row.name or f"#{row.user_id}", "question": r.question.position + 1,
                        "answer": row.text if row.text is not None else
                        "; ".join(labels.get(p, "?") for p in row.choices or []), "at": row.answered_at})
    return render(request, "polls_view.html", poll=poll, results=results, answers=answers,
                  status_label=t.t.gettext(STATUS.get(poll.status, poll.status)),
                  open=poll.status in (PollStatus.OPEN, PollStatus.SCHEDULED), notice=notice(request, t, NOTICES),
                  back=f"/admin/polls/{poll.id}")


def _csv(name: str, body: str) -> web.Response:
    return web.Response(body=("\ufeff" + body).encode(), headers={
        "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}"'})


@page("GET", "/polls/{id}/results.csv", TRAINER)
async def results_export(request: web.Request) -> web.StreamResponse:
    async with request.app[CONSOLE].db.read() as session:
        poll = await _poll(request, session)
        body = results_csv(await poll_results(session, poll))
    return _csv(f"poll-{poll.id}-results.csv", body)


@page("GET", "/polls/{id}/answers.csv", TRAINER)
async def answers_export(request: web.Request) -> web.StreamResponse:
    async with request.app[CONSOLE].db.read() as session:
        poll = await _poll(request, session)
        body = await answers_csv(session, await poll_results(session, poll))
    if body is None:  # anonymous: there are no answers per person to give
        raise web.HTTPNotFound(text="an anonymous poll keeps no answers per person")
    return _csv(f"poll-{poll.id}-answers.csv", body)


@page("POST", "/polls/{id}/close", TRAINER)
async def close(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    form = await request.post()
    async with console.db.transaction() as session:
        poll = await _poll(request, session)
        if poll.status in (PollStatus.OPEN, PollStatus.SCHEDULED):
            poll.status = PollStatus.CLOSED
            poll.closed_at = poll.closes_at = console.clock.now()
            await audited(request, session, "poll.close", f"poll:{poll.id}")
    raise back_to(form, f"/admin/polls/{poll.id}", "closed", poll.id)
