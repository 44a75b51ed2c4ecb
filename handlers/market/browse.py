"""Browsing, searching, contacting sellers (directly or through the relay) and reporting listings.

Payloads: ``market:home``, ``market:cats``, ``market:places``, ``market:pl:<CC>``,
``market:b:<category|->:<CC|->:<offset>``, ``market:bp:<CC>:<province code>:<offset>``, ``market:search``,
``market:sm:<offset>``, ``market:v:<id>``, ``market:c:<id>``, ``market:r:<relay id>``,
``market:rep:<id>[:<reason>]``; for moderators ``/pending``, ``market:queue:<offset>`` (listings waiting
for review) and ``market:qrep:<offset>`` (reported listings still in the marketplace).
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from bot.context import Context
from bot.i18n import N_, normalise_text
from bot.router import Command, Router, Words
from bot.types import Button, Reply, rows
from handlers.choices import COUNTRIES, CRAFTS, country_name, craft_name
from handlers.market.common import (
    MODERATORS,
    PAGE,
    RELAY_MAX,
    REPORT_REASONS,
    MarketStep,
    home_button,
    listing_replies,
    no_command,
    province_code,
    search_index,
    send_to_moderators,
    t_for,
)
from handlers.market.post import contact_address
from storage.market import Listing, ListingReport, ListingStatus, Relay
from storage.models import User

router = Router("market.browse")


def is_moderator(ctx: Context) -> bool:
    return ctx.user.role in MODERATORS


@router.on(Command("market"))
@router.on(Words(N_("marketplace"), N_("market")))
@router.button("market:home")
async def home(ctx: Context) -> None:
    ctx.goto(None)
    review: tuple[Button, ...] = ()
    if is_moderator(ctx):
        waiting = await count_pending(ctx) + len(await reported(ctx))
        review = (Button(ctx._("To review ({n})", n=ctx.t.number(waiting)), "market:queue:0"),)
    buttons = rows(
        Button(ctx._("Search"), "market:search"), Button(ctx._("By category"), "market:cats"),
        Button(ctx._("By place"), "market:places"), Button(ctx._("Newest"), "market:b:-:-:0"),
        Button(ctx._("Post a listing"), "market:post"), Button(ctx._("My listings"), "market:mine"),
        *review, Button(ctx._("Main menu"), "menu:home"), width=2,
    )
    ctx.reply(ctx._("Handmade work from artisans across Southeast Asia. Browse, search, or sell your own."),
              buttons, title=ctx._("Marketplace"))


def active() -> Select[Listing]:
    return select(Listing).where(Listing.status == ListingStatus.ACTIVE)


@router.button("market:cats")
async def categories(ctx: Context) -> None:
    counts: dict[str | None, int] = {k: n for k, n in (await ctx.session.execute(
        select(Listing.category, func.count()).where(Listing.status == ListingStatus.ACTIVE)
        .group_by(Listing.category))).all()}
    buttons = rows(*(Button(f"{craft_name(code, ctx.t)} ({counts.get(code, 0)})"[:40], f"market:b:{code}:-:0")
                     for code in CRAFTS), width=2)
    ctx.reply(ctx._("Which category?"), buttons + rows(home_button(ctx)))


@router.button("market:places")
async def places(ctx: Context) -> None:
    counts: dict[str | None, int] = {k: n for k, n in (await ctx.session.execute(
        select(Listing.country, func.count()).where(Listing.status == ListingStatus.ACTIVE)
        .group_by(Listing.country))).all()}
    codes = [c for c in COUNTRIES if counts.get(c)]
    if not codes:
        ctx.reply(ctx._("There are no listings yet."), rows(home_button(ctx)))
        return
    buttons = rows(*(Button(f"{country_name(c, ctx.t)} ({counts[c]})"[:40], f"market:pl:{c}") for c in codes),
                   width=2)
    ctx.reply(ctx._("Which country?"), buttons + rows(home_button(ctx)))


async def province_names(ctx: Context, country: str) -> list[tuple[str, str, int]]:
    """(display name, key, count) of provinces with listings in a country, most listings first."""
    result = await ctx.session.execute(
        select(Listing.province_key, func.min(Listing.province), func.count())
        .where(Listing.status == ListingStatus.ACTIVE, Listing.country == country, Listing.province_key.is_not(None))
        .group_by(Listing.province_key).order_by(func.count().desc()).limit(30))
    return [(name or key, key, n) for key, name, n in result.all() if key]


@router.button("market:pl")
async def provinces(ctx: Context) -> None:
    country = ctx.payload_parts[-1]
    if country not in COUNTRIES:
        await places(ctx)
        return
    found = await province_names(ctx, country)
    buttons = [Button(ctx._("All of {country}", country=country_name(country, ctx.t))[:40], f"market:b:-:{country}:0")]
    buttons += [Button(f"{name} ({n})"[:40], f"market:bp:{country}:{province_code(key)}:0")
                for name, key, n in found[:9]]
    ctx.reply(ctx._("Which province?"), rows(*buttons, width=2) + rows(home_button(ctx)))


@router.button("market:b")
async def browse(ctx: Context) -> None:
    parts = ctx.payload_parts
    if len(parts) != 5 or not parts[4].isdigit():
        await home(ctx)
        return
    category, country, offset = parts[2], parts[3], int(parts[4])
    query = active()
    heading = ctx._("Newest listings")
    if category != "-":
        query = query.where(Listing.category == category)
        heading = craft_name(category, ctx.t)
    if country != "-":
        query = query.where(Listing.country == country)
        heading = country_name(country, ctx.t) if category == "-" else f"{heading} · {country_name(country, ctx.t)}"
    await show_page(ctx, query, offset, f"market:b:{category}:{country}", heading)


@router.button("market:bp")
async def browse_province(ctx: Context) -> None:
    parts = ctx.payload_parts
    if len(parts) != 5 or not parts[4].isdigit():
        await home(ctx)
        return
    country, code, offset = parts[2], parts[3], int(parts[4])
    match = next(((name, key) for name, key, _ in await province_names(ctx, country) if province_code(key) == code),
                 None)
    if match is None:
        ctx.reply(ctx._("There are no listings there any more."), rows(home_button(ctx)))
        return
    query = active().where(Listing.country == country, Listing.province_key == match[1])
    await show_page(ctx, query, offset, f"market:bp:{country}:{code}", match[0])


async def show_page(ctx: Context, query: Select[Listing], offset: int, more_prefix: str, heading: str) -> None:
    total = (await ctx.session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    page_query = query.order_by(Listing.created_at.desc(), Listing.id.desc()).offset(offset).limit(PAGE)
    listings = list((await ctx.session.scalars(page_query)).all())
    await render_page(ctx, listings, offset, total, f"{more_prefix}:{offset + PAGE}", heading)


async def render_page(ctx: Context, listings: list[Listing], offset: int, total: int, more: str | None,
                      heading: str) -> None:
    if not listings:
        text = ctx._("No listings here yet.") if offset == 0 else ctx._("That was all.")
        ctx.reply(text, rows(Button(ctx._("Search"), "market:search"), home_button(ctx), width=2), title=heading)
        return
    for listing in listings:
        ctx.replies.extend(await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel))
    buttons = [Button(f"{offset + i}. {listing.name}"[:30], f"market:v:{listing.id}")
               for i, listing in enumerate(listings, 1)]
    if more is not None and offset + len(listings) < total:
        buttons.append(Button(ctx._("More"), more))
    buttons.append(home_button(ctx))
    ctx.reply(ctx._("{first}–{last} of {total}. Choose one to see more or contact the seller.",
                    first=offset + 1, last=offset + len(listings), total=total), rows(*buttons), title=heading)


# --- search -------------------------------------------------------------------------------------


@router.button("market:search")
async def ask_search(ctx: Context) -> None:
    ctx.goto(MarketStep.SEARCH)
    ctx.reply(ctx._("What are you looking for? Type a few words in any language, e.g. “silk scarf”."),
              rows(home_button(ctx)))


@router.command("search")
async def search_command(ctx: Context) -> None:
    if not ctx.msg.command_args.strip():
        await ask_search(ctx)
        return
    await run_search(ctx, ctx.msg.command_args)


@router.step(MarketStep.SEARCH, filters=[no_command])
async def got_search(ctx: Context) -> None:
    if not ctx.msg.text.strip():
        await ask_search(ctx)
        return
    await run_search(ctx, ctx.msg.text)


async def run_search(ctx: Context, text: str) -> None:
    query = " ".join(normalise_text(text).split())[:200]
    index = search_index(ctx)
    await index.refresh(ctx.session)
    ids = index.search(query, limit=60)
    ctx.goto(MarketStep.SEARCH, q=query, results=ids)
    await search_page(ctx, ids, 0, query)


async def search_page(ctx: Context, ids: list[int], offset: int, query: str) -> None:
    chunk = ids[offset : offset + PAGE]
    found = {lst.id: lst for lst in (await ctx.session.scalars(active().where(Listing.id.in_(chunk)))).all()}
    listings = [found[i] for i in chunk if i in found]
    heading = ctx._("Results for “{query}”", query=query)
    if not ids:
        ctx.reply(ctx._("Nothing found for “{query}”. Try other words, or browse by category.", query=query),
                  rows(Button(ctx._("By category"), "market:cats"), home_button(ctx), width=2))
        return
    await render_page(ctx, listings, offset, len(ids), f"market:sm:{offset + PAGE}", heading)
    ctx.replies[-1] = Reply(ctx.replies[-1].text + "\n" + ctx._("Or type another search."),
                            ctx.replies[-1].buttons, title=ctx.replies[-1].title)


@router.button("market:sm")
async def search_more(ctx: Context) -> None:
    part = ctx.payload_parts[-1]
    ids = [int(i) for i in ctx.data.get("results") or []]
    if ctx.step != MarketStep.SEARCH or not ids or not part.isdigit():
        await ask_search(ctx)
        return
    await search_page(ctx, ids, int(part), str(ctx.data.get("q") or ""))


# --- one listing, contact, relay ----------------------------------------------------------------


async def visible_listing(ctx: Context, part: str) -> Listing | None:
    listing = await ctx.session.get(Listing, int(part)) if part.isdigit() else None
    allowed = listing is not None and (listing.status == ListingStatus.ACTIVE or listing.seller_id == ctx.user.id
                                       or ctx.user.role in ("trainer", "admin"))
    if listing is None or not allowed:
        ctx.reply(ctx._("Sorry, that listing is no longer available."), rows(home_button(ctx)))
        return None
    return listing


@router.button("market:v")
async def view(ctx: Context) -> None:
    if (listing := await visible_listing(ctx, ctx.payload_parts[-1])) is None:
        return
    seller = await ctx.session.get(User, listing.seller_id)
    extra = ctx._("Seller: {name}", name=seller.name if seller and seller.name else "?")
    buttons = rows(Button(ctx._("Contact the seller"), f"market:c:{listing.id}"),
                   Button(ctx._("Report"), f"market:rep:{listing.id}"), home_button(ctx), width=2)
    ctx.replies.extend(await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel, all_photos=True,
                                             extra=extra, buttons=buttons))


@router.button("market:c")
async def contact(ctx: Context) -> None:
    if (listing := await visible_listing(ctx, ctx.payload_parts[-1])) is None:
        return
    if listing.seller_id == ctx.user.id:
        ctx.reply(ctx._("This is your own listing."), rows(home_button(ctx)))
        return
    seller = await ctx.session.get(User, listing.seller_id)
    if seller is None:
        ctx.reply(ctx._("Sorry, that listing is no longer available."), rows(home_button(ctx)))
        return
    value = contact_address(list(seller.addresses), listing.contact) if listing.contact != "relay" else None
    back = rows(Button(ctx._("Back to the listing"), f"market:v:{listing.id}"), home_button(ctx), width=2)
    if listing.contact == "telegram" and value:
        ctx.reply(ctx._("Write to the seller on Telegram: {username} (https://t.me/{handle})", username=value,
                        handle=value.lstrip("@")), back)
        return
    if listing.contact == "whatsapp" and value:
        ctx.reply(ctx._("Write to the seller on WhatsApp: {number} (https://wa.me/{digits})", number=value,
                        digits=value.lstrip("+")), back)
        return
    relay = (await ctx.session.scalars(select(Relay).where(Relay.listing_id == listing.id,
                                                           Relay.buyer_id == ctx.user.id))).first()
    if relay is None:
        relay = Relay(listing_id=listing.id, buyer_id=ctx.user.id, seller_id=listing.seller_id, messages=0,
                      created_at=ctx.now, last_at=ctx.now)
        ctx.session.add(relay)
        await ctx.session.flush()
    ctx.goto(MarketStep.RELAY, relay=relay.id)
    ctx.reply(ctx._("Type your message to the seller of “{name}”. I will pass it on; neither of you sees the "
                    "other's number, and the answer comes here.", name=listing.name), back)


@router.button("market:r")
async def reply_in_relay(ctx: Context) -> None:
    part = ctx.payload_parts[-1]
    relay = await ctx.session.get(Relay, int(part)) if part.isdigit() else None
    if relay is None or ctx.user.id not in (relay.buyer_id, relay.seller_id):
        ctx.reply(ctx._("That conversation is no longer available."), rows(home_button(ctx)))
        return
    ctx.goto(MarketStep.RELAY, relay=relay.id)
    ctx.reply(ctx._("Type your answer."), rows(home_button(ctx)))


@router.step(MarketStep.RELAY, filters=[no_command])
async def relay_message(ctx: Context) -> None:
    relay = await ctx.session.get(Relay, int(ctx.data.get("relay") or 0))
    if relay is None or ctx.user.id not in (relay.buyer_id, relay.seller_id):
        ctx.goto(None)
        ctx.reply(ctx._("That conversation is no longer available."), rows(home_button(ctx)))
        return
    text = normalise_text(ctx.msg.text).strip()
    if ctx.msg.media or not text:
        ctx.reply(ctx._("Only text messages can be passed on. Please type your message."))
        return
    if len(text) > RELAY_MAX:
        ctx.reply(ctx._("Please keep it under {max} characters.", max=ctx.t.number(RELAY_MAX)))
        return
    listing = await ctx.session.get(Listing, relay.listing_id)
    to_seller = ctx.user.id == relay.buyer_id
    other = await ctx.session.get(User, relay.seller_id if to_seller else relay.buyer_id)
    if other is None or listing is None:
        ctx.goto(None)
        ctx.reply(ctx._("That conversation is no longer available."), rows(home_button(ctx)))
        return
    t = t_for(other)
    if to_seller:
        head = t.gettext("💬 {name} asks about your listing “{listing}”:", name=ctx.user.name or "?",
                         listing=listing.name)
    else:
        head = t.gettext("💬 The seller of “{listing}” answers:", listing=listing.name)
    sent = ctx.send(other, Reply(text=f"{head}\n\n{text}", kind="relay",
                                 buttons=rows(Button(t.gettext("Reply"), f"market:r:{relay.id}"))))
    ctx.goto(None)
    if not sent:
        ctx.reply(ctx._("Sorry, they can't be reached right now."), rows(home_button(ctx)))
        return
    relay.messages += 1
    relay.last_at = ctx.now
    ctx.reply(ctx._("Sent. The answer will come here."), rows(home_button(ctx)))


# --- reports ------------------------------------------------------------------------------------


@router.button("market:rep")
async def report(ctx: Context) -> None:
    parts = ctx.payload_parts
    if (listing := await visible_listing(ctx, parts[2] if len(parts) > 2 else "")) is None:
        return
    if len(parts) < 4 or parts[3] not in REPORT_REASONS:
        buttons = rows(*(Button(ctx._(label), f"market:rep:{listing.id}:{code}")
                         for code, label in REPORT_REASONS.items()), width=2)
        ctx.reply(ctx._("What is wrong with “{name}”?", name=listing.name),
                  buttons + rows(Button(ctx._("Back"), f"market:v:{listing.id}")))
        return
    reason = parts[3]
    already = (await ctx.session.scalars(select(ListingReport).where(
        ListingReport.listing_id == listing.id, ListingReport.reporter_id == ctx.user.id))).first()
    ctx.reply(ctx._("Thank you. A moderator will look at it."), rows(home_button(ctx)))
    if already is not None:
        return
    ctx.session.add(ListingReport(listing_id=listing.id, reporter_id=ctx.user.id, reason=reason, created_at=ctx.now))
    await send_to_moderators(
        ctx, listing, N_("⚠️ Reported: {reason}."), {"reason": REPORT_REASONS[reason]},
        lambda t: rows(Button(t.gettext("Take it down"), f"market:mod:no:{listing.id}"),
                       Button(t.gettext("Keep it"), f"market:mod:keep:{listing.id}"), width=2),
    )



# --- the moderation queue -----------------------------------------------------------------------
# A listing sent while nobody was a moderator (or before someone became one) was never shown to
# anyone: the queue lists everything waiting, oldest first, whenever a moderator asks.


def pending() -> Select[Listing]:
    return select(Listing).where(Listing.status == ListingStatus.PENDING)


async def count_pending(ctx: Context) -> int:
    return int((await ctx.session.execute(select(func.count()).select_from(pending().subquery()))).scalar_one())


async def reported(ctx: Context) -> list[tuple[int, int, list[str]]]:
    """(listing id, number of reports, reasons) of reported listings still in the marketplace, oldest report
    first. "Keep it" clears a listing's reports; "Take it down" takes it out of the marketplace."""
    result = await ctx.session.execute(
        select(ListingReport.listing_id, ListingReport.reason, ListingReport.created_at)
        .join(Listing, Listing.id == ListingReport.listing_id).where(Listing.status == ListingStatus.ACTIVE)
        .order_by(ListingReport.created_at, ListingReport.id))
    found: dict[int, tuple[int, list[str]]] = {}
    for listing_id, reason, _ in result.all():
        count, reasons = found.get(listing_id, (0, []))
        found[listing_id] = (count + 1, reasons if reason in reasons else [*reasons, reason])
    return [(listing_id, count, reasons) for listing_id, (count, reasons) in found.items()]


