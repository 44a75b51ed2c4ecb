"""``/admin/listings``: listing moderation in the trainer console.

- ``/admin/listings``: the listings waiting for review, oldest first, with photo thumbnails (full size on
  click), seller, price in the seller's currency, language; approve, or reject with a reason picked from
  ``moderation.REJECT_REASONS`` or typed. Below, reported listings still in the marketplace.
- ``/admin/listings/search``: live, expired and hidden listings by words or ``#id``, newest first, paged by
  key; hide and restore.
- ``/admin/listings/<id>``: one listing with all its photos and its last decision.

The decisions are the chat's (``handlers.market.moderation``): the same state change, the same message to
the seller in their language, queued through the outbox (``bot.direct.send_to``), plus who decided and one
audit row (``listing.approve|reject|hide|restore``, target ``listing:<id>``) in the same transaction.
Photos are served from the media store (thumbnails made by ``bot.console.thumbnails``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.actions import Form, back_to, field, notice, number
from bot.console.audit import audited
from bot.console.auth import CONSOLE, TRAINER, VISITOR, page
from bot.console.render import add_nav, render, texts
from bot.console.texts import TEXTS
from bot.console.thumbnails import PLACEHOLDER, Thumbnails
from bot.direct import send_to
from bot.i18n import LANGUAGES, N_, Translator
from bot.media import MediaStore
from bot.text.normalise import normalise_search
from handlers.choices import country_name, craft_name
from handlers.market.common import REASON_MAX, REPORT_REASONS, STATUS_LABELS, price_text, t_for
from handlers.market.moderation import (
    REJECT_REASONS,
    approve_listing,
    approved_notice,
    clean_reason,
    hide_listing,
    reject_listing,
    rejected_notice,
    restore_listing,
)
from storage.market import (
    LISTED,
    Listing,
    ListingStatus,
    MarketPhoto,
    count_pending,
    find_listings,
    listings_by_id,
    load_photos,
    lock_listing,
    pending_listings,
    photo_of,
    reported_listings,
    users_by_id,
)
from storage.models import User

TEXTS.update({
    "lst_menu": N_("Moderation"),
    "lst_queue": N_("Waiting for review"),
    "lst_search": N_("Live, expired and hidden"),
    "lst_reported": N_("Reported listings"),
    "lst_empty": N_("No listings are waiting for review."),
    "lst_none_found": N_("No listings match."),
    "lst_words": N_("Words or #number"),
    "lst_seller": N_("Seller"),
    "lst_place": N_("Place"),
    "lst_sent": N_("Sent"),
    "lst_until": N_("Until"),
    "lst_photo": N_("Photo"),
    "lst_no_photo": N_("No photo"),
    "lst_approve": N_("Approve"),
    "lst_reject": N_("Reject"),
    "lst_reason": N_("Reason"),
    "lst_pick_reason": N_("Pick a reason…"),
    "lst_or_type": N_("or type one (the seller reads it as written)"),
    "lst_hide": N_("Hide"),
    "lst_restore": N_("Restore"),
    "lst_hidden": N_("Hidden"),
    "lst_reports": N_("Reports"),
    "lst_decided": N_("Last decision"),
    "lst_by": N_("by {name}"),
    "lst_told": N_("The seller is told in their own language on their channel."),
    "lst_done_approved": N_("Listing #{number} is in the marketplace; the seller is told."),
    "lst_done_rejected": N_("Listing #{number} was not accepted; the seller is told why."),
    "lst_done_hidden": N_("Listing #{number} is hidden."),
    "lst_done_restored": N_("Listing #{number} is restored."),
    "lst_handled": N_("Listing #{number} was already handled by someone else: nothing was changed."),
    "lst_gone": N_("That listing is no longer there."),
    "lst_need_reason": N_("Pick or type a reason for the seller: nothing was changed."),
    "lst_reason_long": N_("The reason is too long: nothing was changed."),
})
add_nav("/listings", "lst_menu", TRAINER, 40)

QUEUE_URL = "/admin/listings"
SEARCH_URL = "/admin/listings/search"
QUEUE_SIZE = 50
PAGE_SIZE = 50
NOTICES = {
    "approved": ("lst_done_approved", False), "rejected": ("lst_done_rejected", False),
    "hidden": ("lst_done_hidden", False), "restored": ("lst_done_restored", False),
    "handled": ("lst_handled", True), "gone": ("lst_gone", True), "reason": ("lst_need_reason", True),
    "long": ("lst_reason_long", True),
}
SEARCH_STATUSES = {"active": (ListingStatus.ACTIVE,), "expired": (ListingStatus.EXPIRED,),
                   "hidden": (ListingStatus.HIDDEN,), "": LISTED}

def language_name(code: str | None) -> str:
    return LANGUAGES[code].native_name if code in LANGUAGES else "–"


async def cards(session: AsyncSession, t: Translator, listings: list[Listing],
                reports: dict[int, tuple[int, list[str]]] | None = None) -> list[dict[str, Any]]:
    """What the templates show of each listing, in the reader's language (one query for all the photos)."""
    people = await users_by_id(session, [x.seller_id for x in listings] + [x.moderator_id for x in listings])
    photos = {p.id: p for p in await load_photos(session, [i for x in listings for i in x.photos or []])}
    out = []
    for listing in listings:
        seller, moderator = people.get(listing.seller_id), people.get(listing.moderator_id or 0)
        count, reasons = (reports or {}).get(listing.id, (0, []))
        country = f" ({country_name(listing.country, t)})" if listing.country else ""
        out.append({
            "id": listing.id, "name": listing.name, "description": listing.description,
            "price": price_text(t, listing.price, listing.currency), "category": craft_name(listing.category, t),
            "place": listing.location + country, "status": listing.status,
            "status_text": t.gettext(STATUS_LABELS.get(listing.status, listing.status)),
            "seller": (seller.name if seller else None) or f"#{listing.seller_id}", "seller_id": listing.seller_id,
            "language": language_name(seller.language if seller else None),
            "photos": [{"id": i, "thumb": f"/admin/listings/photos/{i}/thumb", "full": f"/admin/listings/photos/{i}"}
                       for i in listing.photos or [] if i in photos],
            "updated_at": listing.updated_at, "expires_at": listing.expires_at,
            "moderator": (moderator.name or f"#{moderator.id}") if moderator else None,
            "moderated_at": listing.moderated_at, "reason": listing.reject_reason,
            "reports": count, "report_reasons": [t.gettext(REPORT_REASONS[r]) for r in reasons if r in REPORT_REASONS],
        })
    return out


