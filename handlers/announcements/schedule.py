"""Sending an announcement now or at a date and time in the trainer's time zone, ``/scheduled`` (the list,
cancel there), and the ``broadcasts`` job that delivers them.

The job expands a due announcement into outbox rows in batches. Each batch is one transaction that writes
a ``broadcast_recipients`` row per person (unique per announcement) with their outbox row, and moves the
announcement's cursor: a restart resumes after the last batch committed, so nobody is skipped or done
twice. When no row is left in the outbox, the author gets the summary.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.i18n import N_, translator
from bot.jobs import Job, JobContext
from bot.outbox import enqueue, enqueue_many
from bot.router import Command, InStep, NoPayload, Router
from bot.types import Button, Reply, rows
from content import Library
from handlers.announcements.actions import AUDIENCE, CANCEL, DISCARD, LATER, LIST, NOW, REPORT, TOOLS
from handlers.announcements.common import TrainerStep, my_broadcast, staff, step_draft, tools
from handlers.announcements.compose import announcement
from handlers.announcements.report import report_text, short, status_label
from handlers.choices import COUNTRY_TIMEZONE
from storage import announcements as store
from storage.announcements import Broadcast, BroadcastStatus, RecipientStatus, reachable
from storage.db import Database
from storage.models import Role, User
from storage.users import preferred_address

router = Router("trainer.schedule")

EXPAND_BATCH = 100  # ~15 ms of SQLite work: short enough not to hold up the outbox's pace
EXPAND_BATCHES_PER_RUN = 200
EXPAND_LEAD = 2000  # messages written ahead of the outbox before the expansion starts taking turns


# --- sending now, later, or not at all: the chat and the console (handlers.announcements.pages) ---------

TOO_EARLY = N_("That time has already passed. Please send a time in the future.")
TOO_LATE = N_("That is more than a year away. Please send a nearer date.")
CANCELLABLE = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING, BroadcastStatus.QUEUED)


def when_problem(when: datetime, now: datetime) -> str | None:
    """Why an announcement cannot be scheduled at ``when`` (a message to translate), or None."""
    if when <= now:
        return TOO_EARLY
    if when > now + timedelta(days=366):
        return TOO_LATE
    return None


def schedule_at(b: Broadcast, when: datetime) -> None:
    """A draft goes out at ``when`` (now: the next run of the broadcasts job)."""
    b.status = BroadcastStatus.SCHEDULED
    b.scheduled_at = when


async def cancel_broadcast(session: AsyncSession, b: Broadcast, now: datetime, by: int | None) -> int | None:
    """Cancel a scheduled or running announcement: its messages not sent yet are skipped. How many were
    stopped, or None when it can no longer be cancelled (a draft, done, or cancelled already)."""
    if b.status not in CANCELLABLE:
        return None
    was = b.status
    b.status = BroadcastStatus.CANCELLED
    b.finished_at = b.cancelled_at = now
    b.cancelled_by = by
    if was in (BroadcastStatus.SENDING, BroadcastStatus.QUEUED):
        return await store.skip_unsent(session, b.id)
    return 0


@router.on(NOW, *staff)
async def send_now(ctx: Context) -> None:
    b = await my_broadcast(ctx, NOW.arg(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    reach, _ = await store.audience_count(ctx.session, b.audience or {}, b.author_id)
    schedule_at(b, ctx.now)
    ctx.goto(None)
    ctx.reply(ctx.ngettext("Sending now to {n} person. You will get a report when it is done.",
                           "Sending now to {n} people. You will get a report when it is done.", reach),
              rows(Button(ctx._("Stop sending"), CANCEL.encode(b.id)),
                   Button(ctx._("Trainer tools"), TOOLS.encode())))


def user_zone(user: User, default: str = "Asia/Bangkok") -> ZoneInfo:
    for name in (user.timezone, COUNTRY_TIMEZONE.get(user.country or ""), default):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


@router.on(LATER, *staff)
async def ask_when(ctx: Context) -> None:
    b = await my_broadcast(ctx, LATER.arg(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    ctx.goto(TrainerStep.WHEN, draft=b.id)
    zone = user_zone(ctx.user, ctx.deps.settings.default_timezone)
    ctx.reply(ctx._("When should it go out? Type the date and time in your time zone ({zone}), "
                    "for example {example} or tomorrow 9:00.", zone=str(zone), example=example_when(ctx.now, zone)),
              rows(Button(ctx._("Cancel"), AUDIENCE.encode(b.id, "show"))))


def example_when(now: datetime, zone: ZoneInfo) -> str:
    """A date to show as the typed form's example: a week from today at 09:00 in the trainer's zone, so the
    example is always in the future (and not the same moment as "tomorrow 9:00" next to it)."""
    return f"{(now.astimezone(zone) + timedelta(days=7)).date().isoformat()} 09:00"


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
        ctx.reply(ctx._("Sorry, I could not read that. Please write it like {example} or tomorrow 9:00.",
                        example=example_when(ctx.now, zone)))
        return
    problem = when_problem(when, ctx.now)
    if problem is not None:
        ctx.reply(ctx._(problem))
        return
    schedule_at(b, when)
    ctx.goto(None)
    local = translator(ctx.user.language, str(zone))
    ctx.reply(ctx._("Scheduled for {when} ({zone}).", when=local.datetime(when), zone=str(zone)),
              rows(Button(ctx._("Cancel it"), CANCEL.encode(b.id)),
                   Button(ctx._("Trainer tools"), TOOLS.encode())))


@router.on(DISCARD, *staff)
async def discard(ctx: Context) -> None:
    b = await my_broadcast(ctx, DISCARD.arg(ctx), BroadcastStatus.DRAFT)
    if b is not None:
        b.status = BroadcastStatus.CANCELLED
    ctx.goto(None)
    tools(ctx, ctx._("Announcement discarded."))


@router.on(CANCEL, *staff)
async def cancel(ctx: Context) -> None:
    b = await my_broadcast(ctx, CANCEL.arg(ctx))
    stopped = await cancel_broadcast(ctx.session, b, ctx.now, ctx.user.id) if b is not None else None
    if stopped is None:
        ctx.reply(ctx._("That announcement can no longer be cancelled."))
        return
    text = ctx._("Cancelled.")
    if stopped:
        text += " " + ctx.ngettext("{n} message not sent yet was stopped.", "{n} messages not sent yet were stopped.",
                                   stopped)
    tools(ctx, text)


@router.on(Command("scheduled", "announcements"), *staff)
@router.on(LIST, *staff)
async def list_broadcasts(ctx: Context) -> None:
    found = await store.recent_broadcasts(ctx.session, None if ctx.user.role == Role.ADMIN else ctx.user.id)
    if not found:
        tools(ctx, ctx._("No announcements yet."))
        return
    lines, buttons = [], []
    for b in found:
        lines.append(f"#{b.id} · {status_label(ctx.t, b)} · {short(b.text)}")
        if b.status == BroadcastStatus.SCHEDULED:
            buttons.append(Button(ctx._("Cancel #{id}", id=b.id), CANCEL.encode(b.id)))
        else:
            buttons.append(Button(ctx._("Report #{id}", id=b.id), REPORT.encode(b.id)))
    buttons.append(Button(ctx._("Trainer tools"), TOOLS.encode()))
    ctx.reply("\n".join(lines), rows(*buttons), title=ctx._("Announcements"))


# --- delivery: the broadcasts job ----------------------------------------------------------------------


async def expand_batch(db: Database, broadcast_id: int, now: datetime, batch: int = EXPAND_BATCH,
                       library: Library | None = None) -> tuple[int, bool]:
    """Write outbox rows for the next ``batch`` people; (people done, finished?). One transaction.
    ``library``: the content library, for a course button."""
    async with db.transaction() as session:
        b = await store.locked_broadcast(session, broadcast_id)
        if b is None or b.status != BroadcastStatus.SENDING:
            return 0, True
        users = await store.next_recipients(session, b, batch, now)
        if not users:
            b.status = BroadcastStatus.QUEUED
            b.expanded_at = now
            return 0, True
        ids = [u.id for u in users]
        done_before = await store.recipients_among(session, b.id, ids)
        addresses = await store.addresses_by_user(session, ids)
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
                reply = replies[key] = announcement(b, translator(user.language, user.timezone), library)
            messages.append((user.id, address.channel, address.address, reply))
        outbox_ids = await enqueue_many(session, messages, now=now, broadcast_id=b.id, ids=True)
        queued = [m[0] for m in messages]
        recipients = skipped + [
            {"broadcast_id": b.id, "user_id": user_id, "status": RecipientStatus.QUEUED, "outbox_id": outbox_id}
            for user_id, outbox_id in zip(queued, outbox_ids, strict=True)]
        await store.add_recipients(session, recipients)
        b.cursor = users[-1].id
        b.targeted += len(recipients)
        return len(recipients), False


async def waiting_rows(db: Database, broadcast_id: int) -> int:
    """Messages of this announcement written but not yet sent (an index range count)."""
    async with db.read() as session:
        return await store.waiting_count(session, broadcast_id)


async def finish_broadcasts(jc: JobContext, now: datetime) -> int:
    """Announcements with nothing left in the outbox: mark done and send the author the summary."""
    finished = 0
    async with jc.db.read() as session:
        queued = await store.queued_ids(session)
    for broadcast_id in queued:
        async with jc.db.transaction() as session:
            b = await store.locked_broadcast(session, broadcast_id)
            if b is None or b.status != BroadcastStatus.QUEUED:
                continue
            if await store.unsent_count(session, b.id):
                continue
            b.status = BroadcastStatus.DONE
            b.finished_at = now
            finished += 1
            author = await session.get(User, b.author_id) if b.author_id is not None else None
            target = preferred_address(author) if author is not None else None
            if author is not None and target is not None:
                t = translator(author.language, author.timezone)
                stats = await store.broadcast_stats(session, b)
                text = t.gettext("Your announcement has gone out.") + "\n\n" + report_text(t, b, stats)
                enqueue(session, author.id, target.channel, target.address,
                        Reply(text=text, title=t.gettext("Report"), kind="report",
                              buttons=rows(Button(t.gettext("Trainer tools"), TOOLS.encode()))), now=now)
    return finished


async def run_broadcasts(jc: JobContext, *, batch: int = EXPAND_BATCH,
                         max_batches: int = EXPAND_BATCHES_PER_RUN) -> int:
    """The job: start due announcements, expand them batch by batch, report the finished ones."""
    now = jc.deps.clock.now()
    async with jc.db.transaction() as session:
        await store.start_due(session, now)
    async with jc.db.read() as session:
        sending = await store.sending_ids(session)
    done = 0
    batches = 0
    for broadcast_id in sending:
        finished = False
        while not finished and batches < max_batches:
            started = time.monotonic()
            count, finished = await expand_batch(jc.db, broadcast_id, now, batch, jc.deps.library)
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
