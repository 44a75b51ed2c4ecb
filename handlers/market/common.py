"""Shared pieces of the marketplace: steps, limits, drafts, rendering listings for any channel, the contact
shown to buyers, publishing, and telling the moderators."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.i18n import N_, Translator, translator
from bot.text.normalise import normalise_search
from bot.text.split import is_cluster_start
from bot.types import Button, Media, Reply
from handlers.choices import country_name, craft_name
from handlers.market.actions import CANCEL, HOME
from handlers.market.search import SearchIndex
from storage.market import Listing, ListingStatus, MarketDraft, MarketPhoto, draft_of, load_photos, users_in_roles
from storage.models import Address, Role, User
from storage.users import preferred_address


class MarketStep(StrEnum):
    NAME = "market.name"
    DESCRIPTION = "market.description"
    PRICE = "market.price"
    CATEGORY = "market.category"
    PHOTOS = "market.photos"
    LOCATION = "market.location"
    CONTACT = "market.contact"
    PREVIEW = "market.preview"
    SEARCH = "market.search"
    RELAY = "market.relay"
    REJECT = "market.reject"


# The fields of a listing, in the order they are asked, with the step that asks each.
FIELD_STEPS: dict[str, MarketStep] = {
    "name": MarketStep.NAME,
    "description": MarketStep.DESCRIPTION,
    "price": MarketStep.PRICE,
    "category": MarketStep.CATEGORY,
    "photos": MarketStep.PHOTOS,
    "location": MarketStep.LOCATION,
    "contact": MarketStep.CONTACT,
}
FIELD_LABELS = {
    "name": N_("Name"), "description": N_("Description"), "price": N_("Price"), "category": N_("Category"),
    "photos": N_("Photos"), "location": N_("Place"), "contact": N_("Contact"),
}

NAME_MAX = 80
DESCRIPTION_MAX = 500
LOCATION_MAX = 120
RELAY_MAX = 1000
REASON_MAX = 300
MAX_PHOTOS = 3
PAGE = 3
REMIND_BEFORE_DAYS = 3

REPORT_REASONS = {
    "wildlife": N_("Wildlife products"),
    "heritage": N_("Counterfeit heritage object"),
    "illegal": N_("Prohibited or illegal goods"),
    "scam": N_("Scam or fraud"),
    "offensive": N_("Offensive content"),
    "other": N_("Something else"),
}
CONTACT_KINDS = ("telegram", "whatsapp", "relay")
STATUS_LABELS = {
    "pending": N_("waiting for review"), "active": N_("in the marketplace"), "rejected": N_("not accepted"),
    "sold": N_("sold"), "expired": N_("expired"), "deleted": N_("deleted"), "hidden": N_("hidden by a moderator"),
}

MODERATORS = (Role.TRAINER, Role.ADMIN)


def no_command(ctx: Context) -> bool:
    return ctx.msg.command is None


def is_moderator(ctx: Context) -> bool:
    return ctx.user.role in MODERATORS


def cancel_button(ctx: Context) -> Button:
    return Button(ctx._("Cancel"), CANCEL.encode())


def home_button(ctx: Context) -> Button:
    return Button(ctx._("Marketplace"), HOME.encode())


def t_for(user: User) -> Translator:
    return translator(user.language, user.timezone)


def channel_of(user: User) -> str | None:
    address = preferred_address(user)
    return address.channel if address is not None else None


def province_key(province: str | None) -> str | None:
    return normalise_search(province) if province else None


def province_code(key: str) -> str:
    """A short stable code for a province, for button payloads (names may be long in Lao script)."""
    return format(zlib.crc32(key.encode()), "08x")


def split_place(text: str) -> str:
    """The province in "village, district, province": the last part."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return parts[-1] if parts else text.strip()


def contact_address(addresses: list[Address], kind: str) -> str | None:
    """What buyers are shown for a seller's chosen contact: a Telegram @username or a WhatsApp number."""
    for address in addresses:
        if kind == "telegram" and address.channel == "telegram" and address.username:
            return "@" + address.username
        if kind == "whatsapp" and address.channel == "whatsapp":
            return address.address.split(":", 1)[1]
    return None


def publish(ctx: Context, listing: Listing) -> None:
    """Put a listing in the marketplace (approved by a moderator, or auto-approved) for the configured days."""
    publish_at(listing, ctx.now, ctx.deps.settings.listing_days)


def publish_at(listing: Listing, now: datetime, days: int) -> None:
    """``publish`` outside a chat turn (a console page)."""
    if listing.approved_at is None:
        listing.created_at = now  # "newest first" counts from publication
    listing.status = ListingStatus.ACTIVE
    listing.approved_at = now
    listing.expires_at = now + timedelta(days=days)
    listing.reminded_at = None
    listing.updated_at = now


