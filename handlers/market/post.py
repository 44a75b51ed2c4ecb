"""Posting a listing as a conversation, with a draft that survives leaving; editing; "My listings".

Payloads: ``market:post``, ``market:resume``, ``market:new``, ``market:cat:<code>``, ``market:photos:done``,
``market:contact:<kind>``, ``market:keep``, ``market:confirm``, ``market:edit[:<field>]``, ``market:cancel[:yes]``,
``market:mine``, ``market:m:<id>``, ``market:me:<id>``, ``market:sold:<id>``, ``market:renew:<id>``,
``market:del:<id>[:yes]``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.context import Context
from bot.i18n import N_, normalise_text
from bot.media import MediaRejected, MediaStore
from bot.prices import CURRENCIES, parse_price
from bot.prices import example_price as price_example
from bot.router import Router
from bot.types import Button, Media, rows
from handlers.choices import COUNTRY_CURRENCY, CRAFTS, craft_name
from handlers.market.common import (
    CONTACT_KINDS,
    DESCRIPTION_MAX,
    FIELD_LABELS,
    FIELD_STEPS,
    LOCATION_MAX,
    MAX_PHOTOS,
    NAME_MAX,
    STATUS_LABELS,
    MarketStep,
    cancel_button,
    card_text,
    get_draft,
    home_button,
    listing_replies,
    load_photos,
    missing_fields,
    no_command,
    photo_media,
    province_key,
    search_text,
    send_to_moderators,
    set_field,
    split_place,
)
from storage.market import Listing, ListingStatus, MarketDraft, MarketPhoto, PhotoStatus
from storage.models import Address

router = Router("market.post")


def seller_currency(ctx: Context) -> str:
    return COUNTRY_CURRENCY.get(ctx.user.country or "", "USD")


def example_price(ctx: Context, currency: str) -> str:
    """An example price as the user's listings show prices: "40,000៛", not "40,000.00៛"."""
    return price_example(currency, ctx.t)


def contact_options(ctx: Context) -> dict[str, str]:
    """What this seller can show buyers: their Telegram username, WhatsApp number, or the relay."""
    options: dict[str, str] = {}
    for address in ctx.user.addresses:
        if address.channel == "telegram" and address.username and not address.blocked:
            options["telegram"] = ctx._("Telegram @{username}", username=address.username)
        if address.channel == "whatsapp" and not address.blocked:
            options["whatsapp"] = ctx._("WhatsApp number")
    options["relay"] = ctx._("Through the bot (private)")
    return options


def contact_address(addresses: list[Address], kind: str) -> str | None:
    for address in addresses:
        if kind == "telegram" and address.channel == "telegram" and address.username:
            return "@" + address.username
        if kind == "whatsapp" and address.channel == "whatsapp":
            return address.address.split(":", 1)[1]
    return None


# --- starting and resuming ----------------------------------------------------------------------


@router.button("market:post")
async def post(ctx: Context) -> None:
    draft = await get_draft(ctx)
    if draft is not None and draft.data:
        name = draft.data.get("name") or "…"
        text = (ctx._("You were editing “{name}”. Continue where you left off?", name=name) if draft.listing_id
                else ctx._("You have an unfinished listing “{name}”. Continue where you left off?", name=name))
        ctx.reply(text, rows(Button(ctx._("Continue"), "market:resume"), Button(ctx._("Start over"), "market:new"),
                             home_button(ctx)))
        return
    await start_new(ctx, draft)


@router.button("market:new")
async def new(ctx: Context) -> None:
    await start_new(ctx, await get_draft(ctx))


async def start_new(ctx: Context, draft: MarketDraft | None) -> None:
    if draft is None:
        draft = MarketDraft(user_id=ctx.user.id, data={}, updated_at=ctx.now)
        ctx.session.add(draft)
    draft.listing_id = None
    draft.data = {}
    draft.updated_at = ctx.now
    ctx.reply(ctx._("Let's put your product in the marketplace. You can leave at any time: your draft is kept."))
    await ask(ctx, draft, MarketStep.NAME)


@router.button("market:resume")
async def resume(ctx: Context) -> None:
    draft = await get_draft(ctx)
    if draft is None or not draft.data:
        await start_new(ctx, draft)
        return
    await ask_next(ctx, draft)


async def ask_next(ctx: Context, draft: MarketDraft) -> None:
    missing = missing_fields(draft.data)
    if missing:
        await ask(ctx, draft, FIELD_STEPS[missing[0]])
    else:
        await preview(ctx, draft)


