"""``/admin/announcements`` in the console (trainers): the list; compose (text, photo, a link or a course
button, "I'm interested") with the audience's filters, its count (outside WhatsApp's window, opted out)
and the preview per language and channel; a confirmation page with the count before anything goes out;
send now or at a date and time; cancel; the delivery funnel with the failures.

The same machinery as the chat: drafts are ``Broadcast`` rows, sending is ``schedule_at`` (the broadcasts
job expands them), cancelling is ``cancel_broadcast``; the words live in ``handlers.announcements.texts``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.audit import audited
from bot.console.auth import CONSOLE, TRAINER, VISITOR, Visitor, page
from bot.console.dashboard import bars
from bot.console.library import console_library
from bot.console.render import add_nav, render, texts
from bot.i18n import LANGUAGES, translator
from bot.media import MediaStore
from handlers.announcements import drafts
from handlers.announcements.audiences import describe_audience
from handlers.announcements.report import short, status_label
from handlers.announcements.schedule import cancel_broadcast, schedule_at, user_zone
from handlers.announcements.texts import FUNNEL, OTHER_COUNTS
from handlers.choices import COUNTRIES, CRAFTS, country_name, craft_name
from storage import broadcasts as queries
from storage.announcements import COURSE_STATES, ROLES, Broadcast, BroadcastStatus, broadcast_stats
from storage.models import Role

PAGE_SIZE = 30

add_nav("/announcements", "announcements", TRAINER, 40)


def _visitor(request: web.Request) -> Visitor:
    visitor = request.get(VISITOR)
    assert visitor is not None  # the guard let a trainer in
    return visitor


async def _broadcast(request: web.Request, session: AsyncSession, *, mine: bool = False) -> Broadcast:
    """The announcement of the URL (none such: back to the list); with ``mine``, only its author or an
    admin may change it."""
    raw = request.match_info["id"]
    b = await session.get(Broadcast, int(raw), populate_existing=True) if raw.isdigit() else None
    if b is None:
        raise web.HTTPSeeOther("/admin/announcements")
    visitor = _visitor(request)
    if mine and b.author_id != visitor.user.id and visitor.user.role != Role.ADMIN:
        raise web.HTTPForbidden(text="only its author or an admin may change this announcement")
    return b


def _zone(request: web.Request) -> str:
    console = request.app[CONSOLE]
    return str(user_zone(_visitor(request).user, console.settings.default_timezone))


def _choices(request: web.Request) -> dict[str, Any]:
    t = texts(request).t
    library = console_library(request.app[CONSOLE].settings)
    return {
        "languages_all": [(code, info.native_name) for code, info in LANGUAGES.items()],
        "countries": [(code, country_name(code, t)) for code in COUNTRIES],
        "crafts": [(code, craft_name(code, t)) for code in CRAFTS],
        "channels": drafts.CHANNELS, "roles": ROLES, "course_states": COURSE_STATES,
        "active_days": drafts.ACTIVE_DAYS,
        "courses": [(c.id, c.title.in_(t.language)) for c in library.ordered_courses()],
        "zones": drafts.zones(_zone(request)),
    }


@page("GET", "/announcements", TRAINER)
async def announcements(request: web.Request) -> web.StreamResponse:
    before = request.query.get("before", "")
    t = texts(request).t
    async with request.app[CONSOLE].db.read() as session:
        found = await queries.broadcast_page(session, int(before) if before.isdigit() else None, PAGE_SIZE + 1)
        names = await queries.authors(session, {b.author_id for b in found if b.author_id is not None})
    more = len(found) > PAGE_SIZE
    rows = [{"id": b.id, "status": status_label(t, b), "text": short(b.text, 80), "created_at": b.created_at,
             "author": names.get(b.author_id, "") if b.author_id is not None else ""} for b in found[:PAGE_SIZE]]
    next_url = f"/admin/announcements?before={rows[-1]['id']}" if more else None
    return render(request, "announcements.html", rows=rows, next_url=next_url)


@page("GET", "/announcements/new", TRAINER)
async def new(request: web.Request) -> web.StreamResponse:
    blank = Broadcast(text="", audience={}, button=False)
    return render(request, "announcements_edit.html", b=blank, links=drafts.link_fields(blank), problems=[],
                  breakdown=None, previews=[], action="/admin/announcements/new", **_choices(request))


async def _save(request: web.Request, b: Broadcast, session: AsyncSession) -> list[str]:
    console = request.app[CONSOLE]
    form = await request.post()
    problems = drafts.read_draft(form, b, console_library(console.settings), MediaStore(console.settings.media_dir))
    await session.flush()
    await audited(request, session, "announcement.draft", f"broadcast:{b.id}", audience=b.audience)
    return problems


@page("POST", "/announcements/new", TRAINER)
async def create(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    async with console.db.transaction() as session:
        b = Broadcast(author_id=_visitor(request).user.id, text="", audience={}, status=BroadcastStatus.DRAFT,
                      created_at=console.clock.now(), button=False, cursor=0, targeted=0)
        session.add(b)
        problems = await _save(request, b, session)
    raise web.HTTPSeeOther(f"/admin/announcements/{b.id}" + ("?incomplete=1" if problems else ""))


@page("POST", "/announcements/{id}/edit", TRAINER)
async def edit(request: web.Request) -> web.StreamResponse:
    async with request.app[CONSOLE].db.transaction() as session:
        b = await _broadcast(request, session, mine=True)
        if b.status != BroadcastStatus.DRAFT:
            raise web.HTTPSeeOther(f"/admin/announcements/{b.id}")
        problems = await _save(request, b, session)
    raise web.HTTPSeeOther(f"/admin/announcements/{b.id}" + ("?incomplete=1" if problems else ""))


async def _draft_page(request: web.Request, b: Broadcast, session: AsyncSession,
                      problems: list[str]) -> web.Response:
    console = request.app[CONSOLE]
    library = console_library(console.settings)
    t = texts(request).t
    if request.query.get("incomplete") and not problems:
        problems = drafts.read_problems(b)
    breakdown = await queries.audience_breakdown(session, b.audience or {}, b.author_id, console.clock.now())
    shown = drafts.previews(b, dict(breakdown.languages), t.language, library, console.settings)
    return render(request, "announcements_edit.html", b=b, links=drafts.link_fields(b),
                  problems=[t.gettext(p, max=t.number(drafts.TEXT_MAX)) for p in problems], breakdown=breakdown,
                  previews=shown, audience=describe_audience(t, b.audience or {}, library),
                  action=f"/admin/announcements/{b.id}/edit", when=request.query, **_choices(request))


@page("GET", "/announcements/{id}", TRAINER)
async def announcement_page(request: web.Request) -> web.StreamResponse:
    t = texts(request).t
    async with request.app[CONSOLE].db.read() as session:
        b = await _broadcast(request, session)
        if b.status == BroadcastStatus.DRAFT:
            return await _draft_page(request, b, session, [])
        stats = await broadcast_stats(session, b)
        failed = await queries.failures(session, b.id)
        names = await queries.authors(session, {i for i in (b.author_id, b.cancelled_by) if i is not None})
    library = console_library(request.app[CONSOLE].settings)
    funnel = bars([(texts(request).get(text), stats[key]) for key, text in FUNNEL])
    return render(request, "announcements_view.html", b=b, stats=stats, funnel=funnel, failures=failed,
                  state=status_label(t, b), live=queries.is_live(b), names=names, others=OTHER_COUNTS,
                  audience=describe_audience(t, b.audience or {}, library))


@page("GET", "/announcements/{id}/confirm", TRAINER)
async def confirm(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    t = texts(request).t
    async with console.db.read() as session:
        b = await _broadcast(request, session, mine=True)
        if b.status != BroadcastStatus.DRAFT:
            raise web.HTTPSeeOther(f"/admin/announcements/{b.id}")
        problems = drafts.read_problems(b)
        when, problem = drafts.read_when(request.query, console.clock.now(), _zone(request))
        if problem is not None:
            problems.append(problem)
        if problems or when is None:
            return await _draft_page(request, b, session, problems)
        breakdown = await queries.audience_breakdown(session, b.audience or {}, b.author_id, console.clock.now())
    local = [(zone, translator(t.language, zone).datetime(when.at)) for zone in drafts.zones(when.zone)
             ] if when.at is not None else []
    return render(request, "announcements_confirm.html", b=b, when=when, breakdown=breakdown, local=local,
                  at=t.datetime(when.at) if when.at else "", text=short(b.text, 200),
                  audience=describe_audience(t, b.audience or {}, console_library(console.settings)))


@page("POST", "/announcements/{id}/send", TRAINER)
async def send(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    now = console.clock.now()
    form = await request.post()
    async with console.db.transaction() as session:
        b = await _broadcast(request, session, mine=True)
        if b.status != BroadcastStatus.DRAFT or drafts.read_problems(b):
            raise web.HTTPSeeOther(f"/admin/announcements/{b.id}")
        when, _ = drafts.read_when(form, now, _zone(request))
        if when is None:
            raise web.HTTPSeeOther(f"/admin/announcements/{b.id}")
        breakdown = await queries.audience_breakdown(session, b.audience or {}, b.author_id, now)
        schedule_at(b, when.at or now)
        await audited(request, session, "announcement.send" if when.now else "announcement.schedule",
                      f"broadcast:{b.id}", reach=breakdown.reach,
                      at=when.at.isoformat() if when.at else None, zone=None if when.now else when.zone)
    raise web.HTTPSeeOther(f"/admin/announcements/{b.id}")


@page("POST", "/announcements/{id}/cancel", TRAINER)
async def cancel(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    async with console.db.transaction() as session:
        b = await _broadcast(request, session, mine=True)
        stopped = await cancel_broadcast(session, b, console.clock.now(), _visitor(request).user.id)
        if stopped is not None:
            await audited(request, session, "announcement.cancel", f"broadcast:{b.id}", stopped=stopped)
    raise web.HTTPSeeOther(f"/admin/announcements/{b.id}")


@page("POST", "/announcements/{id}/discard", TRAINER)
async def discard(request: web.Request) -> web.StreamResponse:
    async with request.app[CONSOLE].db.transaction() as session:
        b = await _broadcast(request, session, mine=True)
        if b.status == BroadcastStatus.DRAFT:
            b.status = BroadcastStatus.CANCELLED
            await audited(request, session, "announcement.discard", f"broadcast:{b.id}")
    raise web.HTTPSeeOther("/admin/announcements")
