"""Lesson reminders: a learner picks daily or weekly (and the weekday) and a time (hour and minute) in their own
time zone; a job sends each due reminder through the outbox (``Reply.kind="reminder"``), pointing to their next
lesson.

Payloads: ``rem:freq:<daily|weekly|off>``, ``rem:day:<0-6>``, ``rem:hour:<freq>:<weekday>:<hour>[:<minute>]``
(the actions below; buttons sent before minutes existed have no minute: on the hour).
The next due moment is stored in UTC (``lesson_reminders.next_at``) and moved forward in the same
transaction that queues the reminder, so a restart never sends one twice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.i18n import N_, Translator, translator
from bot.jobs import Job, JobContext
from bot.outbox import enqueue
from bot.payloads import Action
from bot.router import Command, InStep, NoPayload, Onboarded, Router, Words
from bot.text.normalise import normalise_text
from bot.types import Button, Reply, rows
from content import Library
from handlers.announcements.schedule import user_zone
from handlers.lessons.common import COURSES, LESSON
from handlers.menu import HOME, add_item
from handlers.review import START as REVIEW
from storage.announcements import Reminder
from storage.lessons import progress_of_users
from storage.models import LessonProgress
from storage.reminders import due_reminders, reminder_for, users_by_id
from storage.review import due_counts
from storage.users import preferred_address

router = Router("reminders")

# Presets offered as buttons. A typed time needs its minutes ("7:00", "19:00") or am/pm: on WhatsApp and the
# terminal a bare number presses the button with that number, so "7" alone can't mean 7 o'clock here.
PRESETS = ((N_("Morning ({time})"), 7), (N_("Noon ({time})"), 12), (N_("Evening ({time})"), 19))  # on the hour
_TIME = re.compile(r"^(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
BATCH = 500

SHOW = Action("menu:reminders")
FREQUENCY = Action("rem:freq", str)  # daily | weekly | off
DAY = Action("rem:day", str)  # 0-6, Monday = 0 (checked by the handler)
HOUR = Action("rem:hour", str, str, str, str, optional_last=True)  # frequency, weekday, hour, minute (checked)

add_item(N_("Reminders"), SHOW.encode(), 30)


class ReminderStep(StrEnum):
    HOUR = "reminders.hour"


def next_time(after: datetime, zone: ZoneInfo, frequency: str, hour: int, weekday: int, minute: int = 0) -> datetime:
    """The first local ``hour:minute`` (on ``weekday`` for weekly ones) strictly after ``after``, in UTC."""
    local = after.astimezone(zone)
    day = local.date()
    for offset in range(0, 9):
        candidate_day = day + timedelta(days=offset)
        if frequency == "weekly" and candidate_day.weekday() != weekday:
            continue
        candidate = datetime(candidate_day.year, candidate_day.month, candidate_day.day, hour, minute, tzinfo=zone)
        if candidate > after:
            return candidate.astimezone(after.tzinfo)
    raise AssertionError("no reminder time within 9 days")  # pragma: no cover


def weekday_name(t: Translator, weekday: int) -> str:
    return str(t.locale.days["format"]["wide"][weekday])


def clock_time(hour: int, minute: int = 0) -> str:
    """``06:30``: the 24-hour time people type and read across the region."""
    return f"{hour:02d}:{minute:02d}"


def describe(t: Translator, reminder: Reminder | None) -> str:
    """The reminder as one whole sentence (also the confirmation after choosing it)."""
    if reminder is None or not reminder.enabled:
        return t.gettext("Lesson reminders are off.")
    at = clock_time(reminder.hour, reminder.minute)
    if reminder.frequency == "weekly":
        return t.gettext("I will remind you every {day} at {time}.", day=weekday_name(t, reminder.weekday), time=at)
    return t.gettext("I will remind you every day at {time}.", time=at)


async def reminder_of(ctx: Context) -> Reminder | None:
    return await reminder_for(ctx.session, ctx.user.id)


@router.on(Command("reminders", "reminder"), Onboarded)
@router.on(Words(N_("reminders")), Onboarded)
@router.on(SHOW, Onboarded)
async def show(ctx: Context) -> None:
    ctx.goto(None)
    reminder = await reminder_of(ctx)
    buttons = [Button(ctx._("Every day"), FREQUENCY.encode("daily")),
               Button(ctx._("Once a week"), FREQUENCY.encode("weekly"))]
    if reminder is not None and reminder.enabled:
        buttons.append(Button(ctx._("Turn off"), FREQUENCY.encode("off")))
    buttons.append(Button(ctx._("Main menu"), HOME.encode()))
    ctx.reply(describe(ctx.t, reminder) + "\n" + ctx._("Want a nudge to keep learning?"), rows(*buttons, width=2),
              title=ctx._("Reminders"))


def hour_button(ctx: Context, frequency: str, weekday: int, hour: int, minute: int = 0,
                label: str | None = None) -> Button:
    """A time to press; ``label`` is a marked preset like "Morning ({time})", else the time alone."""
    at = clock_time(hour, minute)
    return Button(ctx._(label, time=at) if label else at, HOUR.encode(frequency, weekday, hour, minute))


def ask_hour(ctx: Context, frequency: str, weekday: int) -> None:
    ctx.goto(ReminderStep.HOUR, frequency=frequency, weekday=weekday)
    buttons = [hour_button(ctx, frequency, weekday, hour, label=label) for label, hour in PRESETS]
    ctx.reply(ctx._("At what time? Choose one, or type a time with its minutes, like 6:30 or 18:00."),
              rows(*buttons, Button(ctx._("Back"), SHOW.encode()), width=2))


def parse_time(text: str) -> tuple[int, int, bool] | None:
    """(hour, minute, sure): ``"6:30"`` → (6, 30, True); ``"7pm"`` → (19, 0, True); ``"19"`` → (19, 0, False),
    a bare number, to be confirmed."""
    said = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in normalise_text(text))
    match = _TIME.match(said.strip().casefold())
    if match is None:
        return None
    hour, minutes, half = int(match.group(1)), match.group(2), match.group(3)
    minute = int(minutes or 0)
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23:
        return None
    return hour, minute, bool(minutes is not None or half)


@router.on(FREQUENCY, Onboarded)
async def choose_frequency(ctx: Context) -> None:
    choice = FREQUENCY.arg(ctx)
    if choice == "off":
        reminder = await reminder_of(ctx)
        if reminder is not None:
            reminder.enabled = False
        ctx.goto(None)
        ctx.reply(ctx._("Reminders are off. Turn them on again any time with /reminders."),
                  rows(Button(ctx._("Main menu"), HOME.encode())))
        return
    if choice == "weekly":
        buttons = [Button(weekday_name(ctx.t, d), DAY.encode(d)) for d in range(7)]
        ctx.reply(ctx._("On which day?"), rows(*buttons, Button(ctx._("Back"), SHOW.encode()), width=2))
        return
    ask_hour(ctx, "daily", 0)


@router.on(DAY, Onboarded)
async def choose_day(ctx: Context) -> None:
    raw = DAY.arg(ctx)
    if not raw.isdigit() or int(raw) > 6:
        await show(ctx)
        return
    ask_hour(ctx, "weekly", int(raw))


@router.on(HOUR, Onboarded)
async def choose_hour(ctx: Context) -> None:
    frequency, weekday, hour, *rest = HOUR.args(ctx)
    minute = rest[0] if rest else "0"
    if frequency not in ("daily", "weekly") or not all(x.isascii() and x.isdigit() for x in (weekday, hour, minute)):
        await show(ctx)
        return
    await save(ctx, frequency, int(weekday), int(hour), int(minute))


@router.on(InStep(ReminderStep.HOUR), NoPayload, Onboarded)
async def typed_hour(ctx: Context) -> None:
    frequency, weekday = str(ctx.data.get("frequency", "daily")), int(ctx.data.get("weekday", 0))
    parsed = parse_time(ctx.msg.text)
    back = Button(ctx._("Back"), SHOW.encode())
    if parsed is None:
        buttons = [hour_button(ctx, frequency, weekday, hour, label=label) for label, hour in PRESETS]
        ctx.reply(ctx._("Please type a time with its minutes, like 7:00 or 19:00, or choose one."),
                  rows(*buttons, back, width=2))
        return
    hour, minute, sure = parsed
    if not sure:  # a bare number that pressed no button: ask, with that time as the only choice
        ctx.reply(ctx._("Did you mean {time}? Press it, or type the time with its minutes.", time=clock_time(hour)),
                  rows(hour_button(ctx, frequency, weekday, hour), back, width=2))
        return
    await save(ctx, frequency, weekday, hour, minute)


async def save(ctx: Context, frequency: str, weekday: int, hour: int, minute: int) -> None:
    if hour > 23 or minute > 59 or weekday > 6:
        await show(ctx)
        return
    reminder = await reminder_of(ctx)
    if reminder is None:
        reminder = Reminder(user_id=ctx.user.id)
        ctx.session.add(reminder)
    reminder.frequency, reminder.weekday, reminder.enabled = frequency, weekday, True
    reminder.hour, reminder.minute = hour, minute
    reminder.next_at = next_time(ctx.now, user_zone(ctx.user, ctx.deps.settings.default_timezone),
                                 frequency, hour, weekday, minute)
    ctx.goto(None)
    ctx.reply(describe(ctx.t, reminder),
              rows(Button(ctx._("Courses"), COURSES.encode()), Button(ctx._("Main menu"), HOME.encode()),
                   width=2))


# --- the job ---------------------------------------------------------------------------------------


def reminder_reply(t: Translator, library: Library, progress: dict[str, LessonProgress]) -> Reply:
    """Points to the next lesson: of a course in progress, else the first course not started."""
    language = t.language
    courses = library.ordered_courses()
    for course in courses:
        p = progress.get(course.id)
        if p is not None and p.completed_at is None:
            index = min(p.next_lesson, len(course.lessons) - 1)
            text = t.gettext("Time for a short lesson! Next in “{course}”: lesson {number} of {total}, {title}.",
                             course=course.title.in_(language), number=index + 1, total=len(course.lessons),
                             title=course.lessons[index].title.in_(language))
            return Reply(text, rows(Button(t.gettext("Continue"), LESSON.encode(course.id)),
                                    Button(t.gettext("Reminders"), SHOW.encode()), width=2), kind="reminder",
                         template_vars={"1": course.title.in_(language)})
    for course in courses:
        if course.id not in progress:
            text = t.gettext("Time for a short lesson! How about starting “{course}”?",
                             course=course.title.in_(language))
            return Reply(text, rows(Button(t.gettext("Start"), LESSON.encode(course.id)),
                                    Button(t.gettext("Reminders"), SHOW.encode()), width=2), kind="reminder",
                         template_vars={"1": course.title.in_(language)})
    return Reply(t.gettext("You have finished every course. Well done! New ones come from time to time."),
                 rows(Button(t.gettext("Courses"), COURSES.encode()), Button(t.gettext("Reminders"), SHOW.encode()),
                      width=2), kind="reminder")


def with_reviews(t: Translator, reply: Reply, due: int) -> Reply:
    """The reminder, also mentioning the questions due in spaced review (``handlers.review``), with its button."""
    if due <= 0:
        return reply
    text = reply.text + "\n\n" + t.ngettext("You also have {n} question to review: /review",
                                             "You also have {n} questions to review: /review", due)
    buttons = rows(*reply.flat_buttons[:2], Button(t.gettext("Review"), REVIEW.encode()), width=2)
    return replace(reply, text=text, buttons=buttons)


async def send_reminders(jc: JobContext) -> int:
    now = jc.deps.clock.now()
    sent = 0
    while True:
        async with jc.db.transaction() as session:
            due = await due_reminders(session, now, BATCH)
            if not due:
                return sent
            users = await users_by_id(session, [r.user_id for r in due])
            progress = await progress_of_users(session, list(users))
            reviews = await due_counts(session, list(users), now)
            for reminder in due:
                user = users.get(reminder.user_id)
                zone = user_zone(user, jc.deps.settings.default_timezone) if user else ZoneInfo("UTC")
                reminder.next_at = next_time(now, zone, reminder.frequency, reminder.hour, reminder.weekday,
                                             reminder.minute)
                if user is None or user.opted_out:
                    continue
                address = preferred_address(user)
                if address is None:
                    continue
                t = translator(user.language, user.timezone)
                reply = with_reviews(t, reminder_reply(t, jc.deps.library, progress.get(user.id, {})),
                                     reviews.get(user.id, 0))
                enqueue(session, user.id, address.channel, address.address, reply, now=now)
                reminder.last_sent_at = now
                sent += 1


JOBS: list[Job] = [Job("reminders", 60.0, send_reminders)]
