"""The posting conversation's moving parts (no routes of its own): asking for each field of the draft, the
buttons under each question, the photo step's prompts and checks, and the preview the seller confirms.

The routes that use them are in ``post`` (the fields), ``confirm`` (edit, cancel, publish) and ``mine``
(editing a published listing).
"""

from __future__ import annotations

from bot.context import Context
from bot.media import MediaRejected, MediaStore
from bot.prices import example_price as price_example
from bot.types import Button, Media, rows
from handlers.choices import COUNTRY_CURRENCY, CRAFTS, craft_name
from handlers.market.actions import CATEGORY, CONFIRM, CONTACT_KIND, EDIT, KEEP, PHOTOS_DONE, PHOTOS_SKIP
from handlers.market.common import (
    DESCRIPTION_MAX,
    FIELD_STEPS,
    NAME_MAX,
    MarketStep,
    cancel_button,
    card_text,
    contact_address,
    get_draft,
    home_button,
    missing_fields,
    photo_media,
)
from storage.market import MarketDraft, load_photos


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


# --- asking for the fields ----------------------------------------------------------------------


async def start_new(ctx: Context, draft: MarketDraft | None) -> None:
    if draft is None:
        draft = MarketDraft(user_id=ctx.user.id, data={}, updated_at=ctx.now)
        ctx.session.add(draft)
    draft.listing_id = None
    draft.data = {}
    draft.updated_at = ctx.now
    ctx.reply(ctx._("Let's put your product in the marketplace. You can leave at any time: your draft is kept."))
    await ask(ctx, draft, MarketStep.NAME)


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
        buttons = rows(*(Button(craft_name(code, ctx.t), CATEGORY.encode(code)) for code in CRAFTS), width=2)
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
        buttons = rows(*(Button(label, CONTACT_KIND.encode(kind)) for kind, label in options.items()))
        ctx.reply(ctx._("How should buyers reach you? Only what you choose is shown."), buttons + tail)


def step_buttons(ctx: Context, draft: MarketDraft, step: MarketStep | str | None = None
                 ) -> tuple[tuple[Button, ...], ...]:
    """The buttons under a field's question: "Keep as it is" (when the field has a value) and Cancel.
    Error replies repeat them, so a typed "1" still presses a button instead of becoming the field's text."""
    step = str(step or ctx.step or "")
    field = step.split(".")[1] if "." in step else ""
    keep = (Button(ctx._("Keep as it is"), KEEP.encode()),) if draft.data.get(field) else ()
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


# --- the photo step -----------------------------------------------------------------------------


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
    done = (Button(ctx._("Keep as it is") if keep else ctx._("Done"), PHOTOS_DONE.encode()),) if photos else ()
    skip = (Button(ctx._("Skip photos (terminal preview)"), PHOTOS_SKIP.encode()),) \
        if ctx.msg.channel == "terminal" and not photos else ()
    return rows(*done, *skip, cancel_button(ctx), width=2)


# --- the preview --------------------------------------------------------------------------------


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
              rows(Button(label, CONFIRM.encode()), Button(ctx._("Edit"), EDIT.encode()), cancel_button(ctx),
                   width=2))


def contact_line(ctx: Context, kind: str) -> str:
    value = contact_address(list(ctx.user.addresses), kind)
    if kind == "telegram" and value:
        return ctx._("Contact: Telegram {username}", username=value)
    if kind == "whatsapp" and value:
        return ctx._("Contact: WhatsApp {number}", number=value)
    return ctx._("Contact: messages through the bot (your number stays private)")
