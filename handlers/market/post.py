"""Posting a listing as a conversation, with a draft that survives leaving: starting or resuming, then one
step per field (name, description, price, category, photos, place, contact).

Payloads: ``market:post``, ``market:new``, ``market:resume``, ``market:cat:<code>``, ``market:photos:done``,
``market:photos:skip``, ``market:contact:<kind>``, ``market:keep`` (see ``actions``). The preview's buttons
are in ``confirm``; the conversation's helpers in ``draft``.
"""

from __future__ import annotations

from bot.context import Context
from bot.prices import CURRENCIES, parse_price
from bot.router import Router
from bot.text.normalise import normalise_text
from bot.types import Button, rows
from handlers.choices import CRAFTS
from handlers.market.actions import (
    CATEGORY,
    CONTACT_KIND,
    KEEP,
    NEW,
    PHOTOS_DONE,
    PHOTOS_SKIP,
    POST,
    RESUME,
)
from handlers.market.common import (
    CONTACT_KINDS,
    DESCRIPTION_MAX,
    LOCATION_MAX,
    MAX_PHOTOS,
    NAME_MAX,
    MarketStep,
    get_draft,
    home_button,
    no_command,
    set_field,
    split_place,
)
from handlers.market.draft import (
    after_field,
    again,
    ask,
    ask_next,
    contact_options,
    current_draft,
    done_buttons,
    example_price,
    photo_problem,
    photo_prompt,
    seller_currency,
    start_new,
)
from storage.market import MarketDraft, MarketPhoto, PhotoStatus

router = Router("market.post")


# --- starting and resuming ----------------------------------------------------------------------


@router.on(POST)
async def post(ctx: Context) -> None:
    draft = await get_draft(ctx)
    if draft is not None and draft.data:
        name = draft.data.get("name") or "…"
        text = (ctx._("You were editing “{name}”. Continue where you left off?", name=name) if draft.listing_id
                else ctx._("You have an unfinished listing “{name}”. Continue where you left off?", name=name))
        ctx.reply(text, rows(Button(ctx._("Continue"), RESUME.encode()), Button(ctx._("Start over"), NEW.encode()),
                             home_button(ctx)))
        return
    await start_new(ctx, draft)


@router.on(NEW)
async def new(ctx: Context) -> None:
    await start_new(ctx, await get_draft(ctx))


@router.on(RESUME)
async def resume(ctx: Context) -> None:
    draft = await get_draft(ctx)
    if draft is None or not draft.data:
        await start_new(ctx, draft)
        return
    await ask_next(ctx, draft)


# --- the fields ---------------------------------------------------------------------------------


async def refuse_media(ctx: Context, draft: MarketDraft) -> bool:
    if ctx.msg.media:
        again(ctx, draft, ctx._("Please type it as a message (the photos come later)."))
        return True
    return False


