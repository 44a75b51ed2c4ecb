"""Opting out of announcements (STOP / START, in the user's language) and linking two channels.

- STOP, UNSUBSCRIBE, /stop (and ຢຸດ, ឈប់, dừng, หยุด, berhenti, ရပ်, itigil, ...) set ``User.opted_out``:
  announcements skip the user; replies to what they write still come. START resumes. Both work on
  every channel and before onboarding, and are confirmed in a message that names the user's own word too
  ("Send START or ເລີ່ມ", ``LOCAL_START``). The STOP confirmation replaces the buttons on screen with the
  main menu (a stale "Was this helpful?" vote is not repeated under it, a typed "1" no longer presses it).
- ``/link`` (or the menu item) gives a one-time code valid 15 minutes; ``link CODE`` sent from the other
  app moves that address onto the user who asked, and merges the two users (``merge_users``), so
  progress and listings follow the person.

Payloads: ``link:new`` (ask for a code; also the menu item), ``menu:home``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.context import Context, Outgoing
from bot.i18n import N_, normalise_language
from bot.jobs import Job
from bot.payloads import Action
from bot.router import Router
from bot.text.normalise import normalise_text
from bot.types import Button, Reply, rows
from handlers import onboarding
from handlers.menu import HOME, add_item, current_buttons, menu_buttons, show_menu
from storage.links import LINK_CODE_LENGTH, LINK_CODE_TTL, create_link_code, merge_users, normalise_code
from storage.links import LinkCode as LinkCodeRow
from storage.models import User

router = Router("subscription")

JOBS: list[Job] = []

LINK_NEW = Action("link:new")

add_item(N_("Link Telegram and WhatsApp"), LINK_NEW, 85)

# Whole-message words, each with the language it is in (to answer in it when we know no better).
STOP_WORDS: dict[str, str] = {
    "stop": "en", "unsubscribe": "en", "stop all": "en", "stopall": "en", "cancel announcements": "en",
    "ຢຸດ": "lo", "ຍົກເລີກ": "lo",
    "ឈប់": "km", "បញ្ឈប់": "km",
    "dừng": "vi", "dừng lại": "vi", "huỷ": "vi", "hủy": "vi", "huỷ đăng ký": "vi", "hủy đăng ký": "vi",
    "หยุด": "th", "ยกเลิก": "th",
    "berhenti": "id",
    "ရပ်": "my", "ရပ်ပါ": "my",
    "itigil": "fil", "tigil": "fil",
}
START_WORDS: dict[str, str] = {
    "start": "en", "subscribe": "en", "unstop": "en", "resume": "en",
    "ເລີ່ມ": "lo", "ເລີ່ມຕົ້ນ": "lo", "ເລີ່ມໃໝ່": "lo", "ສືບຕໍ່": "lo",
    "ចាប់ផ្តើម": "km", "ចាប់ផ្ដើម": "km", "បន្ត": "km",
    "bắt đầu": "vi", "bat dau": "vi", "tiếp tục": "vi", "tiep tuc": "vi",
    "เริ่ม": "th", "เริ่มต้น": "th", "เริ่มใหม่": "th",
    "mulai": "id", "lanjut": "id", "lanjutkan": "id",
    "mula": "ms", "mulakan": "ms", "sambung": "ms",
    "စတင်": "my", "ပြန်စ": "my", "ပြန်စတင်": "my",
    "simula": "fil", "ituloy": "fil", "magsimula": "fil", "tuloy": "fil",
}
# The word shown beside STOP and START in each language (each one works, see the lists above).
LOCAL_STOP = {"lo": "ຢຸດ", "km": "ឈប់", "vi": "dừng", "th": "หยุด", "id": "berhenti", "ms": "berhenti",
              "my": "ရပ်", "fil": "itigil"}
LOCAL_START = {"lo": "ເລີ່ມ", "km": "ចាប់ផ្តើម", "vi": "bắt đầu", "th": "เริ่ม", "id": "mulai", "ms": "mula",
               "my": "စတင်", "fil": "simula"}

STOPPED = N_("Done: you will get no more announcements from us. You can still write to me any time. "
             "Send START to get announcements again.")
STOPPED_LOCAL = N_("Done: you will get no more announcements from us. You can still write to me any time. "
                   "Send START or {word} to get announcements again.")
STARTED = N_("Welcome back: you will get announcements again. Send STOP to stop them.")
STARTED_LOCAL = N_("Welcome back: you will get announcements again. Send STOP or {word} to stop them.")


def stop_start_words(ctx: Context) -> tuple[str, str]:
    """"STOP" and "START", with the user's own words beside them ("STOP / ຢຸດ") where the language has them."""
    language = ctx.user.language or ""
    if language in LOCAL_STOP:
        return f"STOP / {LOCAL_STOP[language]}", f"START / {LOCAL_START[language]}"
    return "STOP", "START"


LINK_RE = re.compile(rf"^/?link(?:@\w+)?\s+([A-Za-z0-9]{{{LINK_CODE_LENGTH}}})$", re.IGNORECASE)
MAX_LINK_FAILURES = 5
LINK_FAILURE_WINDOW = timedelta(hours=1)


def _said(ctx: Context) -> str:
    return " ".join(normalise_text(ctx.msg.text).strip().strip("!.?").casefold().split())


def is_stop(ctx: Context) -> bool:
    if ctx.msg.payload is not None:
        return False
    if ctx.msg.command in {"stop", "unsubscribe"}:
        return True
    return len(ctx.msg.text) <= 40 and _said(ctx) in STOP_WORDS


