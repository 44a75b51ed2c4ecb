"""``/admin``: the dashboard (learners, learning, listings, FAQ, announcements; bar charts drawn as SVG in
the template, each with its numbers as a table) and ``/admin/report``, the periodic-report tables."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aiohttp import web
from babel.dates import format_date

from bot.console.auth import CONSOLE, TRAINER, page
from bot.console.library import console_library
from bot.console.render import PERIODS, add_nav, filter_query, filters, render, texts
from bot.console.texts import Texts
from bot.demographics import CHOICES, label
from storage import console as queries
from storage.market import ListingStatus
from storage.models import OutboxStatus


def labelled(t: Texts, key: str, rows: Sequence[tuple[str | None, int]]) -> list[tuple[str, int]]:
    """Rows keyed by a stored code as rows keyed by its label; the optional answers (sex, age band) in the
    order they are offered, "not given" last."""
    if key not in CHOICES:
        return [(code or t.unknown, n) for code, n in rows]
    order = list(CHOICES[key])
    ordered = sorted(rows, key=lambda r: order.index(r[0]) if r[0] in order else len(order) + (r[0] is None))
    return [(label(key, code, t.t) or t.unknown, n) for code, n in ordered]


def bars(rows: list[tuple[Any, int]]) -> list[dict[str, Any]]:
    """Rows for the bar-chart macro: label, value, and the bar's share of the largest."""
    top = max((n for _, n in rows), default=0) or 1
    return [{"label": label, "value": n, "share": n / top} for label, n in rows]


async def dashboard_data(request: web.Request, now: datetime) -> dict[str, Any]:
    f = filters(request)
    t = texts(request)
    keys = ("country", "language", "channel", "craft", *queries.optional_columns())
    courses = await course_ids(request)
    async with request.app[CONSOLE].db.read() as session:
        counts = await queries.learner_counts(session, f, now)
        weekly = await queries.new_per_week(session, f, now)
        by = await queries.breakdowns(session, f, keys)
        learning = await queries.learning_counts(session, f, now)
        listings, faq, sent = await queries.activity_counts(session, f, now)
        choices = await queries.filter_choices(session, courses)
    delivered = sent.get(OutboxStatus.DELIVERED, 0) + sent.get(OutboxStatus.READ, 0)
    return {
        "counts": counts,
        "weekly": bars([(_day(t, start), n)
                        for start, n in weekly]),
        "breakdowns": [(key, bars(labelled(t, key, rows))) for key, rows in by.items()],
        "learning": learning,
        "listings": bars([(t.pending, listings.get(ListingStatus.PENDING, 0)),
                          (t.live, listings.get(ListingStatus.ACTIVE, 0)),
                          (t.expired, listings.get(ListingStatus.EXPIRED, 0))]),
        "faq": bars([(t.answered, faq["answered"]), (t.missed, faq["missed"]), (t.handed_over, faq["handed_over"])]),
        "announcements": bars([(t.sent, sent.get(OutboxStatus.SENT, 0) + delivered), (t.delivered, delivered),
                               (t.failed, sent.get(OutboxStatus.FAILED, 0) + sent.get(OutboxStatus.SKIPPED, 0))]),
        "choices": choices,
        "f": f,
        "period": request.query.get("period", "30") if request.query.get("period") in PERIODS else "30",
        "query": filter_query(request),
    }


async def course_ids(request: web.Request) -> list[str]:
    """The content library's course ids (the course filter's choices)."""
    library = await asyncio.to_thread(console_library, request.app[CONSOLE].settings)
    return list(library.courses)


def _day(t: Texts, moment: datetime) -> str:
    return format_date(moment.astimezone(t.t.tz).date(), "medium", locale=t.t.locale)


@page("GET", "", TRAINER)
async def dashboard(request: web.Request) -> web.StreamResponse:
    data = await dashboard_data(request, request.app[CONSOLE].clock.now())
    return render(request, "dashboard.html", **data)


add_nav("", "dashboard", TRAINER, 10)
add_nav("/report", "report", TRAINER, 30)


@page("GET", "/report", TRAINER)
async def report(request: web.Request) -> web.StreamResponse:
    f = filters(request)
    now = request.app[CONSOLE].clock.now()
    courses = await course_ids(request)
    async with request.app[CONSOLE].db.read() as session:
        tables = await queries.report_tables(session, f, now)
        choices = await queries.filter_choices(session, courses)
    t = texts(request)
    tables = {key: labelled(t, key, rows) if key in CHOICES else rows for key, rows in tables.items()}
    return render(request, "report.html", tables=tables, f=f, choices=choices, query=filter_query(request),
                  period=request.query.get("period", "30") if request.query.get("period") in PERIODS else "30")
