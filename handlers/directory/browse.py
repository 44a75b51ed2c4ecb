"""Browsing the directory: its home, by craft or by country, newest first a page at a time, the search
conversation (the shared typo- and script-tolerant index, see ``common.search_index``), and one profile
with its live listings.

Payloads: ``dir:home``, ``dir:crafts``, ``dir:places``, ``dir:b:<craft|->:<CC|->:<offset>``, ``dir:search``,
``dir:sm:<offset>``, ``dir:v:<id>`` (see ``actions``).
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.router import Command, Router, Words
from bot.types import Button, rows
from handlers.choices import COUNTRIES, CRAFTS, country_name, craft_name
from handlers.directory.actions import (
    APPROVE,
    BROWSE,
    CONTACT,
    FEATURE,
    FEATURED,
    HOME,
    MINE,
    PLACES,
    REJECT,
    RESUME,
    SEARCH,
    SEARCH_MORE,
    START,
    UNFEATURE,
    VIEW,
)
from handlers.directory.actions import (
    CRAFTS as CRAFTS_MENU,
)
from handlers.directory.common import (
    PAGE,
    DirStep,
    clean_line,
    home_button,
    is_moderator,
    no_command,
    profile_replies,
    search_index,
)
from handlers.market.actions import VIEW as VIEW_LISTING
from handlers.market.common import name_label
from storage.directory import (
    Profile,
    ProfileStatus,
    active_profiles,
    active_profiles_by_id,
    draft_of,
    featured_of,
    live_listings_of,
    profile_by_owner,
    profile_countries,
    profile_of,
)

router = Router("directory.browse")
SEARCH_LIMIT = 30


@router.on(Command("directory"))
@router.on(Words(N_("directory")))
@router.on(HOME)
async def home(ctx: Context) -> None:
    ctx.goto(None)
    own = await profile_by_owner(ctx.session, ctx.user.id)
    draft = await draft_of(ctx.session, ctx.user.id)
    if own is not None:
        mine = Button(ctx._("My directory profile"), MINE.encode())
    elif draft is not None and draft.data:
        mine = Button(ctx._("Continue my profile"), RESUME.encode())
    else:
        mine = Button(ctx._("Create my profile"), START.encode())
    total, _ = await active_profiles(ctx.session, limit=0)
    ctx.reply(ctx.ngettext("The directory of artisans: {n} profile. Browse by craft or place, or search.",
                           "The directory of artisans: {n} profiles. Browse by craft or place, or search.",
                           total),
              rows(Button(ctx._("By craft"), CRAFTS_MENU.encode()), Button(ctx._("By place"), PLACES.encode()),
                   Button(ctx._("Search"), SEARCH.encode()), Button(ctx._("Featured"), FEATURED.encode()), mine,
                   width=2))


@router.on(CRAFTS_MENU)
async def crafts(ctx: Context) -> None:
    ctx.reply(ctx._("Which craft?"), rows(*(Button(craft_name(c, ctx.t), BROWSE.encode(c, "-", 0)) for c in CRAFTS),
                                          home_button(ctx), width=2))


@router.on(PLACES)
async def places(ctx: Context) -> None:
    counts = await profile_countries(ctx.session)
    found = [c for c in COUNTRIES if counts.get(c)]
    if not found:
        ctx.reply(ctx._("No profiles in the directory yet."), rows(home_button(ctx)))
        return
    ctx.reply(ctx._("Which country?"),
              rows(*(Button(f"{country_name(c, ctx.t)} ({ctx.t.number(counts[c])})", BROWSE.encode("-", c, 0))
                     for c in found), home_button(ctx), width=2))


def profile_buttons(ctx: Context, profiles: list[Profile]) -> list[Button]:
    return [Button(name_label(p.name), VIEW.encode(p.id)) for p in profiles]


@router.on(BROWSE)
async def browse(ctx: Context) -> None:
    craft, country, offset = BROWSE.args(ctx)
    craft_code = craft if craft in CRAFTS else None
    country_code = country if country in COUNTRIES else None
    offset = max(0, offset)
    total, page = await active_profiles(ctx.session, craft=craft_code, country=country_code, offset=offset,
                                        limit=PAGE)
    if not page:
        ctx.reply(ctx._("No profiles found here yet."), rows(home_button(ctx)))
        return
    more = (Button(ctx._("More"), BROWSE.encode(craft, country, offset + PAGE)),) if offset + PAGE < total else ()
    ctx.reply(ctx._("Profiles {first}–{last} of {total}:", first=offset + 1, last=offset + len(page), total=total),
              rows(*profile_buttons(ctx, page), *more, home_button(ctx)))


@router.on(SEARCH)
async def search(ctx: Context) -> None:
    ctx.goto(DirStep.SEARCH)
    ctx.reply(ctx._("What are you looking for? Type a name, a craft or a place."), rows(home_button(ctx)))


async def show_results(ctx: Context, query: str, offset: int) -> None:
    index = search_index(ctx)
    await index.refresh(ctx.session)
    ids = index.search(query, limit=SEARCH_LIMIT)
    found = await active_profiles_by_id(ctx.session, ids)
    ordered = [found[i] for i in ids if i in found]
    page = ordered[offset:offset + PAGE]
    if not page:
        ctx.reply(ctx._("Nothing found for “{query}”. Try another word, or browse by craft or place.", query=query),
                  rows(Button(ctx._("Search again"), SEARCH.encode()), home_button(ctx), width=2))
        return
    more = (Button(ctx._("More"), SEARCH_MORE.encode(offset + PAGE)),) if offset + PAGE < len(ordered) else ()
    ctx.reply(ctx._("Found for “{query}”:", query=query),
              rows(*profile_buttons(ctx, page), *more, Button(ctx._("Search again"), SEARCH.encode()),
                   home_button(ctx)))


@router.step(DirStep.SEARCH, filters=[no_command])
async def got_query(ctx: Context) -> None:
    query = clean_line(ctx.msg.text)[:100]
    if not query or ctx.msg.media:
        ctx.reply(ctx._("Please type a few words to search for."), rows(home_button(ctx)))
        return
    ctx.update_data(query=query)
    await show_results(ctx, query, 0)


@router.on(SEARCH_MORE)
async def search_more(ctx: Context) -> None:
    query = str(ctx.data.get("query") or "")
    if not query:
        await search(ctx)
        return
    await show_results(ctx, query, max(0, SEARCH_MORE.arg(ctx) or 0))


@router.on(VIEW)
async def view(ctx: Context) -> None:
    profile = await profile_of(ctx.session, VIEW.arg(ctx))
    own = profile is not None and profile.owner_id == ctx.user.id
    if profile is None or not (profile.status == ProfileStatus.ACTIVE or own or is_moderator(ctx)):
        ctx.reply(ctx._("Sorry, that profile is not in the directory."), rows(home_button(ctx)))
        return
    listings = await live_listings_of(ctx.session, profile.owner_id, limit=5)
    buttons = [Button("🛍 " + name_label(lst.name), VIEW_LISTING.encode(lst.id)) for lst in listings]
    extra = ctx.ngettext("{n} product in the marketplace.", "{n} products in the marketplace.", len(listings)) \
        if listings else ""
    featured = await featured_of(ctx.session, "profile", profile.id)
    if featured is not None:
        extra = ("⭐ " + featured.citation + ("\n" + extra if extra else "")).strip()
    if not own:
        buttons.append(Button(ctx._("Contact"), CONTACT.encode(profile.id)))
    if is_moderator(ctx) and profile.status == ProfileStatus.PENDING:
        buttons += [Button(ctx._("Approve"), APPROVE.encode(profile.id)),
                    Button(ctx._("Reject"), REJECT.encode(profile.id))]
    elif is_moderator(ctx) and profile.status == ProfileStatus.ACTIVE:
        buttons.append(Button(ctx._("Remove from featured"), UNFEATURE.encode("p", profile.id)) if featured
                       else Button(ctx._("Feature"), FEATURE.encode("p", profile.id)))
    buttons.append(home_button(ctx))
    ctx.replies.extend(await profile_replies(ctx.session, ctx.t, profile, ctx.msg.channel, extra=extra,
                                             buttons=rows(*buttons)))
