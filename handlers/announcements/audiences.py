"""Who an announcement goes to: the audience screen of a draft, its filters (language, country, province,
craft, course state; they combine) and the count it will reach. The queries are
``storage.announcements.audience_conditions`` and ``audience_count``."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.i18n import LANGUAGES, N_, Translator
from bot.payloads import Action
from bot.router import InStep, NoPayload, Router
from bot.types import Button, rows
from handlers.announcements.actions import AUDIENCE, BUTTON, COURSE, DISCARD, PREVIEW, SET
from handlers.announcements.common import TrainerStep, my_broadcast, staff, tools
from handlers.choices import COUNTRIES, CRAFTS, country_name, craft_name
from storage.announcements import Broadcast, BroadcastStatus, audience_count

router = Router("trainer.audiences")

PROVINCE_MAX = 100
COURSE_STATES = {"enrolled": N_("enrolled"), "completed": N_("completed"), "not_started": N_("not started")}


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
        Button(ctx._("Language"), AUDIENCE.encode(i, "language")),
        Button(ctx._("Country"), AUDIENCE.encode(i, "country")),
        Button(ctx._("Province"), AUDIENCE.encode(i, "province")),
        Button(ctx._("Craft"), AUDIENCE.encode(i, "craft")),
        Button(ctx._("Course"), AUDIENCE.encode(i, "course")),
        Button(ctx._("Everyone"), AUDIENCE.encode(i, "clear")),
        Button(button_label, BUTTON.encode(i)),
        Button(ctx._("Preview"), PREVIEW.encode(i)),
        Button(ctx._("Discard"), DISCARD.encode(i)),
        width=2,
    ), title=ctx._("New announcement"))


def ask_filter(ctx: Context, which: str, item_id: int, set_action: Action, course_action: Action) -> bool:
    """Ask for one audience filter's value with buttons (language, country, craft, course); False for any
    other choice. Announcements and polls share it, each with its own buttons' actions."""
    if which == "language":
        buttons = [Button(lang.native_name, set_action.encode(item_id, "language", code))
                   for code, lang in LANGUAGES.items()]
        ctx.reply(ctx._("Which language do they read?"), rows(*buttons, width=2))
    elif which == "country":
        buttons = [Button(country_name(c, ctx.t), set_action.encode(item_id, "country", c)) for c in COUNTRIES]
        ctx.reply(ctx._("Which country?"), rows(*buttons, width=2))
    elif which == "craft":
        buttons = [Button(craft_name(c, ctx.t), set_action.encode(item_id, "craft", c)) for c in CRAFTS]
        ctx.reply(ctx._("Which craft?"), rows(*buttons, width=2))
    elif which == "course":
        courses = ctx.deps.library.ordered_courses()
        buttons = [Button(c.title.in_(ctx.user.language or "en")[:40], course_action.encode(item_id, c.id))
                   for c in courses]
        ctx.reply(ctx._("Which course?"), rows(*buttons))
    else:
        return False
    return True


def ask_course_state(ctx: Context, set_action: Action, item_id: int, course_id: str) -> None:
    """Ask which learners of a course (enrolled, completed, not started); shared like ``ask_filter``."""
    ctx.reply(ctx._("Which learners of this course?"), rows(*(
        Button(ctx._(label), set_action.encode(item_id, "course", course_id, state))
        for state, label in COURSE_STATES.items()
    )))


@router.on(AUDIENCE, *staff)
async def audience_choice(ctx: Context) -> None:
    broadcast_id, which = AUDIENCE.args(ctx)
    b = await my_broadcast(ctx, broadcast_id, BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    i = b.id
    if ask_filter(ctx, which, i, SET, COURSE):
        return
    if which == "province":
        ctx.goto(TrainerStep.PROVINCE, draft=i)
        ctx.reply(ctx._("Type the province (as learners wrote it in their profile)."))
    else:
        if which == "clear":
            b.audience = {}
        await audience_screen(ctx, b)


@router.on(COURSE, *staff)
async def course_state_choice(ctx: Context) -> None:
    broadcast_id, course_id = COURSE.args(ctx)
    b = await my_broadcast(ctx, broadcast_id, BroadcastStatus.DRAFT)
    if b is None or course_id not in ctx.deps.library.courses:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    ask_course_state(ctx, SET, b.id, course_id)


@router.on(SET, *staff)
async def set_filter(ctx: Context) -> None:
    broadcast_id, field, value, *more = SET.args(ctx)
    b = await my_broadcast(ctx, broadcast_id, BroadcastStatus.DRAFT)
    if b is None:
        ctx.reply(ctx._("That announcement is no longer a draft."))
        return
    b.audience = with_filter(ctx, b.audience, field, value, more)
    await audience_screen(ctx, b)


def with_filter(ctx: Context, audience: dict[str, Any] | None, field: str, value: str,
                more: list[Any]) -> dict[str, Any]:
    """``audience`` with one filter button's choice applied (anything unknown is ignored); announcements
    and polls share it."""
    audience = dict(audience or {})
    if field == "language" and value in LANGUAGES:
        audience["language"] = value
    elif field == "country" and value in COUNTRIES:
        audience["country"] = value
    elif field == "craft" and value in CRAFTS:
        audience["craft"] = value
    elif field == "course" and value in ctx.deps.library.courses and more and more[0] in COURSE_STATES:
        audience["course"], audience["course_state"] = value, more[0]
    return audience


def with_province(ctx: Context, audience: dict[str, Any] | None) -> dict[str, Any] | None:
    """``audience`` with the typed province or city, or None when the message is not one."""
    province = " ".join(ctx.msg.text.split())[:PROVINCE_MAX]
    if province and ctx.msg.command is None:
        return {**(audience or {}), "province": province}
    return None


@router.on(InStep(TrainerStep.PROVINCE), NoPayload, *staff)
async def got_province(ctx: Context) -> None:
    b = await my_broadcast(ctx, ctx.data.get("draft"), BroadcastStatus.DRAFT)
    ctx.goto(None)
    if b is None:
        tools(ctx)
        return
    b.audience = with_province(ctx, b.audience) or b.audience
    await audience_screen(ctx, b)