def offset_of(ctx: Context) -> int:
    part = ctx.payload_parts[-1] if ctx.msg.payload else ""
    return int(part) if part.isdigit() else 0


async def seller_name(ctx: Context, listing: Listing) -> str:
    seller = await ctx.session.get(User, listing.seller_id)
    return seller.name if seller is not None and seller.name else "?"


@router.on(Command("pending"), is_moderator)
@router.button("market:queue", filters=[is_moderator])
async def queue(ctx: Context) -> None:
    """Listings waiting for review, a page at a time, each with Approve / Reject."""
    ctx.goto(None)
    offset = offset_of(ctx)
    total = await count_pending(ctx)
    reports = len(await reported(ctx))
    page_query = pending().order_by(Listing.updated_at, Listing.id).offset(offset).limit(PAGE)
    listings = list((await ctx.session.scalars(page_query)).all())
    tail = []
    if reports:
        tail.append(Button(ctx._("Reports ({n})", n=ctx.t.number(reports)), "market:qrep:0"))
    tail.append(home_button(ctx))
    if not listings:
        text = ctx._("No listings are waiting for review.") if offset == 0 or not total else ctx._("That was all.")
        if reports:
            text += "\n" + ctx.ngettext("{n} reported listing is waiting for review.",
                                         "{n} reported listings are waiting for review.", reports)
        ctx.reply(text, rows(*tail, width=2), title=ctx._("To review"))
        return
    buttons = []
    for number, listing in enumerate(listings, offset + 1):
        note = ctx._("#{number} · from {seller}, sent {date}", number=number, seller=await seller_name(ctx, listing),
                     date=ctx.t.datetime(listing.updated_at, "medium"))
        ctx.replies.extend(await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel, extra=note))
        buttons += [Button(ctx._("Approve #{number}", number=number), f"market:mod:ok:{listing.id}"),
                    Button(ctx._("Reject #{number}", number=number), f"market:mod:no:{listing.id}")]
    more = [Button(ctx._("More"), f"market:queue:{offset + PAGE}")] if offset + len(listings) < total else []
    text = ctx._("{first}–{last} of {total} listings waiting for review.", first=offset + 1,
                 last=offset + len(listings), total=total)
    if reports:
        text += "\n" + ctx.ngettext("{n} reported listing is waiting for review.",
                                     "{n} reported listings are waiting for review.", reports)
    ctx.reply(text, rows(*buttons, *more, *tail, width=2), title=ctx._("To review"))


