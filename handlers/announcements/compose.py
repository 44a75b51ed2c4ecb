"""Composing an announcement by chat: ``/announce`` (or "Trainer tools" → "New announcement"), its text
and optionally one photo, the "I'm interested" button, and a preview as learners will see it. The audience
screen is ``handlers.announcements.audiences``; sending now or later is ``handlers.announcements.schedule``.
"""

from __future__ import annotations

import logging

from bot.context import Context
from bot.i18n import N_, Translator
from bot.media import MediaRejected, MediaStore
from bot.router import Command, InStep, NoPayload, Router
from bot.types import Button, Media, Reply, rows
from content import Library
from handlers.announcements.actions import (
    AUDIENCE,
    BUTTON,
    DISCARD,
    LATER,
    LINK,
    NEW,
    NOOP,
    NOW,
    PREVIEW,
    TAP,
    TOOLS,
)
from handlers.announcements.audiences import audience_screen, describe_audience, reach_text
from handlers.announcements.common import TrainerStep, my_broadcast, staff, step_draft, tools
from handlers.announcements.roles import add_commands as add_commands  # `smce-bot admin` (bot/cli.py)
from handlers.lessons.common import COURSE
from storage.announcements import Broadcast, BroadcastStatus, audience_count

log = logging.getLogger(__name__)
router = Router("trainer.compose")

TEXT_MAX = 3500


@router.on(TOOLS, *staff)
async def tools_menu(ctx: Context) -> None:
    ctx.goto(None)
    tools(ctx)


@router.on(Command("announce"), *staff)
@router.on(NEW, *staff)
async def new_announcement(ctx: Context) -> None:
    draft = Broadcast(author_id=ctx.user.id, text="", audience={}, status=BroadcastStatus.DRAFT, created_at=ctx.now,
                      button=False, cursor=0, targeted=0)
    ctx.session.add(draft)
    await ctx.session.flush()
    ctx.goto(TrainerStep.TEXT, draft=draft.id)
    ctx.reply(ctx._("New announcement. Send its text (you may attach one photo with the text as caption)."),
              rows(Button(ctx._("Cancel"), DISCARD.encode(draft.id))))


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


@router.on(BUTTON, *staff)
async def toggle_button(ctx: Context) -> None:
    b = await my_broadcast(ctx, BUTTON.arg(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    b.button = not b.button
    await audience_screen(ctx, b)


LINK_LABEL_MAX = 40


EVENT_BUTTON = N_("See the event and sign up")


def extra_buttons(b: Broadcast, t: Translator, library: Library | None) -> list[Button]:
    """The console's buttons: a link (pressed, the bot answers with the address and counts the tap) or a
    course (opens it, in the learner's language)."""
    buttons: list[Button] = []
    for index, item in enumerate(b.links or []):
        if not isinstance(item, dict):
            continue
        if item.get("kind") == "link" and item.get("url"):
            label = str(item.get("label") or "")[:LINK_LABEL_MAX] or t.gettext("Open the link")
            buttons.append(Button(label, LINK.encode(b.id, index)))
        elif item.get("kind") == "course" and library is not None and item.get("course") in library.courses:
            course = library.courses[item["course"]]
            title = course.title.in_(t.language)
            buttons.append(Button(t.gettext("Course: {title}", title=title)[:LINK_LABEL_MAX], COURSE.encode(course.id)))
        elif item.get("kind") == "item" and str(item.get("payload") or "").startswith(("dir:v:", "market:v:")):
            # a featured profile or listing (handlers.directory.featured): the button opens it in the chat
            buttons.append(Button(str(item.get("label") or "")[:LINK_LABEL_MAX] or "⭐", str(item["payload"])))
        elif item.get("kind") == "event" and isinstance(item.get("event"), int):
            # an event announced from its page (handlers.events.announce): the button opens it to sign up;
            # the payload is handlers.events.actions.VIEW's (not imported: the events package imports this one)
            buttons.append(Button(t.gettext(EVENT_BUTTON)[:LINK_LABEL_MAX], f"ev:v:{item['event']}"))
    return buttons


def announcement(b: Broadcast, t: Translator, library: Library | None = None) -> Reply:
    """The message as one recipient sees it, in their language."""
    found = extra_buttons(b, t, library)
    if b.button:
        found.append(Button(t.gettext("I'm interested"), TAP.encode(b.id)))
    buttons = rows(*found) if found else ()
    return Reply(text=b.text, buttons=buttons, photo=Media.from_dict(b.photo) if b.photo else None,
                 title=t.gettext("📢 Announcement"), kind="announcement",
                 template_vars={"1": b.text[:1000]})


@router.on(PREVIEW, *staff)
async def preview(ctx: Context) -> None:
    b = await my_broadcast(ctx, PREVIEW.arg(ctx), BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    sample = announcement(b, ctx.t, ctx.deps.library)
    ctx.reply(sample.text, tuple(tuple(Button(x.label, NOOP.encode()) for x in row) for row in sample.buttons),
              photo=sample.photo, title=sample.title)
    reach, opted_out = await audience_count(ctx.session, b.audience or {}, b.author_id)
    text = "\n".join([ctx._("This is how it will look."),
                      ctx._("Audience: {audience}", audience=describe_audience(ctx.t, b.audience or {},
                                                                               ctx.deps.library)),
                      reach_text(ctx, reach, opted_out)])
    ctx.reply(text, rows(
        Button(ctx._("Send now"), NOW.encode(b.id)),
        Button(ctx._("Schedule"), LATER.encode(b.id)),
        Button(ctx._("Change audience"), AUDIENCE.encode(b.id, "show")),
        Button(ctx._("Discard"), DISCARD.encode(b.id)),
        width=2,
    ))


@router.on(NOOP)
async def noop(ctx: Context) -> None:
    ctx.reply(ctx._("That was a preview: learners' taps are counted in the report."))
