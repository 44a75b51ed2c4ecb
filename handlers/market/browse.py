"""Browsing the marketplace: its home, by category, by country and province, newest first, a page at a time;
and the search conversation (the index itself is ``search``).

Payloads: ``market:home``, ``market:cats``, ``market:places``, ``market:pl:<CC>``,
``market:b:<category|->:<CC|->:<offset>``, ``market:bp:<CC>:<province code>:<offset>``, ``market:search``,
``market:sm:<offset>`` (see ``actions``). One listing, contact and relay are in ``contact``, reports in
``reports``, the moderators' queue in ``queue``.
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.router import Command, Router, Words
from bot.text.normalise import normalise_text
from bot.types import Button, Reply, rows
from handlers.choices import COUNTRIES, CRAFTS, country_name, craft_name
from handlers.market.actions import (
    BROWSE,
    BROWSE_PROVINCE,
    CATEGORIES,
    COUNTRY,
    HOME,
    MINE,
    PLACES,
    POST,
    QUEUE,
    SEARCH,
    SEARCH_MORE,
    VIEW,
)
from handlers.market.common import (
    PAGE,
    MarketStep,
    home_button,
    is_moderator,
    listing_replies,
    name_label,
    no_command,
    province_code,
    search_index,
)
from storage.market import (
    Listing,
    count_pending,
    open_counts_by_category,
    open_counts_by_country,
    open_listings,
    open_listings_by_id,
    open_provinces,
    reported_listings,
)

router = Router("market.browse")


@router.on(Command("market"))
@router.on(Words(N_("marketplace"), N_("market")))
@router.on(HOME)
async def home(ctx: Context) -> None:
    ctx.goto(None)
    review: tuple[Button, ...] = ()
    if is_moderator(ctx):
        waiting = await count_pending(ctx.session) + len(await reported_listings(ctx.session))
        review = (Button(ctx._("To review ({n})", n=ctx.t.number(waiting)), QUEUE.encode(0)),)
    buttons = rows(
        Button(ctx._("Search"), SEARCH.encode()), Button(ctx._("By category"), CATEGORIES.encode()),
        Button(ctx._("By place"), PLACES.encode()), Button(ctx._("Newest"), BROWSE.encode("-", "-", 0)),
        Button(ctx._("Post a listing"), POST.encode()), Button(ctx._("My listings"), MINE.encode()),
        *review, Button(ctx._("Main menu"), "menu:home"), width=2,
    )
    ctx.reply(ctx._("Handmade work from artisans across Southeast Asia. Browse, search, or sell your own."),
              buttons, title=ctx._("Marketplace"))


@router.on(CATEGORIES)
async def categories(ctx: Context) -> None:
    counts = await open_counts_by_category(ctx.session)
    buttons = rows(*(Button(f"{craft_name(code, ctx.t)} ({counts.get(code, 0)})"[:40], BROWSE.encode(code, "-", 0))
                     for code in CRAFTS), width=2)
    ctx.reply(ctx._("Which category?"), buttons + rows(home_button(ctx)))


@router.on(PLACES)
async def places(ctx: Context) -> None:
    counts = await open_counts_by_country(ctx.session)
    codes = [c for c in COUNTRIES if counts.get(c)]
    if not codes:
        ctx.reply(ctx._("There are no listings yet."), rows(home_button(ctx)))
        return
    buttons = rows(*(Button(f"{country_name(c, ctx.t)} ({counts[c]})"[:40], COUNTRY.encode(c)) for c in codes),
                   width=2)
    ctx.reply(ctx._("Which country?"), buttons + rows(home_button(ctx)))


async def province_names(ctx: Context, country: str) -> list[tuple[str, str, int]]:
    """(display name, key, count) of provinces with listings in a country, most listings first."""
    return [(name or key, key, n) for key, name, n in await open_provinces(ctx.session, country, limit=30)]


@router.on(COUNTRY)
async def provinces(ctx: Context) -> None:
    country = COUNTRY.arg(ctx)
    if country not in COUNTRIES:
        await places(ctx)
        return
    found = await province_names(ctx, country)
    buttons = [Button(ctx._("All of {country}", country=country_name(country, ctx.t))[:40],
                      BROWSE.encode("-", country, 0))]
    buttons += [Button(f"{name} ({n})"[:40], BROWSE_PROVINCE.encode(country, province_code(key), 0))
                for name, key, n in found[:9]]
    ctx.reply(ctx._("Which province?"), rows(*buttons, width=2) + rows(home_button(ctx)))


@router.on(BROWSE)
async def browse(ctx: Context) -> None:
    category, country, offset = BROWSE.args(ctx)
    if offset < 0:
        await home(ctx)
        return
    heading = ctx._("Newest listings")
    if category != "-":
        heading = craft_name(category, ctx.t)
    if country != "-":
        heading = country_name(country, ctx.t) if category == "-" else f"{heading} · {country_name(country, ctx.t)}"
    total, listings = await open_listings(ctx.session, category=None if category == "-" else category,
                                          country=None if country == "-" else country, offset=offset, limit=PAGE)
    more = BROWSE.encode(category, country, offset + PAGE) if offset + PAGE < total else None  # real values only
    await render_page(ctx, listings, offset, total, more, heading)


@router.on(BROWSE_PROVINCE)
async def browse_province(ctx: Context) -> None:
    country, code, offset = BROWSE_PROVINCE.args(ctx)
    if offset < 0:
        await home(ctx)
        return
    match = next(((name, key) for name, key, _ in await province_names(ctx, country) if province_code(key) == code),
                 None)
    if match is None:
        ctx.reply(ctx._("There are no listings there any more."), rows(home_button(ctx)))
        return
    total, listings = await open_listings(ctx.session, country=country, province_key=match[1], offset=offset,
                                          limit=PAGE)
    await render_page(ctx, listings, offset, total, BROWSE_PROVINCE.encode(country, code, offset + PAGE), match[0])


async def render_page(ctx: Context, listings: list[Listing], offset: int, total: int, more: str | None,
                      heading: str) -> None:
    if not listings:
        text = ctx._("No listings here yet.") if offset == 0 else ctx._("That was all.")
        ctx.reply(text, rows(Button(ctx._("Search"), SEARCH.encode()), home_button(ctx), width=2), title=heading)
        return
    for listing in listings:
        ctx.replies.extend(await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel))
    buttons = [Button(name_label(listing.name), VIEW.encode(listing.id)) for listing in listings]
    if more is not None and offset + len(listings) < total:
        buttons.append(Button(ctx._("More"), more))
    buttons.append(home_button(ctx))
    ctx.reply(ctx._("{first}–{last} of {total}. Choose one to see more or contact the seller.",
                    first=offset + 1, last=offset + len(listings), total=total), rows(*buttons), title=heading)


# --- search -------------------------------------------------------------------------------------


@router.on(SEARCH)
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
    found = await open_listings_by_id(ctx.session, chunk)
    listings = [found[i] for i in chunk if i in found]
    heading = ctx._("Results for “{query}”", query=query)
    if not ids:
        ctx.reply(ctx._("Nothing found for “{query}”. Try other words, or browse by category.", query=query),
                  rows(Button(ctx._("By category"), CATEGORIES.encode()), home_button(ctx), width=2))
        return
    await render_page(ctx, listings, offset, len(ids), SEARCH_MORE.encode(offset + PAGE), heading)
    ctx.replies[-1] = Reply(ctx.replies[-1].text + "\n" + ctx._("Or type another search."),
                            ctx.replies[-1].buttons, title=ctx.replies[-1].title)


@router.on(SEARCH_MORE)
async def search_more(ctx: Context) -> None:
    offset = SEARCH_MORE.arg(ctx)
    ids = [int(i) for i in ctx.data.get("results") or []]
    if ctx.step != MarketStep.SEARCH or not ids or offset is None or offset < 0:
        await ask_search(ctx)
        return
    await search_page(ctx, ids, offset, str(ctx.data.get("q") or ""))