@router.button("market:qrep", filters=[is_moderator])
async def queue_reports(ctx: Context) -> None:
    """Reported listings still in the marketplace, each with Take it down / Keep it."""
    ctx.goto(None)
    offset = offset_of(ctx)
    found = await reported(ctx)
    chunk = found[offset : offset + PAGE]
    listings = {lst.id: lst for lst in (await ctx.session.scalars(
        select(Listing).where(Listing.id.in_([listing_id for listing_id, _, _ in chunk])))).all()}
    back = [Button(ctx._("Listings to review"), "market:queue:0"), home_button(ctx)]
    if not chunk:
        ctx.reply(ctx._("No reports are waiting for review."), rows(*back, width=2), title=ctx._("Reports"))
        return
    buttons = []
    for number, (listing_id, count, reasons) in enumerate(chunk, offset + 1):
        listing = listings[listing_id]
        note = ctx.ngettext("#{number} · reported {n} time: {reasons}", "#{number} · reported {n} times: {reasons}",
                            count, number=number, reasons=", ".join(ctx._(REPORT_REASONS[r]) for r in reasons
                                                                    if r in REPORT_REASONS))
        ctx.replies.extend(await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel, extra=note))
        buttons += [Button(ctx._("Take down #{number}", number=number), f"market:mod:no:{listing.id}"),
                    Button(ctx._("Keep #{number}", number=number), f"market:mod:keep:{listing.id}")]
    more = [Button(ctx._("More"), f"market:qrep:{offset + PAGE}")] if offset + len(chunk) < len(found) else []
    ctx.reply(ctx._("{first}–{last} of {total} reported listings.", first=offset + 1, last=offset + len(chunk),
                    total=len(found)), rows(*buttons, *more, *back, width=2), title=ctx._("Reports"))


@router.on(Command("pending"))
@router.button("market:queue")
@router.button("market:qrep")
async def queue_refused(ctx: Context) -> None:
    ctx.reply(ctx._("Only moderators can do that."), rows(home_button(ctx)))