# --- search text --------------------------------------------------------------------------------


def search_text(name: str, description: str, location: str) -> str:
    """What search reads (the category's names are added by the index from the category code)."""
    return normalise_search(" ".join((name, description, location)))


def search_index(ctx_or_extras: Context | dict[str, Any]) -> SearchIndex:
    extras = ctx_or_extras.deps.extras if isinstance(ctx_or_extras, Context) else ctx_or_extras
    index = extras.get("market_search")
    if not isinstance(index, SearchIndex):
        index = extras["market_search"] = SearchIndex()
    return index


# --- drafts -------------------------------------------------------------------------------------


async def get_draft(ctx: Context) -> MarketDraft | None:
    return await draft_of(ctx.session, ctx.user.id)


def set_field(ctx: Context, draft: MarketDraft, **values: Any) -> None:
    data = dict(draft.data or {})
    data.update(values)
    draft.data = data
    draft.updated_at = ctx.now


def missing_fields(data: dict[str, Any]) -> list[str]:
    """Fields still to ask; photos count as given when skipped in the terminal chat (``no_photos``)."""
    return [f for f in FIELD_STEPS if not data.get(f) and not (f == "photos" and data.get("no_photos"))]


# --- photos -------------------------------------------------------------------------------------


def photo_media(photo: MarketPhoto, channel: str | None) -> Media | None:
    """How to show a photo on a channel: Telegram re-uses its own file_id, everyone else our copy."""
    if channel == "telegram" and photo.channel == "telegram" and photo.file_id:
        return Media("photo", file_id=photo.file_id, key=photo.key)  # our copy, if made: for the data saver
    if photo.key:
        return Media("photo", key=photo.key)
    return None


# --- rendering ----------------------------------------------------------------------------------


def price_text(t: Translator, amount: str, currency: str) -> str:
    return t.price(Decimal(amount), currency)


def card_text(t: Translator, *, price: str, currency: str, category: str, location: str, country: str | None,
              description: str) -> str:
    place = location + (f" ({country_name(country, t)})" if country and country_name(country, t) not in location
                        else "")
    return (f"{price_text(t, price, currency)} · {craft_name(category, t)}\n"
            f"📍 {place}\n\n{description}")


def name_label(name: str, limit: int = 30) -> str:
    """A listing's name as a button label: no number of its own (the terminal and WhatsApp number every
    button, "[1] 1. Silk scarf" read twice), at most ``limit`` characters, cut between whole character
    clusters (never inside a Khmer or Lao syllable) with "…" when cut."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    cut = limit - 1
    while cut > 1 and not is_cluster_start(name, cut):
        cut -= 1
    return name[:cut].rstrip() + "…"


def listing_card(t: Translator, listing: Listing) -> str:
    return card_text(t, price=listing.price, currency=listing.currency, category=listing.category,
                     location=listing.location, country=listing.country, description=listing.description)


async def listing_replies(session: AsyncSession, t: Translator, listing: Listing, channel: str | None, *,
                          all_photos: bool = False, extra: str = "", buttons: tuple[tuple[Button, ...], ...] = (),
                          kind: str = "reply") -> list[Reply]:
    """A listing as messages: the card (first photo, text) and, if asked, the other photos."""
    photos = [m for p in await load_photos(session, listing.photos or []) if (m := photo_media(p, channel))]
    text = listing_card(t, listing) + (f"\n\n{extra}" if extra else "")
    replies = [Reply(text=text, photo=photos[0] if photos else None, title=listing.name, kind=kind,
                     buttons=buttons if not (all_photos and len(photos) > 1) else ())]
    if all_photos and len(photos) > 1:
        replies += [Reply(text="", photo=m, kind=kind) for m in photos[1:-1]]
        replies.append(Reply(text="", photo=photos[-1], kind=kind, buttons=buttons))
    return replies


async def moderators(session: AsyncSession) -> list[User]:
    return await users_in_roles(session, MODERATORS)


async def send_to_moderators(ctx: Context, listing: Listing, note: str, note_values: dict[str, str],
                             buttons_for: Any) -> int:
    """Each moderator gets the listing in their language, with ``buttons_for(t)`` under it."""
    count = 0
    for mod in await moderators(ctx.session):
        t = t_for(mod)
        text = t.gettext(note, **{k: t.gettext(v) if k == "reason" else v for k, v in note_values.items()})
        for reply in await listing_replies(ctx.session, t, listing, channel_of(mod), all_photos=True,
                                           extra=text, buttons=buttons_for(t), kind="moderation"):
            ctx.send(mod, reply)
        count += 1
    return count
