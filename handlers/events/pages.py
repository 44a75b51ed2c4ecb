"""``/admin/events``: events in the trainer console.

- ``/admin/events``: upcoming and past events with their counts; ``/admin/events/new``: the create form.
- ``/admin/events/<id>``: the event, its attendance (RSVPed, waiting, checked in, no-shows after the end),
  everyone who signed up, a check-in box; ``/admin/events/<id>/attendance.csv`` the same list as CSV.
- ``/admin/events/checkin/<code>``: what a check-in QR code opens on a signed-in trainer's phone: who it is,
  and a button (a POST) that checks them in. Answers are the chat's (``handlers.events.checkin``).

Creating and checking in each write one audit row (``event.create``, ``event.checkin``; target ``event:<id>``).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.actions import Form, back_to, field, notice, number
from bot.console.audit import audited
from bot.console.auth import CONSOLE, TRAINER, VISITOR, page
from bot.console.render import add_nav, render, texts
from bot.console.texts import TEXTS
from bot.i18n import LANGUAGES, N_
from handlers.choices import COUNTRY_TIMEZONE
from handlers.events.checkin import OUTCOMES, check_code
from handlers.events.common import KIND_NAMES, languages_text, show_code, zone_of
from storage.events import Event, all_events, attendees, clean_code, counts_by_event, get_event, tally

TEXTS.update({
    "ev_menu": N_("Events"),
    "ev_title": N_("Events"),
    "ev_new": N_("New event"),
    "ev_none": N_("No events yet."),
    "ev_name": N_("Title"),
    "ev_kind": N_("Kind"),
    "ev_starts": N_("Starts"),
    "ev_ends": N_("Ends"),
    "ev_zone": N_("Time zone of the times"),
    "ev_place": N_("Place"),
    "ev_latitude": N_("Latitude (optional)"),
    "ev_longitude": N_("Longitude (optional)"),
    "ev_capacity": N_("Places"),
    "ev_languages": N_("Languages"),
    "ev_description": N_("Description"),
    "ev_create": N_("Create the event"),
    "ev_rsvped": N_("RSVPed"),
    "ev_waiting": N_("Waiting list"),
    "ev_checked_in": N_("Checked in"),
    "ev_no_show": N_("No-shows"),
    "ev_cancelled": N_("Cancelled"),
    "ev_going": N_("Has a place"),
    "ev_person": N_("Person"),
    "ev_state": N_("State"),
    "ev_code": N_("Code"),
    "ev_asked": N_("Signed up"),
    "ev_csv": N_("Download the list (CSV)"),
    "ev_checkin": N_("Check in"),
    "ev_checkin_help": N_("Type the code a person shows, or scan their QR code with your phone."),
    "ev_checkin_confirm": N_("Check this person in"),
    "ev_bad_form": N_("Please check the form: {problem}"),
    "ev_bad_title": N_("the title is missing."),
    "ev_bad_times": N_("the start must be a future date and time, and the end after it."),
    "ev_bad_capacity": N_("the number of places must be from 1 to 100,000."),
    "ev_bad_zone": N_("the time zone is not known."),
    "ev_bad_location": N_("the latitude and longitude must both be numbers on the map, or both empty."),
    "ev_done_created": N_("Event #{number} created."),
    "ev_gone": N_("That event is no longer there."),
    "events_attended": N_("Events: people checked in"),  # the periodic report's table (storage.console)
})
for key, message in OUTCOMES.items():
    TEXTS[f"ev_out_{key}"] = message
add_nav("/events", "ev_menu", TRAINER, 48)

EVENTS_URL = "/admin/events"
STATES = {"going": "ev_going", "waiting": "ev_waiting", "checked_in": "ev_checked_in", "no_show": "ev_no_show",
          "cancelled": "ev_cancelled"}
NOTICES = {"created": ("ev_done_created", False), "gone": ("ev_gone", True)}
ZONES = sorted(set(COUNTRY_TIMEZONE.values()))


@page("GET", "/events", TRAINER)
async def events_page(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    now = console.clock.now()
    async with console.db.read() as session:
        events = await all_events(session)
        counts = await counts_by_event(session, [e.id for e in events])
    t = texts(request)
    rows = [{"id": e.id, "title": e.title, "kind": t.t.gettext(KIND_NAMES.get(e.kind, "")), "starts_at": e.starts_at,
             "capacity": e.capacity, "over": e.ends_at <= now, **counts[e.id]} for e in events]
    return render(request, "events.html", rows=rows, notice=notice(request, t, NOTICES))


def form_values(form: Form | None, default_zone: str) -> dict[str, Any]:
    form = form or {}
    chosen = form.getall("languages", []) if hasattr(form, "getall") else []
    return {"title": field(form, "title", 200), "kind": field(form, "kind", 16) or "workshop",
            "zone": field(form, "zone", 40) or default_zone, "start": field(form, "start", 20),
            "end": field(form, "end", 20), "place": field(form, "place", 500), "latitude": field(form, "latitude", 20),
            "longitude": field(form, "longitude", 20), "capacity": field(form, "capacity", 10) or "30",
            "languages": [c for c in chosen if isinstance(c, str) and c in LANGUAGES],
            "description": field(form, "description", 1500)}


def render_form(request: web.Request, values: dict[str, Any], problem: str | None = None) -> web.Response:
    return render(request, "events_new.html", status=400 if problem else 200, values=values, problem=problem,
                  kinds=[(code, texts(request).t.gettext(label)) for code, label in KIND_NAMES.items()],
                  zones=ZONES, all_languages=[(code, info.native_name) for code, info in LANGUAGES.items()])


@page("GET", "/events/new", TRAINER)
async def new_event_page(request: web.Request) -> web.StreamResponse:
    return render_form(request, form_values(None, request.app[CONSOLE].settings.default_timezone))


def local_time(text: str, zone: ZoneInfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else None


def coordinate(text: str, limit: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


def read_event(values: dict[str, Any], now: datetime) -> Event | str:
    """The event of a posted form, or the ``TEXTS`` key of what is wrong."""
    if not values["title"]:
        return "ev_bad_title"
    zone = zone_of(values["zone"])
    if zone.key != values["zone"]:
        return "ev_bad_zone"
    start, end = local_time(values["start"], zone), local_time(values["end"], zone)
    if start is None or end is None or start <= now or end <= start:
        return "ev_bad_times"
    capacity = values["capacity"].replace(",", "")
    if not capacity.isdigit() or not 1 <= int(capacity) <= 100_000:
        return "ev_bad_capacity"
    lat, lon = values["latitude"], values["longitude"]
    where = (coordinate(lat, 90), coordinate(lon, 180)) if lat or lon else (None, None)
    if (lat or lon) and None in where:
        return "ev_bad_location"
    return Event(title=values["title"], kind=values["kind"] if values["kind"] in KIND_NAMES else "workshop",
                 timezone=zone.key, starts_at=start, ends_at=end, place=values["place"], latitude=where[0],
                 longitude=where[1], capacity=int(capacity), languages=values["languages"],
                 description=values["description"], status="open")


@page("POST", "/events/new", TRAINER)
async def create_event(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = request[VISITOR]
    assert visitor is not None
    form = await request.post()
    values = form_values(form, console.settings.default_timezone)
    found = read_event(values, console.clock.now())
    if isinstance(found, str):
        t = texts(request)
        return render_form(request, values, t.get("ev_bad_form", problem=t.get(found)))
    async with console.db.transaction() as session:
        found.author_id = visitor.user.id
        session.add(found)
        await session.flush()
        await audited(request, session, "event.create", f"event:{found.id}", title=found.title)
        event_id = found.id
    raise web.HTTPSeeOther(f"{EVENTS_URL}/{event_id}?done=created&n={event_id}")


async def attendance_rows(request: web.Request, event_id: int) -> tuple[Event, dict[str, int], list[dict[str, Any]]]:
    console = request.app[CONSOLE]
    now = console.clock.now()
    async with console.db.read() as session:
        event = await get_event(session, event_id)
        if event is None:
            raise web.HTTPNotFound()
        people = await attendees(session, event.id)
    rows = [{"place": a.rsvp.id, "name": a.user.name or f"#{a.user.id}", "user_id": a.user.id,
             "language": a.user.language or "", "state": a.state(event, now), "code": show_code(a.rsvp.code),
             "asked": a.rsvp.queued_at, "checked_in": a.rsvp.checked_in_at} for a in people]
    return event, tally(people, event, now), rows


@page("GET", "/events/{id}", TRAINER)
async def event_page(request: web.Request) -> web.StreamResponse:
    event_id = number(request.match_info["id"])
    if event_id is None:
        raise web.HTTPNotFound()
    event, counts, rows = await attendance_rows(request, event_id)
    t = texts(request)
    shown = notice(request, t, NOTICES)
    if request.query.get("done") in OUTCOMES:  # a check-in's outcome, in the chat's words, about a row
        row = next((r for r in rows if r["place"] == number(request.query.get("n"))), None)
        key = f"ev_out_{request.query['done']}"
        shown = {"text": t.get(key, code=row["code"] if row else "?", name=row["name"] if row else "?",
                               title=event.title, when=t.date(row["checked_in"]) if row else ""),
                 "error": request.query["done"] != "ok"}
    return render(request, "events_view.html", event=event, counts=counts, rows=rows, states=STATES,
                  kind=t.t.gettext(KIND_NAMES.get(event.kind, "")), languages=languages_text(list(event.languages)),
                  notice=shown, back=f"{EVENTS_URL}/{event.id}")


@page("GET", "/events/{id}/attendance.csv", TRAINER)
async def attendance_csv(request: web.Request) -> web.StreamResponse:
    event_id = number(request.match_info["id"])
    if event_id is None:
        raise web.HTTPNotFound()
    event, _, rows = await attendance_rows(request, event_id)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["place", "user_id", "name", "language", "state", "code", "signed_up_at", "checked_in_at"])
    for r in rows:
        name = r["name"]
        writer.writerow([r["place"], r["user_id"], "'" + name if name[:1] in "=+-@\t\r" else name, r["language"],
                         r["state"], r["code"].replace("-", ""), r["asked"].isoformat(),
                         r["checked_in"].isoformat() if r["checked_in"] else ""])
    return web.Response(body=buffer.getvalue().encode(), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="event-{event.id}-attendance.csv"'})


@page("POST", "/events/{id}/checkin", TRAINER)
async def checkin_typed(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = request[VISITOR]
    assert visitor is not None
    form = await request.post()
    event_id = number(request.match_info["id"])
    async with console.db.transaction() as session:
        event = await get_event(session, event_id) if event_id else None
        if event is None:
            raise back_to(form, EVENTS_URL, "gone")
        outcome = await check_code(session, field(form, "code", 40), visitor.user.id, console.clock.now(), event.id)
        if outcome.result == "ok" and outcome.rsvp is not None:
            await audited(request, session, "event.checkin", f"event:{event.id}", rsvp=outcome.rsvp.id)
    place = outcome.rsvp.id if outcome.rsvp is not None and outcome.rsvp.event_id == event.id else None
    raise back_to(form, f"{EVENTS_URL}/{event.id}", outcome.result, place)


async def scanned(request: web.Request, apply: bool) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = request[VISITOR]
    assert visitor is not None
    code = clean_code(request.match_info["code"])
    async with console.db.transaction() as session:
        outcome = await check_code(session, code, visitor.user.id, console.clock.now(), apply=apply)
        if apply and outcome.result == "ok" and outcome.event is not None and outcome.rsvp is not None:
            await audited(request, session, "event.checkin", f"event:{outcome.event.id}", rsvp=outcome.rsvp.id)
    t = texts(request)
    pending = outcome.result == "ok" and not apply
    text = "" if pending else outcome.text(t.t)
    return render(request, "events_checkin.html", outcome=outcome, text=text, pending=pending,
                  person=(outcome.person.name or f"#{outcome.person.id}") if outcome.person else "",
                  code=show_code(outcome.code), done=apply and outcome.result == "ok")


@page("GET", "/events/checkin/{code}", TRAINER)
async def checkin_scanned(request: web.Request) -> web.StreamResponse:
    return await scanned(request, apply=False)


@page("POST", "/events/checkin/{code}", TRAINER)
async def checkin_confirmed(request: web.Request) -> web.StreamResponse:
    return await scanned(request, apply=True)