async def ask(ctx: Context, draft: MarketDraft, step: MarketStep, *, one: bool = False) -> None:
    """Ask for one field. ``one``: editing a single field from the preview (then back to the preview)."""
    ctx.goto(step, one=one, fresh=True)
    draft.step = str(step)
    data = draft.data
    tail = step_buttons(ctx, draft, step)
    if step == MarketStep.NAME:
        ctx.reply(ctx._("What are you selling? Send the product name (at most {max} characters).", max=NAME_MAX),
                  tail)
    elif step == MarketStep.DESCRIPTION:
        ctx.reply(ctx._("Describe it in a few sentences: material, size, how it is made "
                        "(at most {max} characters).", max=DESCRIPTION_MAX), tail)
    elif step == MarketStep.PRICE:
        currency = data.get("currency") or seller_currency(ctx)
        ctx.reply(ctx._("What is the price? For example {example}. You can also write 150k, or add the currency.",
                        example=example_price(ctx, currency)), tail)
    elif step == MarketStep.CATEGORY:
        buttons = rows(*(Button(craft_name(code, ctx.t), f"market:cat:{code}") for code in CRAFTS), width=2)
        ctx.reply(ctx._("Which category is it?"), buttons + tail)
    elif step == MarketStep.PHOTOS:
        text = photo_prompt(ctx)
        if data.get("photos"):
            text += "\n" + ctx._("New photos replace the ones you sent before.")
        ctx.reply(text, done_buttons(ctx, draft, keep=bool(data.get("photos"))))
    elif step == MarketStep.LOCATION:
        ctx.reply(ctx._("Where can buyers pick it up, or where do you ship from? "
                        "Write the town and province, e.g. “Ban Xang Khong, Luang Prabang”."), tail)
    elif step == MarketStep.CONTACT:
        options = contact_options(ctx)
        buttons = rows(*(Button(label, f"market:contact:{kind}") for kind, label in options.items()))
        ctx.reply(ctx._("How should buyers reach you? Only what you choose is shown."), buttons + tail)


def step_buttons(ctx: Context, draft: MarketDraft, step: MarketStep | str | None = None
                 ) -> tuple[tuple[Button, ...], ...]:
    """The buttons under a field's question: "Keep as it is" (when the field has a value) and Cancel.
    Error replies repeat them, so a typed "1" still presses a button instead of becoming the field's text."""
    step = str(step or ctx.step or "")
    field = step.split(".")[1] if "." in step else ""
    keep = (Button(ctx._("Keep as it is"), "market:keep"),) if draft.data.get(field) else ()
    return rows(*keep, cancel_button(ctx), width=2)


def again(ctx: Context, draft: MarketDraft, text: str) -> None:
    """An error in a text step: say what is wrong, with the step's buttons kept."""
    ctx.reply(text, step_buttons(ctx, draft))


async def after_field(ctx: Context, draft: MarketDraft) -> None:
    if ctx.data.get("one") and not missing_fields(draft.data):
        await preview(ctx, draft)
    else:
        await ask_next(ctx, draft)


async def current_draft(ctx: Context) -> MarketDraft | None:
    draft = await get_draft(ctx)
    if draft is None:
        ctx.goto(None)
        ctx.reply(ctx._("That listing draft is gone. Start a new one from the marketplace."),
                  rows(home_button(ctx)))
    return draft


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


@router.button("market:cat")
async def got_category(ctx: Context) -> None:
    code = ctx.payload_parts[-1]
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


def photo_problem(ctx: Context, media: Media, store: object) -> str | None:
    """A clear message if this is not a photo we can keep; None if it is fine."""
    if media.kind != "photo":
        kinds = {"video": ctx._("a video"), "sticker": ctx._("a sticker"), "voice": ctx._("a voice message"),
                 "audio": ctx._("an audio file"), "document": ctx._("a document")}
        return ctx._("That is {what}, not a photo. Please send a photo (JPEG or PNG) of the product.",
                     what=kinds.get(media.kind, ctx._("a file")))
    if isinstance(store, MediaStore):
        try:
            store.check(media.content_type, media.size)
        except MediaRejected as exc:
            if exc.reason == "size":
                megabytes = (media.size or 0) / (1024 * 1024)
                return ctx._("That photo is too big ({size} MB). Photos can be at most 5 MB; please send a "
                             "smaller one.", size=ctx.t.number(round(megabytes, 1)))
            return ctx._("That file type can't be used. Please send a JPEG, PNG or WebP photo.")
    return None