def reason_choices(t: Translator) -> list[tuple[str, str]]:
    return [(code, t.gettext(text)) for code, text in REJECT_REASONS.items()]


@page("GET", "/listings", TRAINER)
async def queue(request: web.Request) -> web.StreamResponse:
    t = texts(request)
    async with request.app[CONSOLE].db.read() as session:
        total = await count_pending(session)
        waiting = await cards(session, t.t, await pending_listings(session, offset=0, limit=QUEUE_SIZE))
        found = await reported_listings(session)
        reported = await listings_by_id(session, [i for i, _, _ in found[:QUEUE_SIZE]])
        reports = {i: (n, reasons) for i, n, reasons in found}
        flagged = await cards(session, t.t, [reported[i] for i, _, _ in found if i in reported], reports)
    return render(request, "listings.html", view="queue", rows=waiting, flagged=flagged, total=total,
                  reasons=reason_choices(t.t), notice=notice(request, t, NOTICES), back=request.path_qs,
                  q="", state="", next_url=None, reason_max=REASON_MAX)


@page("GET", "/listings/search", TRAINER)
async def search(request: web.Request) -> web.StreamResponse:
    t = texts(request)
    q = request.query.get("q", "")[:100]
    status = request.query.get("status", "")
    statuses = SEARCH_STATUSES.get(status, LISTED)
    wanted = number(q.strip().lstrip("#")) if q.strip().startswith("#") else None
    async with request.app[CONSOLE].db.read() as session:
        found = await find_listings(session, statuses=statuses, listing_id=wanted,
                                    words=None if wanted else normalise_search(q),
                                    before_id=number(request.query.get("before")), limit=PAGE_SIZE + 1)
        rows = await cards(session, t.t, found[:PAGE_SIZE])
        total = await count_pending(session)
    query = {k: v for k, v in (("q", q), ("status", status)) if v}
    next_url = (str(request.rel_url.with_query({**query, "before": str(rows[-1]["id"])}))
                if len(found) > PAGE_SIZE else None)
    return render(request, "listings.html", view="search", rows=rows, flagged=[], total=total, reasons=[],
                  notice=notice(request, t, NOTICES), back=request.path_qs, q=q, state=status,
                  next_url=next_url, reason_max=REASON_MAX)


@page("GET", "/listings/{id}", TRAINER)
async def listing_page(request: web.Request) -> web.StreamResponse:
    t = texts(request)
    listing_id = number(request.match_info["id"])
    async with request.app[CONSOLE].db.read() as session:
        listing = await session.get(Listing, listing_id) if listing_id else None
        if listing is None or listing.status == ListingStatus.DELETED:
            raise web.HTTPSeeOther(f"{QUEUE_URL}?done=gone")
        reports = {i: (n, reasons) for i, n, reasons in await reported_listings(session) if i == listing.id}
        card = (await cards(session, t.t, [listing], reports))[0]
    return render(request, "listing.html", item=card, reasons=reason_choices(t.t), notice=notice(request, t, NOTICES),
                  back=request.path_qs, reason_max=REASON_MAX)


# --- decisions -----------------------------------------------------------------------------------------


