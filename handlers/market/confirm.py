"""The preview's buttons: change a field, cancel the draft (asking first), or confirm — a new or changed
listing is published at once when auto-approval is on, else sent to the moderators.

Payloads: ``market:edit[:<field>]``, ``market:cancel[:yes]``, ``market:confirm`` (see ``actions``).
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.router import Router
from bot.types import Button, rows
from handlers.market.actions import APPROVE, CANCEL, CONFIRM, EDIT, MINE, REJECT, RESUME
from handlers.market.common import (
    FIELD_LABELS,
    FIELD_STEPS,
    cancel_button,
    get_draft,
    home_button,
    missing_fields,
    province_key,
    publish,
    search_text,
    send_to_moderators,
    split_place,
)
from handlers.market.draft import ask, ask_next, current_draft
from storage.market import Listing, ListingStatus, listing_of

router = Router("market.confirm")


@router.on(EDIT)
async def edit(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    field = EDIT.arg(ctx)
    if field in FIELD_STEPS:
        await ask(ctx, draft, FIELD_STEPS[field], one=True)
        return
    buttons = rows(*(Button(ctx._(label), EDIT.encode(f)) for f, label in FIELD_LABELS.items()), width=2)
    ctx.reply(ctx._("What would you like to change?"), buttons + rows(cancel_button(ctx)))


@router.on(CANCEL)
async def cancel(ctx: Context) -> None:
    draft = await get_draft(ctx)
    editing = draft is not None and draft.listing_id is not None
    if draft is not None and not editing and draft.data and CANCEL.arg(ctx) != "yes":
        # One stray tap (or a typed "1" on WhatsApp, where Cancel is often the only button) must not throw
        # away a half-written listing: ask first.
        ctx.reply(ctx._("Delete “{name}” for good?", name=draft.data.get("name") or "…"),
                  rows(Button(ctx._("Yes, delete"), CANCEL.encode("yes")), Button(ctx._("No"), RESUME.encode()),
                       width=2))
        return
    if draft is not None:
        await ctx.session.delete(draft)
    ctx.goto(None)
    ctx.reply(ctx._("Your changes were discarded; the listing stays as it was.") if editing
              else ctx._("The listing was discarded."), rows(home_button(ctx), Button(ctx._("Main menu"), "menu:home")))


@router.on(CONFIRM)
async def confirm(ctx: Context) -> None:
    if (draft := await current_draft(ctx)) is None:
        return
    if missing_fields(draft.data):
        await ask_next(ctx, draft)
        return
    data = draft.data
    listing: Listing | None = None
    if draft.listing_id is not None:
        listing = await listing_of(ctx.session, draft.listing_id)
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
                        date=ctx.t.datetime(listing.expires_at or ctx.now)),
                  rows(Button(ctx._("My listings"), MINE.encode()), home_button(ctx), width=2))
        return
    ctx.reply(ctx._("Thank you! “{name}” will appear in the marketplace as soon as a moderator has checked it. "
                    "I will tell you.", name=listing.name),
              rows(Button(ctx._("My listings"), MINE.encode()), home_button(ctx), width=2))
    await send_to_moderators(
        ctx, listing,
        N_("New listing to check, from {seller}.") if is_new else N_("Changed listing to check, from {seller}."),
        {"seller": ctx.user.name or "?"},
        lambda t: rows(Button(t.gettext("Approve"), APPROVE.encode(listing.id)),
                       Button(t.gettext("Reject"), REJECT.encode(listing.id)), width=2),
    )
