"""``/admin/learners``: search by name or address with the filters, paged by key (``?after=<id>``, fast at
100,000 people); a learner's page (profile, addresses, progress per course, quiz answers, listings, FAQ
tickets) and everything about them as JSON (a data-subject request, trainers and admins); erasing them
(``/admin/learners/{id}/erase``: a confirmation page, then a POST) is for admins only, a data-protection
decision, and runs the chat's own ``/forget`` (``storage.privacy.forget_user``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.console.audit import audited
from bot.console.auth import ADMIN, CONSOLE, TRAINER, VISITOR, page
from bot.console.render import add_nav, filter_query, filters, render
from storage import console as queries
from storage.console_erasure import erasure_preview
from storage.models import Address, Role, User
from storage.privacy import forget_user

PAGE_SIZE = 50

add_nav("/learners", "learners", TRAINER, 20)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@page("GET", "/learners", TRAINER)
async def learners(request: web.Request) -> web.StreamResponse:
    f = filters(request)
    q = request.query.get("q", "")[:100]
    async with request.app[CONSOLE].db.transaction() as session:
        found = await queries.search_learners(session, f, q, _int(request.query.get("after")), PAGE_SIZE + 1)
        choices = await queries.filter_choices(session)
        rows = [{"id": u.id, "name": u.name, "country": u.country, "language": u.language, "craft": u.craft,
                 "created_at": u.created_at, "addresses": [a.address for a in u.addresses]} for u in found]
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = filter_query(request)
    next_url = str(request.rel_url.with_query({**query, "after": str(rows[-1]["id"])})) if more else None
    return render(request, "learners.html", rows=rows, q=q, f=f, choices=choices, query=query, next_url=next_url,
                  period=request.query.get("period", "30"), erased=_int(request.query.get("erased")))


def _plain(row: Any) -> dict[str, Any]:
    """A table row as JSON-ready data (dates as ISO 8601)."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return out


async def _learner(request: web.Request) -> tuple[User, list[Address], dict[str, list[Any]]]:
    user_id = _int(request.match_info["id"])
    async with request.app[CONSOLE].db.transaction() as session:
        user = await queries.learner(session, user_id) if user_id else None
        if user is None:
            raise web.HTTPNotFound(text="no such learner")
        records = await queries.learner_records(session, user.id)
        addresses = list(user.addresses)
    return user, addresses, records


@page("GET", "/learners/{id}", TRAINER)
async def learner_page(request: web.Request) -> web.StreamResponse:
    user, addresses, records = await _learner(request)
    visitor = request[VISITOR]
    context: dict[str, Any] = {"user": user, "addresses": addresses, **records,
                               "may_erase": visitor is not None and visitor.user.role == Role.ADMIN}
    return render(request, "learner.html", **context)


@page("GET", "/learners/{id}/export.json", TRAINER)
async def learner_json(request: web.Request) -> web.StreamResponse:
    user, addresses, records = await _learner(request)
    hidden = {"step", "step_data", "menu"}
    data = {"user": {k: v for k, v in _plain(user).items() if k not in hidden},
            "addresses": [_plain(a) for a in addresses],
            **{key: [_plain(row) for row in rows] for key, rows in records.items()}}
    return web.Response(text=json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="learner-{user.id}.json"'})


@page("GET", "/learners/{id}/erase", ADMIN)
async def erase_page(request: web.Request) -> web.StreamResponse:
    """What erasing this person does, and the button that does it."""
    user_id = _int(request.match_info["id"])
    async with request.app[CONSOLE].db.read() as session:
        user = await queries.learner(session, user_id) if user_id else None
        if user is None:
            raise web.HTTPNotFound(text="no such learner")
        preview = await erasure_preview(session, user.id)
    return render(request, "erase.html", user=user, preview=preview, refused=user.role != Role.LEARNER)


@page("POST", "/learners/{id}/erase", ADMIN)
async def erase(request: web.Request) -> web.StreamResponse:
    """Erase a learner as ``/forget`` does (the outbox cancels what was not sent), audited once."""
    user_id = _int(request.match_info["id"])
    console = request.app[CONSOLE]
    async with console.db.transaction() as session:
        user = await session.get(User, user_id) if user_id else None
        if user is None:
            raise web.HTTPNotFound(text="no such learner")
        if user.role != Role.LEARNER:  # staff lose their role first: never erase a trainer or oneself here
            preview = await erasure_preview(session, user.id)
            return render(request, "erase.html", status=409, user=user, preview=preview, refused=True)
        forgotten = await forget_user(session, user, console.clock.now())
        await audited(request, session, "learner.erase", f"user:{user_id}", cancelled=forgotten.cancelled,
                      addresses=len(forgotten.addresses))
    raise web.HTTPSeeOther(f"/admin/learners?erased={user_id}")
