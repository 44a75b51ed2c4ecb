"""The audit log in the console.

``audited`` writes one row for a console action: who (the signed-in person), from where (the browser's
address), what and on which record, in the same transaction as the action (``storage.audit.record``).

``/admin/audit`` (admins only: the log says what every trainer did, from which address) lists the rows
newest first with filters (action prefix, person or the command line, target, period), paged by key;
``/admin/audit.csv`` streams the same rows as CSV. Nothing in the console edits or deletes a row: there
is no such route.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.auth import ADMIN, CONSOLE, VISITOR, Visitor, page
from bot.console.exports import _stream_csv
from bot.console.render import PERIODS, add_nav, render
from bot.console.texts import TEXTS
from bot.i18n import N_
from storage.audit import AuditEntry, AuditFilter, actors, entries, record, stream


async def audited(request: web.Request, session: AsyncSession, action: str, target: str | None = None,
                  **detail: Any) -> AuditEntry:
    """Record one console action by the request's visitor (call it inside the action's transaction)."""
    visitor: Visitor | None = request.get(VISITOR)
    return await record(session, at=request.app[CONSOLE].clock.now(),
                        actor_id=visitor.user.id if visitor else None,
                        actor=(visitor.user.name or f"user {visitor.user.id}") if visitor else "anonymous",
                        action=action, target=target, address=request.remote, detail=detail or None)


TEXTS.update({
    "audit_menu": N_("Audit log"),
    "audit_help": N_("Every action taken in the console or with the admin command line, written once. "
                     "Nothing here can be changed or deleted."),
    "audit_action": N_("Action"),
    "audit_actor": N_("Who"),
    "audit_target": N_("Record"),
    "audit_when": N_("When"),
    "audit_address": N_("From"),
    "audit_detail": N_("Detail"),
    "audit_cli": N_("Command line"),
    "audit_empty": N_("No actions match."),
})
add_nav("/audit", "audit_menu", ADMIN, 90)

PAGE_SIZE = 100
COLUMNS = ["id", "at", "actor_id", "actor", "action", "target", "address", "detail"]
ACTION = re.compile(r"^[a-z_.]{1,60}$")
TARGET = re.compile(r"^[\w:.-]{1,100}$")
KNOWN = ("listing", "ticket", "role", "invite", "session", "login", "announcement", "faq")
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # no direction overrides inside <option>


def audit_filter(request: web.Request) -> tuple[AuditFilter, dict[str, str]]:
    """The filters in the URL (anything malformed is ignored), and the ones that held, for links."""
    query = request.query
    action, who, target = query.get("action", ""), query.get("actor", ""), query.get("target", "")
    period = query.get("period", "all")
    kept = {"action": action if ACTION.match(action) else "", "target": target if TARGET.match(target) else "",
            "actor": who if who == "cli" or who.isdigit() else "", "period": period if period in PERIODS else "all"}
    days = PERIODS[kept["period"]]
    now = request.app[CONSOLE].clock.now()
    return AuditFilter(action=kept["action"] or None, target=kept["target"] or None,
                       actor_id=int(who) if kept["actor"].isdigit() else None, cli=kept["actor"] == "cli",
                       since=now - timedelta(days=days) if days else None), {k: v for k, v in kept.items() if v}


def detail_pairs(detail: str | None) -> list[tuple[str, str]]:
    try:
        data = json.loads(detail) if detail else {}
    except ValueError:
        return [("", detail or "")]
    return [(str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)) for k, v in data.items()] \
        if isinstance(data, dict) else [("", str(data))]


@page("GET", "/audit", ADMIN)
async def audit_log(request: web.Request) -> web.StreamResponse:
    f, kept = audit_filter(request)
    before = request.query.get("before", "")
    async with request.app[CONSOLE].db.read() as session:
        found = await entries(session, f, before_id=int(before) if before.isdigit() else None, limit=PAGE_SIZE + 1)
        people = [(actor_id, BIDI.sub("", name)) for actor_id, name in await actors(session)]
    rows = [{"id": e.id, "at": e.at, "actor": e.actor, "actor_id": e.actor_id, "action": e.action,
             "target": e.target or "", "address": e.address or "", "detail": detail_pairs(e.detail)}
            for e in found[:PAGE_SIZE]]
    next_url = (str(request.rel_url.with_query({**kept, "before": str(rows[-1]["id"])}))
                if len(found) > PAGE_SIZE else None)
    return render(request, "audit.html", rows=rows, people=people, kept=kept, known=KNOWN, next_url=next_url,
                  period=kept.get("period", "all"))


@page("GET", "/audit.csv", ADMIN)
async def audit_csv(request: web.Request) -> web.StreamResponse:
    f, _ = audit_filter(request)

    async def batches() -> AsyncIterator[Sequence[Any]]:
        async with request.app[CONSOLE].db.read() as session:
            batch: list[list[Any]] = []
            async for e in stream(session, f):
                batch.append([e.id, e.at, e.actor_id, e.actor, e.action, e.target, e.address, e.detail])
                if len(batch) >= 500:
                    yield batch
                    batch = []
            if batch:
                yield batch

    return await _stream_csv(request, "audit.csv", COLUMNS, batches())