@router.step(MarketStep.NAME, filters=[no_command])
async def got_name(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None or await refuse_media(ctx, draft):
        return
    name = " ".join(normalise_text(ctx.msg.text).split())
    if not name:
        again(ctx, draft, ctx._("Please type the product name."))
        return
    if len(name) > NAME_MAX:
        again(ctx, draft, ctx._("That name has {count} characters; please keep it under {max}.",
                                count=ctx.t.number(len(name)), max=NAME_MAX))
        return
    set_field(ctx, draft, name=name)
    await after_field(ctx, draft)


@router.step(MarketStep.DESCRIPTION, filters=[no_command])
async def got_description(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None or await refuse_media(ctx, draft):
        return
    text = normalise_text(ctx.msg.text).strip()
    if not text:
        again(ctx, draft, ctx._("Please write a short description."))
        return
    if len(text) > DESCRIPTION_MAX:
        again(ctx, draft, ctx._("That description has {count} characters; the limit is {max}. Please send a "
                                "shorter one (nothing was changed).", count=ctx.t.number(len(text)),
                                max=ctx.t.number(DESCRIPTION_MAX)))
        return
    set_field(ctx, draft, description=text)
    await after_field(ctx, draft)


@router.step(MarketStep.PRICE, filters=[no_command])
async def got_price(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None or await refuse_media(ctx, draft):
        return
    default = seller_currency(ctx)
    parsed = parse_price(ctx.msg.text, default)
    if parsed is None:
        again(ctx, draft, ctx._("Sorry, I could not read “{text}” as a price. Please send just the amount, for "
                                "example {example} or {short}.", text=ctx.msg.text.strip()[:40],
                                example=example_price(ctx, default), short="150k"))
        return
    amount, currency = parsed
    if currency not in CURRENCIES:  # pragma: no cover - parse_price only returns known currencies
        return
    set_field(ctx, draft, price=str(amount), currency=currency)
    await after_field(ctx, draft)


@router.on(CATEGORY)
async def got_category(ctx: Context) -> None:
    code = CATEGORY.arg(ctx)
    if (draft := await current_draft(ctx)) is None:
        return
    if code not in CRAFTS:
        await ask(ctx, draft, MarketStep.CATEGORY, one=bool(ctx.data.get("one")))
        return
    set_field(ctx, draft, category=code)
    await after_field(ctx, draft)


@router.step(MarketStep.CATEGORY, filters=[no_command])
async def category_typed(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    ctx.reply(ctx._("Please choose one of the categories."))
    await ask(ctx, draft, MarketStep.CATEGORY, one=bool(ctx.data.get("one")))


@router.step(MarketStep.PHOTOS, filters=[no_command])
async def got_photo(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    if not ctx.msg.media:
        if ctx.msg.channel == "terminal":
            text = ctx._("The terminal chat can't send photos. Press “Skip photos” to go on without them.")
        else:
            text = ctx._("That was text; I need a photo here.") + "\n" + photo_prompt(ctx)
        ctx.reply(text, done_buttons(ctx, draft))
        return
    store = ctx.deps.extras.get("media")
    photos: list[int] = [] if ctx.data.get("fresh") else list(draft.data.get("photos") or [])
    added: list[MarketPhoto] = []
    for media in ctx.msg.media:
        problem = photo_problem(ctx, media, store)
        if problem:
            ctx.reply(problem, done_buttons(ctx, draft))
            return
        if len(photos) + len(added) >= MAX_PHOTOS:
            break
        row = MarketPhoto(user_id=ctx.user.id, channel=ctx.msg.channel, file_id=media.file_id, url=media.url,
                          content_type=media.content_type, size=media.size, key=media.key, attempts=0,
                          status=PhotoStatus.STORED if media.key else PhotoStatus.PENDING, created_at=ctx.now)
        added.append(row)
    if not added:
        ctx.reply(ctx._("You already have {max} photos.", max=MAX_PHOTOS), done_buttons(ctx, draft))
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
              done_buttons(ctx, draft))


@router.on(PHOTOS_DONE)
async def photos_done(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    if not draft.data.get("photos"):
        ctx.reply(ctx._("Please send at least one photo first."), done_buttons(ctx, draft))
        return
    await after_field(ctx, draft)


@router.on(PHOTOS_SKIP)
async def photos_skip(ctx: Context) -> None:
    """Only the terminal chat (which can't send pictures) may go on without photos."""
    if (draft := await current_draft(ctx)) is None:
        return
    if ctx.msg.channel != "terminal":
        ctx.reply(ctx._("Please send at least one photo first.") + "\n" + photo_prompt(ctx), done_buttons(ctx, draft))
        return
    set_field(ctx, draft, photos=[], no_photos=True)
    await after_field(ctx, draft)


@router.step(MarketStep.LOCATION, filters=[no_command])
async def got_location(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None or await refuse_media(ctx, draft):
        return
    text = " ".join(normalise_text(ctx.msg.text).split())
    if ctx.msg.location is not None and not text:
        text = ctx.msg.location.address or ctx.msg.location.label or ""
    if not text:
        again(ctx, draft, ctx._("Please type the town and province."))
        return
    if len(text) > LOCATION_MAX:
        again(ctx, draft, ctx._("Please keep the place under {max} characters.", max=LOCATION_MAX))
        return
    set_field(ctx, draft, location=text, province=split_place(text)[:100])
    await after_field(ctx, draft)


@router.on(CONTACT_KIND)
async def got_contact(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    kind = CONTACT_KIND.arg(ctx)
    if kind not in CONTACT_KINDS or kind not in contact_options(ctx):
        await ask(ctx, draft, MarketStep.CONTACT, one=bool(ctx.data.get("one")))
        return
    set_field(ctx, draft, contact=kind)
    await after_field(ctx, draft)


@router.step(MarketStep.CONTACT, filters=[no_command])
async def contact_typed(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    await ask(ctx, draft, MarketStep.CONTACT, one=bool(ctx.data.get("one")))


@router.on(KEEP)
async def keep(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    await after_field(ctx, draft)
