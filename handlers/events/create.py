"""Trainers create an event by chat (``/newevent`` or "New event" under Events): title, kind, time zone, start
and end in that zone, place and an optional location pin, capacity, languages, description, then a preview to
publish. The draft lives in the trainer's step data (stored on the user row), so a restart loses nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import Context
from bot.i18n import LANGUAGES, translator
from bot.router import Command, InStep, NoPayload, Router
from bot.types import Button, rows
from handlers.announcements.schedule import parse_when, user_zone
from handlers.choices import COUNTRIES, COUNTRY_TIMEZONE, country_name
from handlers.events.actions import ANNOUNCE, DISCARD, KIND, LANGUAGE, LANGUAGES_DONE, NEW, PUBLISH, SKIP, VIEW, ZONE
from handlers.events.common import KIND_NAMES, EventStep, event_text, is_staff, zone_of
from handlers.menu import HOME
from storage.events import Event

router = Router("events.create")
TITLE_MAX, PLACE_MAX, DESCRIPTION_MAX, CAPACITY_MAX = 200, 500, 1500, 100_000
_CLOCK = re.compile(r"^(\d{1,2})[:.h](\d{2})$")


def cancel_row(ctx: Context) -> tuple[Button, ...]:
    return (Button(ctx._("Cancel"), DISCARD.encode()),)


def draft_event(data: dict[str, Any], author_id: int | None) -> Event:
    return Event(author_id=author_id, title=data["title"], kind=data["kind"], timezone=data["zone"],
                 starts_at=datetime.fromisoformat(data["start"]), ends_at=datetime.fromisoformat(data["end"]),
                 place=data.get("place", ""), latitude=data.get("lat"), longitude=data.get("lon"),
                 capacity=int(data["capacity"]), languages=list(data.get("languages", [])),
                 description=data.get("description", ""), status="open")


def ask(ctx: Context, step: EventStep) -> None:
    """Go to ``step`` (keeping the draft) and ask its question."""
    ctx.user.step = str(step)
    data = ctx.data
    zone = str(data.get("zone", ""))
    if step == EventStep.TITLE:
        ctx.reply(ctx._("New event. What is it called?"), rows(*cancel_row(ctx)), title=ctx._("New event"))
    elif step == EventStep.KIND:
        ctx.reply(ctx._("What kind of event is it?"),
                  rows(*(Button(ctx._(label), KIND.encode(code)) for code, label in KIND_NAMES.items()),
                       *cancel_row(ctx), width=2))
    elif step == EventStep.ZONE:
        ctx.reply(ctx._("In which time zone are its times? Choose the country, or type a zone like Asia/Vientiane."),
                  rows(*(Button(f"{country_name(c, ctx.t)} ({COUNTRY_TIMEZONE[c]})", ZONE.encode(c))
                         for c in COUNTRIES), *cancel_row(ctx), width=2))
    elif step == EventStep.START:
        example = f"{(ctx.now.astimezone(zone_of(zone)) + timedelta(days=7)).date().isoformat()} 09:00"
        ctx.reply(ctx._("When does it start? Type the date and time in {zone} time, for example {example}.",
                        zone=zone, example=example), rows(*cancel_row(ctx)))
    elif step == EventStep.END:
        ctx.reply(ctx._("When does it end? Type a time like 17:00 (the same day), or a date and time."),
                  rows(*cancel_row(ctx)))
    elif step == EventStep.PLACE:
        ctx.reply(ctx._("Where is it? Type the place (for an online session, how to join)."), rows(*cancel_row(ctx)))
    elif step == EventStep.LOCATION:
        ctx.reply(ctx._("You can send its location pin, so people find it on a map, or skip."),
                  rows(Button(ctx._("Skip"), SKIP.encode()), *cancel_row(ctx), width=2))
    elif step == EventStep.CAPACITY:  # no buttons: a typed number must not press one
        ctx.reply(ctx._("How many people can come? Type a number, like 30."))
    elif step == EventStep.LANGUAGES:
        chosen = set(data.get("languages", []))
        buttons = [Button(("✓ " if code in chosen else "") + lang.native_name, LANGUAGE.encode(code))
                   for code, lang in LANGUAGES.items()]
        ctx.reply(ctx._("In which languages? Press each one, then Done."),
                  rows(*buttons, Button(ctx._("Done"), LANGUAGES_DONE.encode()), *cancel_row(ctx), width=2))
    elif step == EventStep.DESCRIPTION:
        ctx.reply(ctx._("Describe it in a few lines (what to bring, who it is for), or skip."),
                  rows(Button(ctx._("Skip"), SKIP.encode()), *cancel_row(ctx), width=2))
    elif step == EventStep.PREVIEW:
        preview = event_text(ctx.t, draft_event(data, ctx.user.id))
        capacity = ctx.ngettext("{n} place", "{n} places", int(data["capacity"]))
        ctx.reply(ctx._("This is how people will see it ({capacity}):", capacity=capacity) + "\n\n" + preview,
                  rows(Button(ctx._("Publish"), PUBLISH.encode()), *cancel_row(ctx), width=2))


@router.on(Command("newevent"), is_staff)
@router.on(NEW, is_staff)
async def start(ctx: Context) -> None:
    ctx.goto(EventStep.TITLE, languages=[ctx.t.language])
    ask(ctx, EventStep.TITLE)


@router.on(DISCARD, is_staff)
async def discard(ctx: Context) -> None:
    ctx.goto(None)
    ctx.reply(ctx._("The new event was discarded."), rows(Button(ctx._("Main menu"), HOME.encode())))


def typed(ctx: Context, limit: int) -> str | None:
    """The typed answer, or None after saying what is wrong (a sticker, a photo, nothing, too long)."""
    text = ctx.msg.text.strip()
    if not text or ctx.msg.media or ctx.msg.command:
        ctx.reply(ctx._("Please type your answer as text."), rows(*cancel_row(ctx)))
        return None
    if len(text) > limit:
        ctx.reply(ctx._("That is too long: at most {limit} characters, please.", limit=limit), rows(*cancel_row(ctx)))
        return None
    return text


@router.on(InStep(EventStep.TITLE), NoPayload, is_staff)
async def got_title(ctx: Context) -> None:
    if (text := typed(ctx, TITLE_MAX)) is not None:
        ctx.update_data(title=" ".join(text.split()))
        ask(ctx, EventStep.KIND)


@router.on(KIND, InStep(EventStep.KIND), is_staff)
async def got_kind(ctx: Context) -> None:
    if KIND.arg(ctx) not in KIND_NAMES:
        ask(ctx, EventStep.KIND)
        return
    ctx.update_data(kind=KIND.arg(ctx))
    ask(ctx, EventStep.ZONE)


@router.on(ZONE, InStep(EventStep.ZONE), is_staff)
async def got_zone_button(ctx: Context) -> None:
    code = ZONE.arg(ctx)
    if code not in COUNTRY_TIMEZONE:
        ask(ctx, EventStep.ZONE)
        return
    ctx.update_data(zone=COUNTRY_TIMEZONE[code])
    ask(ctx, EventStep.START)


@router.on(InStep(EventStep.ZONE), NoPayload, is_staff)
async def got_zone_typed(ctx: Context) -> None:
    name = ctx.msg.text.strip()
    if "/" not in name or len(name) > 40 or zone_of(name).key != name:
        ctx.reply(ctx._("I do not know that time zone. Choose a country, or type one like Asia/Manila."))
        ask(ctx, EventStep.ZONE)
        return
    ctx.update_data(zone=name)
    ask(ctx, EventStep.START)


def read_time(ctx: Context, zone_name: str) -> datetime | None:
    return parse_when(ctx.msg.text, ctx.now, zone_of(zone_name), ("today", ctx._("today")),
                      ("tomorrow", ctx._("tomorrow")))


@router.on(InStep(EventStep.START), NoPayload, is_staff)
async def got_start(ctx: Context) -> None:
    when = read_time(ctx, str(ctx.data.get("zone")))
    if when is None or when <= ctx.now:
        ctx.reply(ctx._("Sorry, I could not read that as a time to come. Please write it like 2026-03-14 09:00."),
                  rows(*cancel_row(ctx)))
        return
    ctx.update_data(start=when.isoformat())
    ask(ctx, EventStep.END)


@router.on(InStep(EventStep.END), NoPayload, is_staff)
async def got_end(ctx: Context) -> None:
    zone = zone_of(str(ctx.data.get("zone")))
    begin = datetime.fromisoformat(str(ctx.data.get("start")))
    clock = _CLOCK.match(ctx.msg.text.strip())
    end: datetime | None
    if clock and int(clock.group(1)) < 24 and int(clock.group(2)) < 60:
        day = begin.astimezone(zone)
        end = datetime(day.year, day.month, day.day, int(clock.group(1)), int(clock.group(2)),
                       tzinfo=zone).astimezone(UTC)
    else:
        end = read_time(ctx, zone.key)
    if end is None or end <= begin:
        ctx.reply(ctx._("The end must be after the start. Please type a time like 17:00."), rows(*cancel_row(ctx)))
        return
    ctx.update_data(end=end.isoformat())
    ask(ctx, EventStep.PLACE)


@router.on(InStep(EventStep.PLACE), NoPayload, is_staff)
async def got_place(ctx: Context) -> None:
    if (text := typed(ctx, PLACE_MAX)) is not None:
        ctx.update_data(place=text)
        ask(ctx, EventStep.LOCATION)


@router.on(InStep(EventStep.LOCATION), is_staff)
async def got_location(ctx: Context) -> None:
    where = ctx.msg.location
    if SKIP(ctx):
        ask(ctx, EventStep.CAPACITY)
        return
    if where is None or not (-90 <= where.latitude <= 90 and -180 <= where.longitude <= 180):
        ask(ctx, EventStep.LOCATION)
        return
    ctx.update_data(lat=where.latitude, lon=where.longitude)
    ask(ctx, EventStep.CAPACITY)


@router.on(InStep(EventStep.CAPACITY), NoPayload, is_staff)
async def got_capacity(ctx: Context) -> None:
    said = "".join(ch for ch in ctx.msg.text.strip() if not ch.isspace() and ch not in ",.")
    if not said.isdigit() or not 1 <= int(said) <= CAPACITY_MAX:
        ctx.reply(ctx._("Please type the number of places, from 1 to {top}.", top=ctx.t.number(CAPACITY_MAX)))
        return
    ctx.update_data(capacity=int(said))
    ask(ctx, EventStep.LANGUAGES)


@router.on(LANGUAGE, InStep(EventStep.LANGUAGES), is_staff)
async def toggle_language(ctx: Context) -> None:
    code = LANGUAGE.arg(ctx)
    chosen = list(ctx.data.get("languages", []))
    if code in LANGUAGES:
        chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
    ctx.update_data(languages=chosen)
    ask(ctx, EventStep.LANGUAGES)


@router.on(LANGUAGES_DONE, InStep(EventStep.LANGUAGES), is_staff)
async def languages_done(ctx: Context) -> None:
    ask(ctx, EventStep.DESCRIPTION)


@router.on(SKIP, InStep(EventStep.DESCRIPTION), is_staff)
async def skip_description(ctx: Context) -> None:
    ctx.update_data(description="")
    ask(ctx, EventStep.PREVIEW)


@router.on(InStep(EventStep.DESCRIPTION), NoPayload, is_staff)
async def got_description(ctx: Context) -> None:
    if (text := typed(ctx, DESCRIPTION_MAX)) is not None:
        ctx.update_data(description=text)
        ask(ctx, EventStep.PREVIEW)


@router.on(PUBLISH, InStep(EventStep.PREVIEW), is_staff)
async def publish(ctx: Context) -> None:
    event = draft_event(ctx.data, ctx.user.id)
    ctx.session.add(event)
    await ctx.session.flush()
    ctx.goto(None)
    zone = translator(ctx.user.language, str(user_zone(ctx.user, ctx.deps.settings.default_timezone)))
    ctx.reply(ctx._("Published: {title}, {when}. Learners find it under Events.", title=event.title,
                    when=zone.datetime(event.starts_at)),
              rows(Button(ctx._("See it"), VIEW.encode(event.id)),
                   Button(ctx._("Announce it"), ANNOUNCE.encode(event.id)),
                   Button(ctx._("Main menu"), HOME.encode()), width=2))


@router.on(InStep(*(s for s in EventStep if s != EventStep.CHECKIN)), is_staff)
async def stray(ctx: Context) -> None:
    """A button of another screen, a sticker or anything unexpected in the middle of the questions: ask again."""
    step = EventStep(str(ctx.user.step))
    ctx.reply(ctx._("Let's finish the new event first (or press Cancel)."))
    ask(ctx, step)