async def _approve(request: web.Request, session: AsyncSession, listing: Listing, form: Form, moderator: int,
                   now: datetime) -> str:
    if listing.status != ListingStatus.PENDING:
        return "handled"
    approve_listing(listing, moderator, now, request.app[CONSOLE].settings.listing_days)
    seller = await session.get(User, listing.seller_id)
    if seller is not None:
        send_to(session, seller, approved_notice(seller, listing, now), now)
    await audited(request, session, "listing.approve", f"listing:{listing.id}")
    return "approved"


async def _reject(request: web.Request, session: AsyncSession, listing: Listing, form: Form, moderator: int,
                  now: datetime) -> str:
    if listing.status not in (ListingStatus.PENDING, ListingStatus.ACTIVE):
        return "handled"
    code, typed = field(form, "reason", 30), clean_reason(field(form, "text", 4 * REASON_MAX))
    if len(typed) > REASON_MAX:
        return "long"
    if not typed and code not in REJECT_REASONS:
        return "reason"
    seller = await session.get(User, listing.seller_id)
    # The seller reads a picked reason in their own language; a typed one as the moderator wrote it.
    reason = typed or (t_for(seller) if seller else texts(request).t).gettext(REJECT_REASONS[code])
    reject_listing(listing, reason, moderator, now)
    if seller is not None:
        send_to(session, seller, rejected_notice(seller, listing, reason), now)
    await audited(request, session, "listing.reject", f"listing:{listing.id}", reason=code if not typed else "typed",
                  text=reason)
    return "rejected"


async def _hide(request: web.Request, session: AsyncSession, listing: Listing, form: Form, moderator: int,
                now: datetime) -> str:
    if listing.status not in (ListingStatus.ACTIVE, ListingStatus.EXPIRED):
        return "handled"
    was = listing.status
    hide_listing(listing, moderator, now)
    await audited(request, session, "listing.hide", f"listing:{listing.id}", was=was)
    return "hidden"


async def _restore(request: web.Request, session: AsyncSession, listing: Listing, form: Form, moderator: int,
                   now: datetime) -> str:
    if listing.status != ListingStatus.HIDDEN:
        return "handled"
    restore_listing(listing, moderator, now)
    await audited(request, session, "listing.restore", f"listing:{listing.id}", now=listing.status)
    return "restored"


DECISIONS = {"approve": _approve, "reject": _reject, "hide": _hide, "restore": _restore}


async def decide(request: web.Request, verb: str) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = request[VISITOR]
    assert visitor is not None  # the guard let a trainer through
    form = await request.post()
    listing_id = number(request.match_info["id"])
    now = console.clock.now()
    async with console.db.transaction() as session:
        listing = await lock_listing(session, listing_id) if listing_id else None
        if listing is None or listing.status == ListingStatus.DELETED:
            done = "gone"
        else:
            done = await DECISIONS[verb](request, session, listing, form, visitor.user.id, now)
    raise back_to(form, QUEUE_URL, done, listing_id)


@page("POST", "/listings/{id}/approve", TRAINER)
async def approve(request: web.Request) -> web.StreamResponse:
    return await decide(request, "approve")


@page("POST", "/listings/{id}/reject", TRAINER)
async def reject(request: web.Request) -> web.StreamResponse:
    return await decide(request, "reject")


@page("POST", "/listings/{id}/hide", TRAINER)
async def hide(request: web.Request) -> web.StreamResponse:
    return await decide(request, "hide")


@page("POST", "/listings/{id}/restore", TRAINER)
async def restore(request: web.Request) -> web.StreamResponse:
    return await decide(request, "restore")


# --- photos --------------------------------------------------------------------------------------------


async def _stored_photo(request: web.Request) -> tuple[MediaStore, MarketPhoto | None]:
    console = request.app[CONSOLE]
    photo_id = number(request.match_info["id"])
    async with console.db.read() as session:
        photo = await photo_of(session, photo_id) if photo_id else None
    return MediaStore(console.settings.media_dir), photo if photo is not None and photo.key else None


def _placeholder() -> web.Response:
    return web.Response(body=PLACEHOLDER, content_type="image/svg+xml")


def _file(path: Any, content_type: str) -> web.FileResponse:
    return web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": "private, max-age=86400"})


@page("GET", "/listings/photos/{id}", TRAINER)
async def photo(request: web.Request) -> web.StreamResponse:
    """A listing's photo, full size, from our copy (a placeholder until the copy is made)."""
    store, found = await _stored_photo(request)
    path = store.path(found.key) if found is not None and found.key else None
    return _file(path, store.content_type(path.name)) if path is not None else _placeholder()


@page("GET", "/listings/photos/{id}/thumb", TRAINER)
async def thumbnail(request: web.Request) -> web.StreamResponse:
    store, found = await _stored_photo(request)
    path = await Thumbnails(store).get(found.key) if found is not None and found.key else None
    return _file(path, "image/jpeg") if path is not None else _placeholder()
