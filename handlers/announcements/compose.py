"""Trainers: roles and invites, announcements composed by chat, delivery by a job, reports.

- Roles: ``smce-bot admin grant trainer <channel> <address>`` or a one-time invite code
  (``smce-bot admin invite trainer``) that the new trainer sends as ``/trainer CODE``.
  Anyone without the role who tries a trainer action gets a polite refusal; the attempt is logged
  (python logging and a row in ``access_attempts``).
- ``/announce`` (or "Trainer tools"): text and optionally one photo, the audience (language, country,
  province, craft, course state; filters combine), the count it will reach, a preview, then send now
  or at a date and time in the trainer's time zone. ``/scheduled`` lists them (cancel there),
  ``/report`` shows the latest one's numbers.
- Delivery: the ``broadcasts`` job expands a due announcement into outbox rows in batches. Each batch
  is one transaction that writes a ``broadcast_recipients`` row per person (unique per announcement)
  with their outbox row, and moves the announcement's cursor: a restart resumes after the last batch
  committed, so nobody is skipped or done twice. When no row is left in the outbox, the author gets
  the summary.

Payloads: ``trainer:<action>[:<broadcast id>[:...]]`` for the trainer's screens, ``ann:tap:<id>`` for an
announcement's button.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.i18n import LANGUAGES, N_, Translator, translator
from bot.jobs import Job, JobContext
from bot.media import MediaRejected, MediaStore
from bot.outbox.worker import enqueue, enqueue_many
from bot.router import Command, InStep, NoPayload, Onboarded, Payload, Router
from bot.types import Button, Media, Reply, rows
from handlers.choices import COUNTRIES, COUNTRY_TIMEZONE, CRAFTS, country_name, craft_name
from handlers.menu import add_item
from storage.announcements import (
    AccessAttempt,
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    BroadcastTap,
    RecipientStatus,
    TrainerInvite,
)
from storage.db import Database, is_postgres
from storage.models import Address, LessonProgress, Outbox, OutboxStatus, Role, User
from storage.users import get_or_create, preferred_address

log = logging.getLogger(__name__)
router = Router("trainer")

STAFF = (Role.TRAINER, Role.ADMIN)
TEXT_MAX = 3500
PROVINCE_MAX = 100
INVITE_DAYS = 7
CODE_TRIES_PER_HOUR = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
EXPAND_BATCH = 100  # ~15 ms of SQLite work: short enough not to hold up the outbox's pace
EXPAND_BATCHES_PER_RUN = 200
EXPAND_LEAD = 2000  # messages written ahead of the outbox before the expansion starts taking turns
COURSE_STATES = {"enrolled": N_("enrolled"), "completed": N_("completed"), "not_started": N_("not started")}


class TrainerStep(StrEnum):
    TEXT = "trainer.text"
    PROVINCE = "trainer.province"
    WHEN = "trainer.when"
    CODE = "trainer.code"


def is_staff(ctx: Context) -> bool:
    return ctx.user.role in STAFF


add_item(N_("Trainer tools"), "trainer:tools", 80, visible=is_staff)


# --- refusals and roles ----------------------------------------------------------------------------


async def record_attempt(ctx: Context, action: str) -> None:
    log.warning("refused %s for user %s (%s, role %s)", action, ctx.user.id, ctx.msg.address, ctx.user.role)
    ctx.session.add(AccessAttempt(user_id=ctx.user.id, address=ctx.msg.address, action=action[:64],
                                  created_at=ctx.now))


async def refuse(ctx: Context) -> None:
    action = ctx.msg.payload or f"/{ctx.msg.command}"
    await record_attempt(ctx, action)
    ctx.reply(ctx._("Sorry, this is only for trainers. If you run trainings, ask the team for an invite code, "
                    "then send /trainer followed by the code."))


def hash_code(code: str) -> str:
    clean = re.sub(r"[\s-]", "", code).upper()
    return hashlib.sha256(clean.encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


async def create_invite(session: AsyncSession, role: str, now: datetime, days: int = INVITE_DAYS) -> str:
    code = new_code()
    session.add(TrainerInvite(code_hash=hash_code(code), role=role, created_at=now,
                              expires_at=now + timedelta(days=days)))
    return code


@router.command("trainer", filters=[Onboarded])
async def trainer_command(ctx: Context) -> None:
    code = ctx.msg.command_args.strip()
    if not code:
        ctx.goto(TrainerStep.CODE)
        ctx.reply(ctx._("Please send your invite code."))
        return
    await redeem(ctx, code)


@router.step(TrainerStep.CODE)
async def got_code(ctx: Context) -> None:
    ctx.goto(None)
    await redeem(ctx, ctx.msg.text.strip())


async def redeem(ctx: Context, code: str) -> None:
    hour_ago = ctx.now - timedelta(hours=1)
    tries = await ctx.session.scalar(
        select(func.count()).select_from(AccessAttempt).where(
            AccessAttempt.user_id == ctx.user.id, AccessAttempt.action == "invite-code",
            AccessAttempt.created_at >= hour_ago))
    if (tries or 0) >= CODE_TRIES_PER_HOUR:
        await record_attempt(ctx, "invite-code")
        ctx.reply(ctx._("Too many wrong codes. Please try again in an hour."))
        return
    query = select(TrainerInvite).where(TrainerInvite.code_hash == hash_code(code), TrainerInvite.used_at.is_(None))
    if is_postgres(ctx.session):
        query = query.with_for_update()
    invite = (await ctx.session.scalars(query)).first()
    if invite is None or invite.expires_at < ctx.now:
        await record_attempt(ctx, "invite-code")
        ctx.reply(ctx._("Sorry, that code is not valid (or was already used). Please check it with the team."))
        return
    invite.used_at = ctx.now
    invite.used_by = ctx.user.id
    if ctx.user.role != Role.ADMIN:
        ctx.user.role = invite.role
    log.info("user %s became %s with an invite code", ctx.user.id, ctx.user.role)
    tools(ctx, ctx._("Welcome, trainer! You can now send announcements to learners."))


# --- trainer tools -----------------------------------------------------------------------------------


def tools(ctx: Context, text: str | None = None) -> None:
    ctx.reply(text or ctx._("Trainer tools"), rows(
        Button(ctx._("New announcement"), "trainer:new"),
        Button(ctx._("Scheduled and sent"), "trainer:list"),
        Button(ctx._("Latest report"), "trainer:report"),
        Button(ctx._("Listings to review"), "market:queue:0"),
        Button(ctx._("Main menu"), "menu:home"),
    ))


staff = [is_staff]


@router.button("trainer:tools", filters=staff)
async def tools_menu(ctx: Context) -> None:
    ctx.goto(None)
    tools(ctx)


@router.on(Command("announce"), *staff)
@router.button("trainer:new", filters=staff)
async def new_announcement(ctx: Context) -> None:
    draft = Broadcast(author_id=ctx.user.id, text="", audience={}, status=BroadcastStatus.DRAFT, created_at=ctx.now,
                      button=False, cursor=0, targeted=0)
    ctx.session.add(draft)
    await ctx.session.flush()
    ctx.goto(TrainerStep.TEXT, draft=draft.id)
    ctx.reply(ctx._("New announcement. Send its text (you may attach one photo with the text as caption)."),
              rows(Button(ctx._("Cancel"), f"trainer:discard:{draft.id}")))


async def copy_photo(ctx: Context, media: Media) -> Media:
    """A copy in our media store, so every channel can send it; the original if that fails."""
    fetcher = ctx.deps.extras.get("channels", {}).get(ctx.msg.channel)
    store = ctx.deps.extras.get("media")
    if fetcher is None or not isinstance(store, MediaStore):
        return media
    try:
        data = await fetcher.fetch_media(media)
        return Media("photo", key=store.save(data))
    except (MediaRejected, OSError, ValueError):
        return media
    except Exception:  # a platform error: keep the platform's own reference
        log.warning("could not copy an announcement photo", exc_info=True)
        return media


@router.on(InStep(TrainerStep.TEXT), NoPayload, *staff)
async def got_text(ctx: Context) -> None:
    draft = await step_draft(ctx)
    if draft is None:
        return
    text = ctx.msg.text.strip()
    photo = next((m for m in ctx.msg.media if m.kind == "photo"), None)
    if ctx.msg.command is not None or (not text and photo is None):
        ctx.reply(ctx._("Please send the text of the announcement."))
        return
    if len(text) > TEXT_MAX:
        ctx.reply(ctx._("That is too long for one message. Please keep it under {max} characters.",
                        max=ctx.t.number(TEXT_MAX)))
        return
    draft.text = text
    if photo is not None:
        draft.photo = (await copy_photo(ctx, photo)).to_dict()
    ctx.goto(None)
    await audience_screen(ctx, draft)


async def my_broadcast(ctx: Context, broadcast_id: Any, *statuses: str) -> Broadcast | None:
    try:
        b = await ctx.session.get(Broadcast, int(broadcast_id))
    except (TypeError, ValueError):
        return None
    if b is None or (b.author_id != ctx.user.id and ctx.user.role != Role.ADMIN):
        return None
    if statuses and b.status not in statuses:
        return None
    return b


async def step_draft(ctx: Context) -> Broadcast | None:
    """The draft this compose step works on; if it is gone, leave the step and show the trainer tools."""
    draft = await my_broadcast(ctx, ctx.data.get("draft"), BroadcastStatus.DRAFT)
    if draft is None:
        ctx.goto(None)
        tools(ctx)
    return draft


def payload_id(ctx: Context, index: int = 2) -> str | None:
    parts = ctx.payload_parts
    return parts[index] if len(parts) > index else None


# --- audiences ---------------------------------------------------------------------------------------


def audience_conditions(audience: dict[str, Any], author_id: int | None = None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [User.onboarded.is_(True)]
    if author_id is not None:
        conds.append(User.id != author_id)
    if audience.get("language"):
        conds.append(User.language == audience["language"])
    if audience.get("country"):
        conds.append(User.country == audience["country"])
    if audience.get("province"):
        conds.append(func.lower(User.province) == str(audience["province"]).lower())
    if audience.get("craft"):
        conds.append(User.craft == audience["craft"])
    course = audience.get("course")
    if course:
        progress = select(LessonProgress.user_id).where(LessonProgress.course_id == course)
        state = audience.get("course_state", "enrolled")
        if state == "completed":
            conds.append(User.id.in_(progress.where(LessonProgress.completed_at.is_not(None))))
        elif state == "not_started":
            conds.append(User.id.not_in(progress))
        else:
            conds.append(User.id.in_(progress.where(LessonProgress.completed_at.is_(None))))
    return conds


async def audience_count(session: AsyncSession, audience: dict[str, Any], author_id: int | None) -> tuple[int, int]:
    """(people it will reach, people in the audience who opted out)."""
    conds = audience_conditions(audience, author_id)
    query = select(User.opted_out, func.count()).where(*conds).group_by(User.opted_out)
    counts = {bool(k): int(v) for k, v in (await session.execute(query)).all()}
    return counts.get(False, 0), counts.get(True, 0)


def describe_audience(t: Translator, audience: dict[str, Any], library: Any = None) -> str:
    parts = []
    if audience.get("language") in LANGUAGES:
        parts.append(t.gettext("language: {value}", value=LANGUAGES[audience["language"]].native_name))
    if audience.get("country"):
        parts.append(t.gettext("country: {value}", value=country_name(audience["country"], t)))
    if audience.get("province"):
        parts.append(t.gettext("province: {value}", value=audience["province"]))
    if audience.get("craft"):
        parts.append(t.gettext("craft: {value}", value=craft_name(audience["craft"], t)))
    if audience.get("course"):
        course = library.courses.get(audience["course"]) if library is not None else None
        title = course.title.in_(t.language) if course is not None else audience["course"]
        state = t.gettext(COURSE_STATES.get(audience.get("course_state", "enrolled"), COURSE_STATES["enrolled"]))
        parts.append(t.gettext("course: {value} ({state})", value=title, state=state))
    return " · ".join(parts) if parts else t.gettext("everyone")


def reach_text(ctx: Context, reach: int, opted_out: int) -> str:
    text = ctx.ngettext("It will reach {n} person.", "It will reach {n} people.", reach)
    if opted_out:
        text += " " + ctx.ngettext("{n} more opted out and will not get it.",
                                   "{n} more opted out and will not get it.", opted_out)
    return text


async def audience_screen(ctx: Context, b: Broadcast, note: str | None = None) -> None:
    reach, opted_out = await audience_count(ctx.session, b.audience or {}, b.author_id)
    lines = [note] if note else []
    lines += [ctx._("Audience: {audience}", audience=describe_audience(ctx.t, b.audience or {}, ctx.deps.library)),
              reach_text(ctx, reach, opted_out),
              ctx._("Add filters to narrow it (they combine), then preview.")]
    i = b.id
    button_label = ctx._("Remove the button") if b.button else ctx._("Add “I'm interested”")
    ctx.reply("\n".join(lines), rows(
        Button(ctx._("Language"), f"trainer:aud:{i}:language"),
        Button(ctx._("Country"), f"trainer:aud:{i}:country"),
        Button(ctx._("Province"), f"trainer:aud:{i}:province"),
        Button(ctx._("Craft"), f"trainer:aud:{i}:craft"),
        Button(ctx._("Course"), f"trainer:aud:{i}:course"),
        Button(ctx._("Everyone"), f"trainer:aud:{i}:clear"),
        Button(button_label, f"trainer:btn:{i}"),
        Button(ctx._("Preview"), f"trainer:preview:{i}"),
        Button(ctx._("Discard"), f"trainer:discard:{i}"),
        width=2,
    ), title=ctx._("New announcement"))


@router.button("trainer:aud", filters=staff)
async def audience_choice(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    which = payload_id(ctx, 3)
    i = b.id
    if which == "language":
        buttons = [Button(lang.native_name, f"trainer:set:{i}:language:{code}") for code, lang in LANGUAGES.items()]
        ctx.reply(ctx._("Which language do they read?"), rows(*buttons, width=2))
    elif which == "country":
        buttons = [Button(country_name(c, ctx.t), f"trainer:set:{i}:country:{c}") for c in COUNTRIES]
        ctx.reply(ctx._("Which country?"), rows(*buttons, width=2))
    elif which == "craft":
        buttons = [Button(craft_name(c, ctx.t), f"trainer:set:{i}:craft:{c}") for c in CRAFTS]
        ctx.reply(ctx._("Which craft?"), rows(*buttons, width=2))
    elif which == "course":
        courses = ctx.deps.library.ordered_courses()
        buttons = [Button(c.title.in_(ctx.user.language or "en")[:40], f"trainer:crs:{i}:{c.id}") for c in courses]
        ctx.reply(ctx._("Which course?"), rows(*buttons))
    elif which == "province":
        ctx.goto(TrainerStep.PROVINCE, draft=i)
        ctx.reply(ctx._("Type the province (as learners wrote it in their profile)."))
    else:
        if which == "clear":
            b.audience = {}
        await audience_screen(ctx, b)


@router.button("trainer:crs", filters=staff)
async def course_state_choice(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx), BroadcastStatus.DRAFT)
    course_id = payload_id(ctx, 3) or ""
    if b is None or course_id not in ctx.deps.library.courses:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    ctx.reply(ctx._("Which learners of this course?"), rows(*(
        Button(ctx._(label), f"trainer:set:{b.id}:course:{course_id}:{state}") for state, label in COURSE_STATES.items()
    )))


@router.button("trainer:set", filters=staff)
async def set_filter(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    parts = ctx.payload_parts
    field, value = (parts[3], parts[4]) if len(parts) >= 5 else ("", "")
    audience = dict(b.audience or {})
    if field == "language" and value in LANGUAGES:
        audience["language"] = value
    elif field == "country" and value in COUNTRIES:
        audience["country"] = value
    elif field == "craft" and value in CRAFTS:
        audience["craft"] = value
    elif field == "course" and value in ctx.deps.library.courses and len(parts) >= 6 and parts[5] in COURSE_STATES:
        audience["course"], audience["course_state"] = value, parts[5]
    b.audience = audience
    await audience_screen(ctx, b)


@router.on(InStep(TrainerStep.PROVINCE), NoPayload, *staff)
async def got_province(ctx: Context) -> None:
    b = await my_broadcast(ctx, ctx.data.get("draft"), BroadcastStatus.DRAFT)
    ctx.goto(None)
    if b is None:
        tools(ctx)
        return
    province = " ".join(ctx.msg.text.split())[:PROVINCE_MAX]
    if province and ctx.msg.command is None:
        b.audience = {**(b.audience or {}), "province": province}
    await audience_screen(ctx, b)


@router.button("trainer:btn", filters=staff)
async def toggle_button(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    b.button = not b.button
    await audience_screen(ctx, b)


def announcement(b: Broadcast, t: Translator) -> Reply:
    """The message as one recipient sees it, in their language."""
    buttons = rows(Button(t.gettext("I'm interested"), f"ann:tap:{b.id}")) if b.button else ()
    return Reply(text=b.text, buttons=buttons, photo=Media.from_dict(b.photo) if b.photo else None,
                 title=t.gettext("📢 Announcement"), kind="announcement",
                 template_vars={"1": b.text[:1000]})


@router.button("trainer:preview", filters=staff)
async def preview(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    sample = announcement(b, ctx.t)
    ctx.reply(sample.text, tuple(tuple(Button(x.label, "trainer:noop") for x in row) for row in sample.buttons),
              photo=sample.photo, title=sample.title)
    reach, opted_out = await audience_count(ctx.session, b.audience or {}, b.author_id)
    text = "\n".join([ctx._("This is how it will look."),
                      ctx._("Audience: {audience}", audience=describe_audience(ctx.t, b.audience or {},
                                                                               ctx.deps.library)),
                      reach_text(ctx, reach, opted_out)])
    ctx.reply(text, rows(
        Button(ctx._("Send now"), f"trainer:now:{b.id}"),
        Button(ctx._("Schedule"), f"trainer:later:{b.id}"),
        Button(ctx._("Change audience"), f"trainer:aud:{b.id}:show"),
        Button(ctx._("Discard"), f"trainer:discard:{b.id}"),
        width=2,
    ))


@router.button("trainer:noop")
async def noop(ctx: Context) -> None:
    ctx.reply(ctx._("That was a preview: learners' taps are counted in the report."))


@router.button("trainer:now", filters=staff)
async def send_now(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    reach, _ = await audience_count(ctx.session, b.audience or {}, b.author_id)
    b.status = BroadcastStatus.SCHEDULED
    b.scheduled_at = ctx.now
    ctx.goto(None)
    ctx.reply(ctx.ngettext("Sending now to {n} person. You will get a report when it is done.",
                           "Sending now to {n} people. You will get a report when it is done.", reach),
              rows(Button(ctx._("Stop sending"), f"trainer:cancel:{b.id}"),
                   Button(ctx._("Trainer tools"), "trainer:tools")))


def user_zone(user: User, default: str = "Asia/Bangkok") -> ZoneInfo:
    for name in (user.timezone, COUNTRY_TIMEZONE.get(user.country or ""), default):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


@router.button("trainer:later", filters=staff)
async def ask_when(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    ctx.goto(TrainerStep.WHEN, draft=b.id)
    zone = user_zone(ctx.user, ctx.deps.settings.default_timezone)
    ctx.reply(ctx._("When should it go out? Type the date and time in your time zone ({zone}), "
                    "for example 2026-12-01 09:00 or tomorrow 9:00.", zone=str(zone)),
              rows(Button(ctx._("Cancel"), f"trainer:aud:{b.id}:show")))


TIME_RE = r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<ampm>am|pm)?"


def parse_when(text: str, now: datetime, zone: ZoneInfo, today_words: tuple[str, ...] = ("today",),
               tomorrow_words: tuple[str, ...] = ("tomorrow",)) -> datetime | None:
    """A typed local date and time → an aware UTC datetime, or None if it cannot be read.

    Understands ``2026-12-01 09:00``, ``01/12/2026 9:00``, ``1.12.2026 9h30``, ``today 17:00``,
    ``tomorrow 9am``, a bare ``18:30`` (today, or tomorrow if that has passed) and ``in 2 hours``.
    """
    said = " ".join(text.strip().casefold().split())
    local_now = now.astimezone(zone)
    m = re.fullmatch(r"in (\d{1,3}) ?(minutes?|mins?|hours?|h|days?)", said)
    if m:
        amount, unit = int(m.group(1)), m.group(2)
        delta = (timedelta(days=amount) if unit.startswith("d") else
                 timedelta(hours=amount) if unit.startswith("h") else timedelta(minutes=amount))
        return (now + delta).astimezone(UTC)

    def at(day: datetime, match: re.Match[str]) -> datetime | None:
        hour, minute = int(match.group("h")), int(match.group("m") or 0)
        if match.group("ampm"):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if match.group("ampm") == "pm" else 0)
        if hour > 23 or minute > 59:
            return None
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)

    words = "|".join(re.escape(w.casefold()) for w in (*today_words, *tomorrow_words))
    m = re.fullmatch(rf"(?P<word>{words})(?: at)? {TIME_RE}", said)
    if m:
        day = local_now + timedelta(days=1 if m.group("word") in [w.casefold() for w in tomorrow_words] else 0)
        return at(day, m)
    m = re.fullmatch(TIME_RE, said)
    if m and (m.group("m") or m.group("ampm")):
        when = at(local_now, m)
        if when is not None and when <= now:
            when = at(local_now + timedelta(days=1), m)
        return when
    for pattern in (r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})",
                    r"(?P<d>\d{1,2})[/.](?P<mo>\d{1,2})[/.](?P<y>\d{4})"):
        m = re.fullmatch(rf"{pattern}(?:,? (?:at )?{TIME_RE})?", said)
        if m:
            try:
                day = datetime(int(m.group("y")), int(m.group("mo")), int(m.group("d")), tzinfo=zone)
            except ValueError:
                return None
            if m.group("h") is None:
                return datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone).astimezone(UTC)
            return at(day, m)
    return None


@router.on(InStep(TrainerStep.WHEN), NoPayload, *staff)
async def got_when(ctx: Context) -> None:
    b = await step_draft(ctx)
    if b is None:
        return
    zone = user_zone(ctx.user, ctx.deps.settings.default_timezone)
    when = parse_when(ctx.msg.text, ctx.now, zone, ("today", ctx._("today")), ("tomorrow", ctx._("tomorrow")))
    if when is None:
        ctx.reply(ctx._("Sorry, I could not read that. Please write it like 2026-12-01 09:00 or tomorrow 9:00."))
        return
    if when <= ctx.now:
        ctx.reply(ctx._("That time has already passed. Please send a time in the future."))
        return
    if when > ctx.now + timedelta(days=366):
        ctx.reply(ctx._("That is more than a year away. Please send a nearer date."))
        return
    b.status = BroadcastStatus.SCHEDULED
    b.scheduled_at = when
    ctx.goto(None)
    local = translator(ctx.user.language, str(zone))
    ctx.reply(ctx._("Scheduled for {when} ({zone}).", when=local.datetime(when, "short"), zone=str(zone)),
              rows(Button(ctx._("Cancel it"), f"trainer:cancel:{b.id}"),
                   Button(ctx._("Trainer tools"), "trainer:tools")))


@router.button("trainer:discard", filters=staff)
async def discard(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx), BroadcastStatus.DRAFT)
    if b is not None:
        b.status = BroadcastStatus.CANCELLED
    ctx.goto(None)
    tools(ctx, ctx._("Announcement discarded."))


@router.button("trainer:cancel", filters=staff)
async def cancel(ctx: Context) -> None:
    b = await my_broadcast(ctx, payload_id(ctx))
    if b is None or b.status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED):
        ctx.reply(ctx._("That announcement can no longer be cancelled."))
        return
    was = b.status
    b.status = BroadcastStatus.CANCELLED
    b.finished_at = ctx.now
    stopped = 0
    if was in (BroadcastStatus.SENDING, BroadcastStatus.QUEUED):
        result = await ctx.session.execute(
            update(Outbox).where(Outbox.broadcast_id == b.id, Outbox.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SKIPPED, error="cancelled"))
        stopped = int(getattr(result, "rowcount", 0) or 0)
    text = ctx._("Cancelled.")
    if stopped:
        text += " " + ctx.ngettext("{n} message not sent yet was stopped.", "{n} messages not sent yet were stopped.",
                                   stopped)
    tools(ctx, text)


@router.on(Command("scheduled", "announcements"), *staff)
@router.button("trainer:list", filters=staff)
async def list_broadcasts(ctx: Context) -> None:
    query = select(Broadcast).where(Broadcast.status != BroadcastStatus.DRAFT,
                                    Broadcast.status != BroadcastStatus.CANCELLED)
    if ctx.user.role != Role.ADMIN:
        query = query.where(Broadcast.author_id == ctx.user.id)
    found = list((await ctx.session.scalars(query.order_by(Broadcast.id.desc()).limit(8))).all())
    if not found:
        tools(ctx, ctx._("No announcements yet."))
        return
    lines, buttons = [], []
    for b in found:
        lines.append(f"#{b.id} · {status_label(ctx.t, b)} · {short(b.text)}")
        if b.status == BroadcastStatus.SCHEDULED:
            buttons.append(Button(ctx._("Cancel #{id}", id=b.id), f"trainer:cancel:{b.id}"))
        else:
            buttons.append(Button(ctx._("Report #{id}", id=b.id), f"trainer:report:{b.id}"))
    buttons.append(Button(ctx._("Trainer tools"), "trainer:tools"))
    ctx.reply("\n".join(lines), rows(*buttons), title=ctx._("Announcements"))


def short(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def status_label(t: Translator, b: Broadcast) -> str:
    if b.status == BroadcastStatus.SCHEDULED and b.scheduled_at is not None:
        return t.gettext("scheduled for {when}", when=t.datetime(b.scheduled_at, "short"))
    labels = {BroadcastStatus.SENDING: N_("sending"), BroadcastStatus.QUEUED: N_("sending"),
              BroadcastStatus.DONE: N_("sent"), BroadcastStatus.CANCELLED: N_("cancelled"),
              BroadcastStatus.DRAFT: N_("draft")}
    return t.gettext(labels.get(b.status, N_("draft")))


# --- reports -----------------------------------------------------------------------------------------


async def broadcast_stats(session: AsyncSession, b: Broadcast) -> dict[str, int]:
    stats = dict.fromkeys(("targeted", "sent", "delivered", "read", "failed", "pending", "opted_out", "blocked",
                           "outside_window", "taps"), 0)
    recipients = await session.execute(
        select(BroadcastRecipient.status, func.count()).where(BroadcastRecipient.broadcast_id == b.id)
        .group_by(BroadcastRecipient.status))
    for status, n in recipients.all():
        stats["targeted"] += n
        if status == RecipientStatus.OPTED_OUT:
            stats["opted_out"] += n
        elif status == RecipientStatus.BLOCKED:
            stats["blocked"] += n
    blocked_error = Outbox.error.like("blocked%")
    outbox = await session.execute(
        select(Outbox.status, blocked_error, func.count()).where(Outbox.broadcast_id == b.id)
        .group_by(Outbox.status, blocked_error))
    for status, is_blocked, n in outbox.all():
        if status in (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.READ):
            stats["sent"] += n
        if status in (OutboxStatus.DELIVERED, OutboxStatus.READ):
            stats["delivered"] += n
        if status == OutboxStatus.READ:
            stats["read"] += n
        if status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            stats["pending"] += n
        if status == OutboxStatus.HELD:
            stats["outside_window"] += n
        if status == OutboxStatus.SKIPPED or (status == OutboxStatus.FAILED and is_blocked):
            stats["blocked"] += n
        elif status == OutboxStatus.FAILED:
            stats["failed"] += n
    stats["taps"] = int(await session.scalar(
        select(func.count()).select_from(BroadcastTap).where(BroadcastTap.broadcast_id == b.id)) or 0)
    return stats


def report_text(t: Translator, b: Broadcast, stats: dict[str, int]) -> str:
    n = t.number
    lines = [
        t.gettext("Announcement #{id}: {status}", id=b.id, status=status_label(t, b)),
        f"“{short(b.text, 60)}”",
        t.gettext("Targeted: {n}", n=n(stats["targeted"])),
        t.gettext("Sent: {n}", n=n(stats["sent"])),
        t.gettext("Delivered: {n}", n=n(stats["delivered"])),
        t.gettext("Read (WhatsApp): {n}", n=n(stats["read"])),
        t.gettext("Failed: {n}", n=n(stats["failed"])),
        t.gettext("Skipped: {opted} opted out, {blocked} blocked the bot, {window} outside WhatsApp's 24-hour window",
                  opted=n(stats["opted_out"]), blocked=n(stats["blocked"]), window=n(stats["outside_window"])),
    ]
    if stats["pending"]:
        lines.append(t.gettext("Still sending: {n}", n=n(stats["pending"])))
    if b.button:
        lines.append(t.gettext("Tapped “I'm interested”: {n}", n=n(stats["taps"])))
    return "\n".join(lines)


@router.on(Command("report"), *staff)
@router.button("trainer:report", filters=staff)
async def report(ctx: Context) -> None:
    wanted = payload_id(ctx) or ctx.msg.command_args.strip().lstrip("#") or None
    if wanted is not None:
        b = await my_broadcast(ctx, wanted)
    else:
        query = select(Broadcast).where(Broadcast.status.in_(
            [BroadcastStatus.SENDING, BroadcastStatus.QUEUED, BroadcastStatus.DONE, BroadcastStatus.CANCELLED]),
            Broadcast.started_at.is_not(None))
        if ctx.user.role != Role.ADMIN:
            query = query.where(Broadcast.author_id == ctx.user.id)
        b = (await ctx.session.scalars(query.order_by(Broadcast.id.desc()).limit(1))).first()
    if b is None:
        tools(ctx, ctx._("No announcement has been sent yet."))
        return
    stats = await broadcast_stats(ctx.session, b)
    if b.status in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED):
        stats["targeted"], stats["opted_out"] = await audience_count(ctx.session, b.audience or {}, b.author_id)
    ctx.reply(report_text(ctx.t, b, stats), rows(Button(ctx._("Trainer tools"), "trainer:tools")),
              title=ctx._("Report"))


# --- everyone: announcement buttons; anyone else: refusals -------------------------------------------


@router.button("ann:tap")
async def tap(ctx: Context) -> None:
    b = None
    raw = payload_id(ctx)
    if raw and raw.isdigit():
        b = await ctx.session.get(Broadcast, int(raw))
    if b is None:
        ctx.reply(ctx._("That announcement is no longer available."))
        return
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(BroadcastTap(broadcast_id=b.id, user_id=ctx.user.id, tapped_at=ctx.now))
    except IntegrityError:
        pass  # tapped before: counted once
    ctx.reply(ctx._("Thank you! The organisers will know you are interested."))


@router.on(Command("announce", "report", "scheduled", "announcements"))
@router.on(Payload("trainer"))
async def not_a_trainer(ctx: Context) -> None:
    await refuse(ctx)


@router.on(InStep(*TrainerStep), NoPayload)
async def stale_step(ctx: Context) -> None:
    """A trainer step left behind by someone who is no longer a trainer."""
    ctx.goto(None)
    await refuse(ctx)


# --- delivery ----------------------------------------------------------------------------------------


def reachable(addresses: list[Any]) -> Any | None:
    """``storage.users.preferred_address`` for plain address rows (channel, address, blocked, ...)."""
    usable = [a for a in addresses if not a.blocked and a.channel != "terminal"] or [
        a for a in addresses if not a.blocked]
    if not usable:
        return None
    return max(usable, key=lambda a: (a.last_inbound_at is not None, a.last_inbound_at or a.created_at))


async def expand_batch(db: Database, broadcast_id: int, now: datetime, batch: int = EXPAND_BATCH) -> tuple[int, bool]:
    """Write outbox rows for the next ``batch`` people; (people done, finished?). One transaction."""
    async with db.transaction() as session:
        b = await session.get(Broadcast, broadcast_id, with_for_update=is_postgres(session), populate_existing=True)
        if b is None or b.status != BroadcastStatus.SENDING:
            return 0, True
        users = (await session.execute(
            select(User.id, User.language, User.timezone, User.opted_out)
            .where(*audience_conditions(b.audience or {}, b.author_id), User.id > b.cursor)
            .order_by(User.id).limit(batch))).all()
        if not users:
            b.status = BroadcastStatus.QUEUED
            b.expanded_at = now
            return 0, True
        ids = [u.id for u in users]
        done_before = set((await session.scalars(select(BroadcastRecipient.user_id).where(
            BroadcastRecipient.broadcast_id == b.id, BroadcastRecipient.user_id.in_(ids)))).all())
        addresses: dict[int, list[Any]] = {}
        for a in (await session.execute(
                select(Address.user_id, Address.channel, Address.address, Address.blocked, Address.last_inbound_at,
                       Address.created_at).where(Address.user_id.in_(ids)))).all():
            addresses.setdefault(a.user_id, []).append(a)
        skipped: list[dict[str, Any]] = []
        messages: list[tuple[int | None, str, str, Reply]] = []
        replies: dict[tuple[str, str | None], Reply] = {}  # one rendering per language and time zone
        for user in users:
            if user.id in done_before:
                continue
            if user.opted_out:
                skipped.append({"broadcast_id": b.id, "user_id": user.id, "status": RecipientStatus.OPTED_OUT,
                                "outbox_id": None})
                continue
            address = reachable(addresses.get(user.id, []))
            if address is None:
                skipped.append({"broadcast_id": b.id, "user_id": user.id, "status": RecipientStatus.BLOCKED,
                                "outbox_id": None})
                continue
            key = (user.language, user.timezone)
            reply = replies.get(key)
            if reply is None:
                reply = replies[key] = announcement(b, translator(user.language, user.timezone))
            messages.append((user.id, address.channel, address.address, reply))
        outbox_ids = await enqueue_many(session, messages, now=now, broadcast_id=b.id, ids=True)
        queued = [m[0] for m in messages]
        recipients = skipped + [
            {"broadcast_id": b.id, "user_id": user_id, "status": RecipientStatus.QUEUED, "outbox_id": outbox_id}
            for user_id, outbox_id in zip(queued, outbox_ids, strict=True)]
        if recipients:  # Core INSERT: plain rows, none of the ORM's per-object bookkeeping
            await session.execute(insert(BroadcastRecipient.__table__), recipients)  # type: ignore[arg-type]
        b.cursor = users[-1].id
        b.targeted += len(recipients)
        return len(recipients), False


async def waiting_rows(db: Database, broadcast_id: int) -> int:
    """Messages of this announcement written but not yet sent (an index range count)."""
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.status == OutboxStatus.PENDING, Outbox.broadcast_id == broadcast_id)) or 0)


async def finish_broadcasts(jc: JobContext, now: datetime) -> int:
    """Announcements with nothing left in the outbox: mark done and send the author the summary."""
    finished = 0
    async with jc.db.read() as session:
        queued = list((await session.scalars(
            select(Broadcast.id).where(Broadcast.status == BroadcastStatus.QUEUED))).all())
    for broadcast_id in queued:
        async with jc.db.transaction() as session:
            b = await session.get(Broadcast, broadcast_id, with_for_update=is_postgres(session), populate_existing=True)
            if b is None or b.status != BroadcastStatus.QUEUED:
                continue
            left = await session.scalar(select(func.count()).select_from(Outbox).where(
                Outbox.broadcast_id == b.id, Outbox.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
            if left:
                continue
            b.status = BroadcastStatus.DONE
            b.finished_at = now
            finished += 1
            author = await session.get(User, b.author_id) if b.author_id is not None else None
            target = preferred_address(author) if author is not None else None
            if author is not None and target is not None:
                t = translator(author.language, author.timezone)
                stats = await broadcast_stats(session, b)
                text = t.gettext("Your announcement has gone out.") + "\n\n" + report_text(t, b, stats)
                enqueue(session, author.id, target.channel, target.address,
                        Reply(text=text, title=t.gettext("Report"), kind="report",
                              buttons=rows(Button(t.gettext("Trainer tools"), "trainer:tools"))), now=now)
    return finished


async def run_broadcasts(jc: JobContext, *, batch: int = EXPAND_BATCH,
                         max_batches: int = EXPAND_BATCHES_PER_RUN) -> int:
    """The job: start due announcements, expand them batch by batch, report the finished ones."""
    now = jc.deps.clock.now()
    async with jc.db.transaction() as session:
        await session.execute(
            update(Broadcast).where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now)
            .values(status=BroadcastStatus.SENDING, started_at=now))
    async with jc.db.read() as session:
        sending = list((await session.scalars(select(Broadcast.id).where(
            Broadcast.status == BroadcastStatus.SENDING).order_by(Broadcast.id))).all())
    done = 0
    batches = 0
    for broadcast_id in sending:
        finished = False
        while not finished and batches < max_batches:
            started = time.monotonic()
            count, finished = await expand_batch(jc.db, broadcast_id, now, batch)
            batches += 1
            done += count
            if count:
                jc.wake_outbox()  # start sending while the next batch is written
                # The outbox shares this event loop and sends at the platform's pace. Once enough is
                # written ahead of it, give it as much time as the batch took (bench/broadcast.py:
                # expanding flat out in batches of 500 slowed the first seconds of sending to ~60% of
                # the rate); until then, write on (on PostgreSQL, pausing every batch starved it).
                if await waiting_rows(jc.db, broadcast_id) >= EXPAND_LEAD:
                    await asyncio.sleep(time.monotonic() - started)
    return done + await finish_broadcasts(jc, now)


JOBS: list[Job] = [Job("broadcasts", 5.0, run_broadcasts)]


# --- command line: smce-bot admin ... ----------------------------------------------------------------


def full_address(channel: str, address: str) -> str:
    channel = channel.lower()
    return address if address.startswith(f"{channel}:") else f"{channel}:{address}"


async def grant_role(db: Database, channel: str, address: str, role: str, now: datetime) -> tuple[int, bool]:
    """Give the person at this address a role (creating them if they never wrote); (user id, created?)."""
    async with db.transaction() as session:
        user, _, created = await get_or_create(session, channel.lower(), full_address(channel, address))
        user.role = role
        return user.id, created


def _grant(args: argparse.Namespace, settings: Any) -> int:
    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            user_id, created = await grant_role(db, args.channel, args.address, args.role, datetime.now(UTC))
        finally:
            await db.close()
        where = full_address(args.channel, args.address)
        print(f"{where} (user {user_id}) is now {args.role}" + (" (they have not written yet)" if created else ""))
        return 0

    return asyncio.run(run())


def _invite(args: argparse.Namespace, settings: Any) -> int:
    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.transaction() as session:
                code = await create_invite(session, args.role, datetime.now(UTC), args.days)
        finally:
            await db.close()
        print(f"One-time {args.role} invite code (valid {args.days} days): {code}")
        print(f"The new {args.role} sends the bot: /trainer {code}")
        return 0

    return asyncio.run(run())


def add_commands(subparsers: Any) -> None:
    admin = subparsers.add_parser("admin", help="roles: grant trainer/admin, make invite codes")
    sub = admin.add_subparsers(dest="admin_command", required=True)
    p = sub.add_parser("grant", help="give the person at an address a role")
    p.add_argument("role", choices=[Role.TRAINER, Role.ADMIN, Role.LEARNER])
    p.add_argument("channel", choices=["telegram", "whatsapp", "terminal"])
    p.add_argument("address", help="telegram chat id, WhatsApp number (+856...), or terminal user")
    p.set_defaults(func=_grant)
    p = sub.add_parser("invite", help="print a one-time invite code the new trainer sends as /trainer CODE")
    p.add_argument("role", choices=[Role.TRAINER, Role.ADMIN])
    p.add_argument("--days", type=int, default=INVITE_DAYS, help=f"valid for (default {INVITE_DAYS})")
    p.set_defaults(func=_invite)
