"""Data rights in the chat, and retention.

- ``/mydata``: a readable summary of what we keep about the person, and all of it as a JSON file (a
  document attachment; ``storage.privacy.export_user``).
- ``/forget``: a confirmation, then erasure (``storage.privacy.forget_user``): personal rows deleted, what
  others' records need kept anonymised, messages not sent yet cancelled, no address left to write to.
  Both work in any flow and before onboarding; "No" brings the person back where they were.
- The ``retention`` job prunes old duplicate-check ids, old sent outbox rows, expired link codes
  (``storage.retention.prune``) and old export files.

Payloads: ``privacy:forget`` (erase, valid only right after ``/forget``), ``privacy:keep``.
"""

from __future__ import annotations

import json
from collections import Counter
from enum import StrEnum

from bot.context import Context
from bot.demographics import label
from bot.documents import CONTENT_TYPE, KEEP_DAYS, DocumentStore
from bot.i18n import N_
from bot.jobs import Job, JobContext
from bot.payloads import Action
from bot.router import Command, Router
from bot.types import Button, Media, Reply, rows
from storage.privacy import export_user, forget_user
from storage.retention import prune

router = Router("privacy")

FORGET = Action("privacy:forget")
KEEP = Action("privacy:keep")
EXPORT_NAME = "my-data.json"
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "terminal": "terminal"}
# What the summary counts, by table: the label (translated), in this order; the rest are "other records".
COUNTED: tuple[tuple[str, str], ...] = (
    ("lesson_progress", N_("Courses: {count}")),
    ("quiz_answers", N_("Quiz answers: {count}")),
    ("market_listings", N_("Marketplace listings: {count}")),
    ("faq_unanswered", N_("Questions you asked: {count}")),
    ("outbox", N_("Messages we sent you: {count}")),
)
NOT_COUNTED = {"users", "addresses"}


class Step(StrEnum):
    CONFIRM = "privacy.confirm"


@router.on(Command("mydata"))
async def my_data(ctx: Context) -> None:
    data = await export_user(ctx.session, ctx.user.id)
    counts = Counter({table: len(found) for table, found in data.items()})
    chats = ", ".join(CHANNEL_NAMES.get(a.channel, a.channel) for a in ctx.user.addresses)
    lines = [ctx._("Here is everything we keep about you."),
             ctx._("Name: {name}", name=ctx.user.name or "—"),
             ctx._("Sex: {value}", value=label("sex", ctx.user.sex, ctx.t) or ctx._("Not given")),
             ctx._("Age band: {value}", value=label("age_band", ctx.user.age_band, ctx.t) or ctx._("Not given")),
             ctx._("Chats: {chats}", chats=chats or "—")]
    lines += [ctx._(label, count=ctx.t.number(counts[table])) for table, label in COUNTED]
    other = sum(n for table, n in counts.items() if table not in NOT_COUNTED | {t for t, _ in COUNTED})
    lines.append(ctx._("Other records: {count}", count=ctx.t.number(other)))
    store: DocumentStore | None = ctx.deps.extras.get("documents")
    document = None
    if store is not None:
        body = {"exported_at": ctx.now.isoformat(), "data": data}
        key = store.save(json.dumps(body, ensure_ascii=False, indent=2, default=str).encode())
        path = store.path(key)
        document = Media(kind="document", key=key, content_type=CONTENT_TYPE, name=EXPORT_NAME,
                         url=str(path.resolve()) if path else None)
        lines.append(ctx._("The attached file has all of it, in JSON."))
    ctx.replies.append(Reply(text="\n".join(lines), document=document, kind="mydata"))


@router.on(Command("forget"))
async def forget(ctx: Context) -> None:
    back = ctx.step if ctx.step != Step.CONFIRM else ctx.data.get("back")
    back_data = ctx.data if ctx.step != Step.CONFIRM else ctx.data.get("back_data", {})
    ctx.goto(Step.CONFIRM, back=back, back_data=back_data)
    ctx.reply(
        ctx._("This erases your name, your chats, your progress, your listings and everything else we keep "
              "about you, and we stop writing to you. It cannot be undone. Erase everything?"),
        rows(Button(ctx._("Yes, erase everything"), FORGET.encode()),
             Button(ctx._("No, keep my data"), KEEP.encode())),
    )


@router.on(FORGET)
async def erase(ctx: Context) -> None:
    if ctx.step != Step.CONFIRM:  # an old button: ask again rather than erase by accident
        ctx.reply(ctx._("Nothing was erased."))
        return
    goodbye = ctx._("Done: everything about you is erased. We will not write to you again. "
                    "If you write to us, you start afresh.")
    forgotten = await forget_user(ctx.session, ctx.user, ctx.now)
    ctx.user = forgotten.erased_user  # the engine queues this last reply under the anonymous stand-in
    ctx.reply(goodbye)


@router.on(KEEP)
async def keep(ctx: Context) -> None:
    if ctx.step == Step.CONFIRM:
        data = ctx.data
        ctx.goto(data.get("back"), **(data.get("back_data") or {}))
    ctx.reply(ctx._("Nothing was erased."))


async def retention(jc: JobContext) -> int:
    """Prune what is past retention (``RETENTION_SEEN_DAYS``, ``RETENTION_OUTBOX_DAYS``) and old exports."""
    settings, now = jc.deps.settings, jc.deps.clock.now()
    pruned = await prune(jc.db, now, seen_days=settings.retention_seen_days,
                         outbox_days=settings.retention_outbox_days)
    store: DocumentStore | None = jc.deps.extras.get("documents")
    files = store.prune(KEEP_DAYS, now=now.timestamp()) if store is not None else 0
    return pruned.total + files


JOBS = [Job("retention", 6 * 3600.0, retention)]