def is_start(ctx: Context) -> bool:
    """Only for someone who opted out: otherwise "start" belongs to onboarding and the menu."""
    if ctx.msg.payload is not None or not ctx.user.opted_out:
        return False
    if ctx.msg.command in {"subscribe", "unstop"}:
        return True
    return len(ctx.msg.text) <= 40 and _said(ctx) in START_WORDS


def _answer_language(ctx: Context, words: dict[str, str]) -> None:
    """Before onboarding we may not know the language: take the hint, else the word's own language."""
    if ctx.user.language is None:
        guess = normalise_language(ctx.msg.language_hint) or words.get(_said(ctx))
        if guess and guess != "en":
            ctx.user.language = guess


@router.on(is_stop)
async def stop(ctx: Context) -> None:
    _answer_language(ctx, STOP_WORDS)
    ctx.user.opted_out = True
    word = LOCAL_START.get(ctx.user.language or "")
    text = ctx._(STOPPED_LOCAL, word=word) if word else ctx._(STOPPED)
    # The confirmation replaces what was on screen with the main menu: the buttons of the message before (a
    # "Was this helpful?" vote, a quiz answer) are not repeated under it, and a typed "1" no longer presses them.
    ctx.reply(text, menu_buttons(ctx) if ctx.user.onboarded else ())


@router.on(is_start)
async def start(ctx: Context) -> None:
    _answer_language(ctx, START_WORDS)
    ctx.user.opted_out = False
    word = LOCAL_STOP.get(ctx.user.language or "")
    ctx.reply(ctx._(STARTED_LOCAL, word=word) if word else ctx._(STARTED),
              current_buttons(ctx) if ctx.user.onboarded else ())
    if not ctx.user.onboarded:
        onboarding.prompt_current(ctx)


# --- linking two channels -----------------------------------------------------------------------


def is_link_redeem(ctx: Context) -> bool:
    return ctx.msg.payload is None and LINK_RE.match(ctx.msg.text.strip()) is not None


def is_link_request(ctx: Context) -> bool:
    if ctx.msg.payload is not None:
        return LINK_NEW.decode(ctx.msg.payload) is not None
    return ctx.msg.command == "link" or _said(ctx) == "link"


@router.on(is_link_redeem)
async def redeem_code(ctx: Context) -> None:
    match = LINK_RE.match(ctx.msg.text.strip())
    assert match is not None
    if _too_many_failures(ctx.user, ctx.now):
        ctx.reply(ctx._("Too many wrong codes. Please wait an hour and ask for a new code."))
        return
    row = await ctx.session.get(LinkCodeRow, normalise_code(match.group(1)))
    if row is not None and row.user_id == ctx.user.id:
        ctx.reply(ctx._("This code belongs to this same chat. Send it from your other app (Telegram or WhatsApp)."))
        return
    target = await ctx.session.get(User, row.user_id) if row is not None else None
    if row is not None:
        await ctx.session.delete(row)  # one use, even when expired
    if row is None or row.expires_at < ctx.now or target is None:
        _count_failure(ctx.user, ctx.now)
        ctx.reply(ctx._("That code is wrong or has expired. Send /link in your other app to get a new one."))
        return
    await link(ctx, target, row.channel, row.address)


async def link(ctx: Context, target: User, origin_channel: str, origin_address: str) -> None:
    """Move this address (and everything of its user) onto ``target``; answer as ``target``."""
    await merge_users(ctx.session, ctx.user.id, target.id)
    ctx.user = target  # the engine writes the replies for the user the address now belongs to
    if not target.onboarded:
        ctx.reply(ctx._("Done: your two chats are now one account."))
        onboarding.prompt_current(ctx)
        return
    ctx.goto(None)
    show_menu(ctx, ctx._("Done: your two chats are now one account. Your courses, progress and listings "
                         "are here too."))
    if origin_address != ctx.msg.address:
        note = Reply(ctx._("Your account is now linked with another app. You can use either; your progress "
                           "follows you."))
        ctx.outgoing.append(Outgoing(target.id, origin_channel, origin_address, note))


@router.on(is_link_request)
async def request_code(ctx: Context) -> None:
    if ctx.msg.command == "link" and ctx.msg.command_args.strip():  # "/link" with something not a code
        _count_failure(ctx.user, ctx.now)
        ctx.reply(ctx._("That code is wrong or has expired. Send /link in your other app to get a new one."))
        return
    row = await create_link_code(ctx.session, ctx.user.id, ctx.msg.channel, ctx.msg.address, ctx.now)
    minutes = int(LINK_CODE_TTL.total_seconds() // 60)
    ctx.reply(ctx._("Your link code is {code}. Within {minutes} minutes, send this message to me from your other "
                    "app (Telegram or WhatsApp):\n\nlink {code}\n\nThe code works once.",
                    code=row.code, minutes=ctx.t.number(minutes)),
              rows(Button(ctx._("Main menu"), HOME.encode())))


def _failures(user: User, now: datetime) -> int:
    record = (user.profile or {}).get("link_failures") or {}
    try:
        since = datetime.fromisoformat(record["since"])
    except (KeyError, TypeError, ValueError):
        return 0
    return int(record.get("count", 0)) if now - since < LINK_FAILURE_WINDOW else 0


def _too_many_failures(user: User, now: datetime) -> bool:
    return _failures(user, now) >= MAX_LINK_FAILURES


def _count_failure(user: User, now: datetime) -> None:
    count = _failures(user, now)
    profile = dict(user.profile or {})
    since = profile.get("link_failures", {}).get("since") if count else None
    profile["link_failures"] = {"count": count + 1, "since": since or now.isoformat()}
    user.profile = profile
