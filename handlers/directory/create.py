"""Writing or editing a profile as a conversation, with a draft that survives leaving: one step per field
(person or group, name, crafts, craft in one's own words, story, place, country, photos, contact, languages),
then the preview (send for review, edit a field, cancel).

The helpers (asking, preview, saving) are in ``draft``.
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import LANGUAGES
from bot.router import Router
from bot.text.normalise import normalise_text
from bot.types import Button, rows
from handlers.choices import COUNTRIES, CRAFTS
from handlers.directory.actions import (
    CANCEL,
    CONFIRM,
    CONTACT_KIND,
    COUNTRY,
    CRAFT,
    EDIT,
    KEEP,
    KIND,
    LANGUAGE,
    PHOTOS_DONE,
    PHOTOS_SKIP,
    RESUME,
    SKIP,
    START,
)
from handlers.directory.common import (
    CONTACT_MAX,
    CRAFT_TEXT_MAX,
    FIELDS,
    KIND_LABELS,
    MAX_PHOTOS,
    NAME_MAX,
    PLACE_MAX,
    STORY_MAX,
    DirStep,
    clean_line,
    home_button,
    no_command,
)
from handlers.directory.draft import (
    after_field,
    again,
    ask,
    ask_next,
    ask_public_contact,
    field_menu,
    get_draft,
    photo_buttons,
    preview,
    save,
    set_field,
    start,
)
from handlers.market.draft import photo_problem
from storage.directory import ProfileDraft
from storage.market import MarketPhoto, PhotoStatus

router = Router("directory.create")


async def current(ctx: Context) -> ProfileDraft | None:
    draft = await get_draft(ctx)
    if draft is None:
        ctx.goto(None)
        ctx.reply(ctx._("That profile draft is gone. Start again from the directory."), rows(home_button(ctx)))
    return draft


def chosen_of(draft: ProfileDraft, field: str) -> list[str]:
    """What is ticked so far in a multiple choice (``<field>_chosen`` while choosing, else the saved value)."""
    ticking = draft.data.get(field + "_chosen")
    return list(ticking if isinstance(ticking, list) else draft.data.get(field) or [])


@router.on(START)
async def new(ctx: Context) -> None:
    await start(ctx)


@router.on(RESUME)
async def resume(ctx: Context) -> None:
    draft = await get_draft(ctx)
    if draft is None or not draft.data:
        await start(ctx)
        return
    await ask_next(ctx, draft)


@router.on(CANCEL)
async def cancel(ctx: Context) -> None:
    draft = await get_draft(ctx)
    if draft is not None:
        await ctx.session.delete(draft)
    ctx.goto(None)
    ctx.reply(ctx._("Cancelled. Nothing was changed."), rows(home_button(ctx)))


@router.on(KEEP)
async def keep(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    if ctx.step == DirStep.PREVIEW:
        await preview(ctx, draft)
        return
    await after_field(ctx, draft)


@router.on(KIND)
async def got_kind(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    if KIND.arg(ctx) not in KIND_LABELS:
        await ask(ctx, draft, "kind")
        return
    set_field(ctx, draft, kind=KIND.arg(ctx))
    await after_field(ctx, draft)


async def typed(ctx: Context, draft: ProfileDraft, field: str, limit: int, *, lines: bool = False) -> str | None:
    """The typed text of a field, or None after saying what is wrong."""
    if ctx.msg.media:
        again(ctx, draft, field, ctx._("Please type it as a message (the photos come later)."))
        return None
    text = normalise_text(ctx.msg.text).strip() if lines else clean_line(ctx.msg.text)
    if not text:
        again(ctx, draft, field, ctx._("Please type a few words."))
        return None
    if len(text) > limit:
        again(ctx, draft, field, ctx._("That has {count} characters; the limit is {max}. Please send a shorter one "
                                       "(nothing was changed).", count=ctx.t.number(len(text)),
                                       max=ctx.t.number(limit)))
        return None
    return text


@router.step(DirStep.NAME, filters=[no_command])
async def got_name(ctx: Context) -> None:
    if (draft := await current(ctx)) is None or (text := await typed(ctx, draft, "name", NAME_MAX)) is None:
        return
    set_field(ctx, draft, name=text)
    await after_field(ctx, draft)


@router.on(CRAFT)
async def got_craft(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    code, chosen = CRAFT.arg(ctx), chosen_of(draft, "crafts")
    if code == "done":
        if not chosen:
            ctx.reply(ctx._("Please choose at least one craft."))
            await ask(ctx, draft, "crafts", one=bool(ctx.data.get("one")))
            return
        set_field(ctx, draft, crafts=chosen, crafts_chosen=None)
        await after_field(ctx, draft)
        return
    if code in CRAFTS:
        chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
        set_field(ctx, draft, crafts_chosen=chosen)
    view = dict(draft.data, crafts=chosen)
    one = bool(ctx.data.get("one"))
    draft_view = ProfileDraft(user_id=draft.user_id, data=view)
    await ask(ctx, draft_view, "crafts", one=one)


@router.step(DirStep.CRAFTS, DirStep.KIND, DirStep.COUNTRY, DirStep.CONTACT, DirStep.LANGUAGES,
             filters=[no_command])
async def press_a_button(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    ctx.reply(ctx._("Please press one of the buttons."))
    field = next(f for f in FIELDS if str(ctx.step).endswith("." + f))
    await ask(ctx, draft, field, one=bool(ctx.data.get("one")))


@router.on(SKIP)
async def skip(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    set_field(ctx, draft, craft_text="")
    await after_field(ctx, draft)


@router.step(DirStep.CRAFT_TEXT, filters=[no_command])
async def got_craft_text(ctx: Context) -> None:
    if (draft := await current(ctx)) is None or (text := await typed(ctx, draft, "craft_text", CRAFT_TEXT_MAX)) is None:
        return
    set_field(ctx, draft, craft_text=text)
    await after_field(ctx, draft)


@router.step(DirStep.STORY, filters=[no_command])
async def got_story(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    if (text := await typed(ctx, draft, "story", STORY_MAX, lines=True)) is None:
        return
    set_field(ctx, draft, story=text)
    await after_field(ctx, draft)


@router.step(DirStep.PLACE, filters=[no_command])
async def got_place(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    if ctx.msg.location is not None and not ctx.msg.text.strip():
        text: str | None = (ctx.msg.location.address or ctx.msg.location.label or "")[:PLACE_MAX] or None
        if text is None:
            again(ctx, draft, "place", ctx._("Please type the town and province."))
            return
    elif (text := await typed(ctx, draft, "place", PLACE_MAX)) is None:
        return
    set_field(ctx, draft, place=text)
    await after_field(ctx, draft)


@router.on(COUNTRY)
async def got_country(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    if COUNTRY.arg(ctx) not in COUNTRIES:
        await ask(ctx, draft, "country", one=bool(ctx.data.get("one")))
        return
    set_field(ctx, draft, country=COUNTRY.arg(ctx))
    await after_field(ctx, draft)


@router.step(DirStep.PHOTOS, filters=[no_command])
async def got_photo(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    if not ctx.msg.media:
        ctx.reply(ctx._("That was text; I need a photo here, or press Skip photos."), photo_buttons(ctx, draft))
        return
    store = ctx.deps.extras.get("media")
    photos: list[int] = [] if ctx.data.get("fresh") else list(draft.data.get("photos") or [])
    added: list[MarketPhoto] = []
    for media in ctx.msg.media:
        if (problem := photo_problem(ctx, media, store)) is not None:
            ctx.reply(problem, photo_buttons(ctx, draft))
            return
        if len(photos) + len(added) >= MAX_PHOTOS:
            break
        added.append(MarketPhoto(user_id=ctx.user.id, channel=ctx.msg.channel, file_id=media.file_id, url=media.url,
                                 content_type=media.content_type, size=media.size, key=media.key, attempts=0,
                                 status=PhotoStatus.STORED if media.key else PhotoStatus.PENDING, created_at=ctx.now))
    if not added:
        ctx.reply(ctx._("You already have {max} photos.", max=MAX_PHOTOS), photo_buttons(ctx, draft))
        return
    ctx.session.add_all(added)
    await ctx.session.flush()
    photos += [row.id for row in added]
    set_field(ctx, draft, photos=photos)
    ctx.update_data(fresh=False)
    if len(photos) >= MAX_PHOTOS:
        await after_field(ctx, draft)
        return
    ctx.reply(ctx.ngettext("{n} photo received. Send another one, or press Done.",
                           "{n} photos received. Send another one, or press Done.", len(photos)),
              photo_buttons(ctx, draft))


@router.on(PHOTOS_DONE)
async def photos_done(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    set_field(ctx, draft, photos=list(draft.data.get("photos") or []))
    await after_field(ctx, draft)


@router.on(PHOTOS_SKIP)
async def photos_skip(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    set_field(ctx, draft, photos=[])
    await after_field(ctx, draft)


@router.on(CONTACT_KIND)
async def got_contact(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    kind = CONTACT_KIND.arg(ctx)
    if kind == "relay":
        set_field(ctx, draft, contact="relay", public_contact="")
        await after_field(ctx, draft)
    elif kind == "public":
        set_field(ctx, draft, contact_wanted="public")
        ask_public_contact(ctx, draft)
    else:
        await ask(ctx, draft, "contact", one=bool(ctx.data.get("one")))


@router.step(DirStep.PUBLIC_CONTACT, filters=[no_command])
async def got_public_contact(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    if (text := await typed(ctx, draft, "public_contact", CONTACT_MAX)) is None:
        return
    set_field(ctx, draft, contact="public", public_contact=text)
    await after_field(ctx, draft)


@router.on(LANGUAGE)
async def got_language(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    code = LANGUAGE.arg(ctx)
    chosen = chosen_of(draft, "languages")
    one = bool(ctx.data.get("one"))
    if code == "done":
        if not chosen:
            ctx.reply(ctx._("Please choose at least one language."))
            await ask(ctx, draft, "languages", one=one)
            return
        set_field(ctx, draft, languages=chosen, languages_chosen=None)
        await after_field(ctx, draft)
        return
    if code in LANGUAGES:
        chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
        set_field(ctx, draft, languages_chosen=chosen)
    await ask(ctx, ProfileDraft(user_id=draft.user_id, data=dict(draft.data, languages=chosen)), "languages", one=one)


@router.on(EDIT)
async def edit(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    field = EDIT.arg(ctx)
    if field in FIELDS:
        await ask(ctx, draft, field, one=True)
        return
    field_menu(ctx)


@router.on(CONFIRM)
async def confirm(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    if missing_now := [f for f in FIELDS if f not in draft.data]:
        await ask(ctx, draft, missing_now[0])
        return
    await save(ctx, draft)


@router.step(DirStep.PREVIEW, filters=[no_command])
async def at_preview(ctx: Context) -> None:
    if (draft := await current(ctx)) is None:
        return
    ctx.reply(ctx._("Please press one of the buttons."),
              rows(Button(ctx._("Edit"), EDIT.encode()), Button(ctx._("Cancel"), CANCEL.encode()), width=2))
    await preview(ctx, draft)