def photo_prompt(ctx: Context) -> str:
    """What to send in the photo step, said the way each channel does it."""
    if ctx.msg.channel == "telegram":
        return ctx._("Send one to three photos of the product, one at a time: tap 📎, choose Photo or Gallery, "
                     "pick a picture and send it.")
    if ctx.msg.channel == "whatsapp":
        return ctx._("Send one to three photos of the product, one at a time: tap 📎 or the camera, choose a "
                     "picture and send it.")
    return ctx._("Photos are needed for a listing, but the terminal chat can't send pictures. Press “Skip photos” "
                 "to finish this listing without photos (a terminal preview).")


def done_buttons(ctx: Context, draft: MarketDraft, *, keep: bool = False) -> tuple[tuple[Button, ...], ...]:
    photos = draft.data.get("photos")
    done = (Button(ctx._("Keep as it is") if keep else ctx._("Done"), "market:photos:done"),) if photos else ()
    skip = (Button(ctx._("Skip photos (terminal preview)"), "market:photos:skip"),) \
        if ctx.msg.channel == "terminal" and not photos else ()
    return rows(*done, *skip, cancel_button(ctx), width=2)


@router.button("market:photos:done")
async def photos_done(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    if not draft.data.get("photos"):
        ctx.reply(ctx._("Please send at least one photo first."), done_buttons(ctx, draft))
        return
    await after_field(ctx, draft)


@router.button("market:photos:skip")
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


@router.button("market:contact")
async def got_contact(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    kind = ctx.payload_parts[-1]
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


@router.button("market:keep")
async def keep(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    await after_field(ctx, draft)


# --- preview, confirm, edit, cancel -------------------------------------------------------------


async def preview(ctx: Context, draft: MarketDraft) -> None:
    ctx.goto(MarketStep.PREVIEW)
    draft.step = str(MarketStep.PREVIEW)
    data = draft.data
    photos = [m for p in await load_photos(ctx.session, data.get("photos") or [])
              if (m := photo_media(p, ctx.msg.channel))]
    text = card_text(ctx.t, price=data["price"], currency=data["currency"], category=data["category"],
                     location=data["location"], country=ctx.user.country, description=data["description"])
    text += "\n" + contact_line(ctx, data["contact"])
    text += "\n\n" + ctx.ngettext("{n} photo", "{n} photos", len(data.get("photos") or []))
    ctx.reply(ctx._("Here is your listing as buyers will see it:"))
    ctx.reply(text, photo=photos[0] if photos else None, title=data["name"])
    label = ctx._("Save changes") if draft.listing_id else ctx._("Publish")
    ctx.reply(ctx._("Publish it, change something, or cancel?"),
              rows(Button(label, "market:confirm"), Button(ctx._("Edit"), "market:edit"), cancel_button(ctx),
                   width=2))


def contact_line(ctx: Context, kind: str) -> str:
    value = contact_address(list(ctx.user.addresses), kind)
    if kind == "telegram" and value:
        return ctx._("Contact: Telegram {username}", username=value)
    if kind == "whatsapp" and value:
        return ctx._("Contact: WhatsApp {number}", number=value)
    return ctx._("Contact: messages through the bot (your number stays private)")


@router.button("market:edit")
async def edit(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    parts = ctx.payload_parts
    if len(parts) == 3 and parts[2] in FIELD_STEPS:
        await ask(ctx, draft, FIELD_STEPS[parts[2]], one=True)
        return
    buttons = rows(*(Button(ctx._(label), f"market:edit:{f}") for f, label in FIELD_LABELS.items()), width=2)
    ctx.reply(ctx._("What would you like to change?"), buttons + rows(cancel_button(ctx)))


@router.button("market:cancel")
async def cancel(ctx: Context) -> None:
    draft = await get_draft(ctx)
    editing = draft is not None and draft.listing_id is not None
    if draft is not None and not editing and draft.data and ctx.payload_parts[-1] != "yes":
        # One stray tap (or a typed "1" on WhatsApp, where Cancel is often the only button) must not throw
        # away a half-written listing: ask first.
        ctx.reply(ctx._("Delete “{name}” for good?", name=draft.data.get("name") or "…"),
                  rows(Button(ctx._("Yes, delete"), "market:cancel:yes"), Button(ctx._("No"), "market:resume"),
                       width=2))
        return
    if draft is not None:
        await ctx.session.delete(draft)
    ctx.goto(None)
    ctx.reply(ctx._("Your changes were discarded; the listing stays as it was.") if editing
              else ctx._("The listing was discarded."), rows(home_button(ctx), Button(ctx._("Main menu"), "menu:home")))


@router.button("market:confirm")
async def confirm(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    if missing_fields(draft.data):
        await ask_next(ctx, draft)
        return
    data = draft.data
    listing: Listing | None = None
    if draft.listing_id is not None:
        listing = await ctx.session.get(Listing, draft.listing_id)
        if listing is None or listing.seller_id != ctx.user.id or listing.status == ListingStatus.DELETED:
            listing = None
    is_new = listing is None
    if listing is None:
        listing = Listing(seller_id=ctx.user.id, status=ListingStatus.PENDING, created_at=ctx.now)
        ctx.session.add(listing)
    listing.name = data["name"]
    listing.description = data["description"]
    listing.price = data["price"]
    listing.currency = data["currency"]
    listing.category = data["category"]
    listing.location = data["location"]
    listing.province = data.get("province") or split_place(data["location"])
    listing.province_key = province_key(listing.province)
    listing.country = ctx.user.country
    listing.contact = data["contact"]
    listing.photos = list(data.get("photos") or [])
    listing.search_text = search_text(listing.name, listing.description, listing.location)
    listing.updated_at = ctx.now
    listing.reject_reason = None
    await ctx.session.delete(draft)
    ctx.goto(None)
    if ctx.deps.settings.listing_auto_approve:
        if is_new or listing.status in (ListingStatus.PENDING, ListingStatus.REJECTED):
            publish(ctx, listing)
    else:
        listing.status = ListingStatus.PENDING  # new and changed listings are checked first
    await ctx.session.flush()
    if listing.status == ListingStatus.ACTIVE:
        ctx.reply(ctx._("✅ “{name}” is in the marketplace until {date}.", name=listing.name,
                        date=ctx.t.datetime(listing.expires_at or ctx.now, "medium")),
                  rows(Button(ctx._("My listings"), "market:mine"), home_button(ctx), width=2))
        return
    ctx.reply(ctx._("Thank you! “{name}” will appear in the marketplace as soon as a moderator has checked it. "
                    "I will tell you.", name=listing.name),
              rows(Button(ctx._("My listings"), "market:mine"), home_button(ctx), width=2))
    await send_to_moderators(
        ctx, listing,
        N_("New listing to check, from {seller}.") if is_new else N_("Changed listing to check, from {seller}."),
        {"seller": ctx.user.name or "?"},
        lambda t: rows(Button(t.gettext("Approve"), f"market:mod:ok:{listing.id}"),
                       Button(t.gettext("Reject"), f"market:mod:no:{listing.id}"), width=2),
    )


def publish(ctx: Context, listing: Listing) -> None:
    if listing.approved_at is None:
        listing.created_at = ctx.now  # "newest first" counts from publication
    listing.status = ListingStatus.ACTIVE
    listing.approved_at = ctx.now
    listing.expires_at = ctx.now + timedelta(days=ctx.deps.settings.listing_days)
    listing.reminded_at = None
    listing.updated_at = ctx.now


# --- my listings --------------------------------------------------------------------------------


@router.button("market:mine")
async def my_listings(ctx: Context) -> None:
    ctx.goto(None)
    query = (select(Listing).where(Listing.seller_id == ctx.user.id, Listing.status != ListingStatus.DELETED)
             .order_by(Listing.created_at.desc(), Listing.id.desc()).limit(20))
    listings = list((await ctx.session.scalars(query)).all())
    if not listings:
        ctx.reply(ctx._("You have no listings yet."),
                  rows(Button(ctx._("Post a listing"), "market:post"), home_button(ctx), width=2))
        return
    lines = []
    for listing in listings:
        line = f"• {listing.name} · {ctx.t.price(float(listing.price), listing.currency)} · " \
               f"{ctx._(STATUS_LABELS[listing.status])}"
        if listing.status == ListingStatus.ACTIVE and listing.expires_at:
            line += " " + ctx._("(until {date})", date=ctx.t.datetime(listing.expires_at, "medium"))
        lines.append(line)
    buttons = rows(*(Button(f"{i}. {lst.name}"[:30], f"market:m:{lst.id}") for i, lst in enumerate(listings, 1)))
    ctx.reply("\n".join(lines), buttons + rows(Button(ctx._("Post a listing"), "market:post"), home_button(ctx),
                                                width=2), title=ctx._("My listings"))


async def own_listing(ctx: Context) -> Listing | None:
    part = ctx.payload_parts[2] if len(ctx.payload_parts) > 2 else ""
    listing = await ctx.session.get(Listing, int(part)) if part.isdigit() else None
    if listing is None or listing.seller_id != ctx.user.id or listing.status == ListingStatus.DELETED:
        ctx.reply(ctx._("That listing is no longer available."), rows(Button(ctx._("My listings"), "market:mine")))
        return None
    return listing


@router.button("market:m")
async def manage(ctx: Context) -> None:
    if (listing := await own_listing(ctx)) is None:
        return
    status = ctx._(STATUS_LABELS[listing.status])
    if listing.status == ListingStatus.REJECTED and listing.reject_reason:
        status += " — " + listing.reject_reason
    if listing.status == ListingStatus.ACTIVE and listing.expires_at:
        status += " " + ctx._("(until {date})", date=ctx.t.datetime(listing.expires_at, "medium"))
    buttons = [Button(ctx._("Edit"), f"market:me:{listing.id}")]
    if listing.status == ListingStatus.ACTIVE:
        buttons.append(Button(ctx._("Mark as sold"), f"market:sold:{listing.id}"))
    if listing.status in (ListingStatus.ACTIVE, ListingStatus.EXPIRED):
        buttons.append(Button(ctx._("Renew"), f"market:renew:{listing.id}"))
    buttons += [Button(ctx._("Delete"), f"market:del:{listing.id}"), Button(ctx._("My listings"), "market:mine")]
    for reply in await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel,
                                       extra=ctx._("Status: {status}", status=status), buttons=rows(*buttons, width=2)):
        ctx.replies.append(reply)


@router.button("market:me")
async def edit_listing(ctx: Context) -> None:
    if (listing := await own_listing(ctx)) is None:
        return
    draft = await get_draft(ctx)
    if draft is None:
        draft = MarketDraft(user_id=ctx.user.id, data={}, updated_at=ctx.now)
        ctx.session.add(draft)
    draft.listing_id = listing.id
    draft.data = {"name": listing.name, "description": listing.description, "price": listing.price,
                  "currency": listing.currency, "category": listing.category, "photos": list(listing.photos),
                  "location": listing.location, "province": listing.province, "contact": listing.contact}
    draft.updated_at = ctx.now
    await preview(ctx, draft)


@router.button("market:sold")
async def mark_sold(ctx: Context) -> None:
    if (listing := await own_listing(ctx)) is None:
        return
    if listing.status != ListingStatus.ACTIVE:
        ctx.reply(ctx._("Only a listing in the marketplace can be marked as sold."),
                  rows(Button(ctx._("My listings"), "market:mine")))
        return
    listing.status = ListingStatus.SOLD
    listing.updated_at = ctx.now
    ctx.reply(ctx._("🎉 Congratulations! “{name}” is marked as sold and no longer shown to buyers.",
                    name=listing.name), rows(Button(ctx._("My listings"), "market:mine"), home_button(ctx), width=2))


@router.button("market:renew")
async def renew(ctx: Context) -> None:
    if (listing := await own_listing(ctx)) is None:
        return
    if listing.status not in (ListingStatus.ACTIVE, ListingStatus.EXPIRED):
        ctx.reply(ctx._("This listing can't be renewed now ({status}).", status=ctx._(STATUS_LABELS[listing.status])),
                  rows(Button(ctx._("My listings"), "market:mine")))
        return
    listing.status = ListingStatus.ACTIVE
    listing.expires_at = ctx.now + timedelta(days=ctx.deps.settings.listing_days)
    listing.reminded_at = None
    listing.updated_at = ctx.now
    ctx.reply(ctx._("“{name}” stays in the marketplace until {date}.", name=listing.name,
                    date=ctx.t.datetime(listing.expires_at, "medium")),
              rows(Button(ctx._("My listings"), "market:mine"), home_button(ctx), width=2))


@router.button("market:del")
async def delete(ctx: Context) -> None:
    if (listing := await own_listing(ctx)) is None:
        return
    if ctx.payload_parts[-1] != "yes":
        ctx.reply(ctx._("Delete “{name}” for good?", name=listing.name),
                  rows(Button(ctx._("Yes, delete"), f"market:del:{listing.id}:yes"),
                       Button(ctx._("No"), f"market:m:{listing.id}"), width=2))
        return
    listing.status = ListingStatus.DELETED
    listing.updated_at = ctx.now
    ctx.reply(ctx._("“{name}” was deleted.", name=listing.name),
              rows(Button(ctx._("My listings"), "market:mine"), home_button(ctx), width=2))
