"""Featured artisans and exemplary products: trainers mark a profile (a button on it) or a listing
(``/feature <words>`` finds it) as featured with a short citation; everyone sees them under "Featured"; a
featured item can be announced: "Announce" starts the trainer's announcement (``handlers.announcements``) at
its audience screen with the citation, the item's photo and a button to the item prefilled.

Payloads: ``dir:featured``, ``dir:feat:<p|l>:<id>``, ``dir:unfeat:<p|l>:<id>``, ``dir:ann:<p|l>:<id>``.
"""

from __future__ import annotations

from bot.context import Context
from bot.router import Command, Router
from bot.types import Button, rows
from handlers.announcements.audiences import audience_screen
from handlers.directory.actions import ANNOUNCE, FEATURE, FEATURED, UNFEATURE, VIEW, feature_button
from handlers.directory.common import (
    CITATION_MAX,
    DirStep,
    clean_line,
    home_button,
    is_moderator,
    no_command,
    search_index,
)
from handlers.market.actions import VIEW as VIEW_LISTING
from handlers.market.common import name_label, photo_media
from handlers.market.common import search_index as market_index
from storage.announcements import Broadcast, BroadcastStatus
from storage.directory import Featured, ProfileStatus, active_profiles_by_id, featured_items, featured_of, profile_of
from storage.market import ListingStatus, listing_of, load_photos, open_listings_by_id

router = Router("directory.featured")
KINDS = {"p": "profile", "l": "listing"}


async def item_of(ctx: Context, kind: str, item_id: int) -> tuple[str, list[int], str] | None:
    """(name, photo ids, chat payload that opens it) of a live profile or listing, or None."""
    if kind == "p":
        profile = await profile_of(ctx.session, item_id)
        if profile is not None and profile.status == ProfileStatus.ACTIVE:
            return profile.name, list(profile.photos or []), VIEW.encode(profile.id)
    elif kind == "l":
        listing = await listing_of(ctx.session, item_id)
        if listing is not None and listing.status == ListingStatus.ACTIVE:
            return listing.name, list(listing.photos or []), VIEW_LISTING.encode(listing.id)
    return None


@router.on(Command("feature"), is_moderator)
async def find_to_feature(ctx: Context) -> None:
    """``/feature <words>``: the live profiles and listings matching, each with a button to feature it."""
    words = clean_line(ctx.msg.command_args)[:100]
    if not words:
        ctx.reply(ctx._("Send /feature and a few words of the name, e.g. /feature silk scarf. You can also press "
                        "“Feature” on a profile."))
        return
    profiles, listings = search_index(ctx), market_index(ctx)
    await profiles.refresh(ctx.session)
    await listings.refresh(ctx.session)
    found_p = await active_profiles_by_id(ctx.session, profiles.search(words, limit=5))
    found_l = await open_listings_by_id(ctx.session, listings.search(words, limit=5))
    buttons = [Button("👤 " + name_label(p.name), FEATURE.encode("p", p.id)) for p in found_p.values()]
    buttons += [Button("🛍 " + name_label(lst.name), FEATURE.encode("l", lst.id)) for lst in found_l.values()]
    if not buttons:
        ctx.reply(ctx._("Nothing found for “{query}”.", query=words), rows(home_button(ctx)))
        return
    ctx.reply(ctx._("Which one do you want to feature?"), rows(*buttons, home_button(ctx)))


@router.on(Command("featured"))
@router.on(FEATURED)
async def featured(ctx: Context) -> None:
    buttons: list[Button] = []
    for item in await featured_items(ctx.session, limit=20):
        kind = "p" if item.kind == "profile" else "l"
        found = await item_of(ctx, kind, item.item_id)
        if found is not None:
            buttons.append(Button("⭐ " + name_label(found[0]), found[2]))
    if not buttons:
        ctx.reply(ctx._("Nothing is featured yet."), rows(home_button(ctx)))
        return
    ctx.reply(ctx._("Featured artisans and products, chosen by the trainers:"),
              rows(*buttons[:10], home_button(ctx)))


@router.on(FEATURE, is_moderator)
async def feature(ctx: Context) -> None:
    kind, item_id = FEATURE.args(ctx)
    if kind not in KINDS or (found := await item_of(ctx, kind, item_id)) is None:
        ctx.reply(ctx._("That is no longer there."), rows(home_button(ctx)))
        return
    ctx.goto(DirStep.CITATION, kind=kind, item=item_id)
    ctx.reply(ctx._("Why is “{name}” featured? Type a short citation (at most {max} characters); everyone will see "
                    "it.", name=found[0], max=CITATION_MAX), rows(home_button(ctx)))


@router.step(DirStep.CITATION, filters=[is_moderator, no_command])
async def got_citation(ctx: Context) -> None:
    kind, item_id = str(ctx.data.get("kind") or ""), int(ctx.data.get("item") or 0)
    found = await item_of(ctx, kind, item_id) if kind in KINDS else None
    if found is None:
        ctx.goto(None)
        ctx.reply(ctx._("That is no longer there."), rows(home_button(ctx)))
        return
    citation = clean_line(ctx.msg.text)
    if not citation or ctx.msg.media or len(citation) > CITATION_MAX:
        ctx.reply(ctx._("Please type a citation of at most {max} characters.", max=CITATION_MAX))
        return
    row = await featured_of(ctx.session, KINDS[kind], item_id)
    if row is None:
        row = Featured(kind=KINDS[kind], item_id=item_id, citation=citation, by_id=ctx.user.id, created_at=ctx.now)
        ctx.session.add(row)
    else:
        row.citation, row.by_id, row.created_at = citation, ctx.user.id, ctx.now
    ctx.goto(None)
    ctx.reply(ctx._("⭐ “{name}” is featured.", name=found[0]),
              rows(Button(ctx._("Announce it"), ANNOUNCE.encode(kind, item_id)),
                   Button(ctx._("Featured"), FEATURED.encode()), width=2))


@router.on(UNFEATURE, is_moderator)
async def unfeature(ctx: Context) -> None:
    kind, item_id = UNFEATURE.args(ctx)
    row = await featured_of(ctx.session, KINDS.get(kind, ""), item_id)
    if row is not None:
        await ctx.session.delete(row)
    ctx.reply(ctx._("Removed from featured."), rows(home_button(ctx)))


@router.on(ANNOUNCE, is_moderator)
async def announce(ctx: Context) -> None:
    """An announcement draft with the citation, the item's photo and a button that opens it; then the
    announcement's own audience screen, preview and sending."""
    kind, item_id = ANNOUNCE.args(ctx)
    row = await featured_of(ctx.session, KINDS.get(kind, ""), item_id)
    found = await item_of(ctx, kind, item_id) if row is not None else None
    if row is None or found is None:
        ctx.reply(ctx._("That is no longer there."), rows(home_button(ctx)))
        return
    name, photo_ids, payload = found
    photos = [m for p in await load_photos(ctx.session, photo_ids) if (m := photo_media(p, None))]
    draft = Broadcast(author_id=ctx.user.id, text=f"⭐ {name}\n\n{row.citation}", audience={},
                      status=BroadcastStatus.DRAFT, created_at=ctx.now, button=False, cursor=0, targeted=0,
                      photo=photos[0].to_dict() if photos else None,
                      links=[{"kind": "item", "payload": payload, "label": name_label(name, 36)}])
    ctx.session.add(draft)
    await ctx.session.flush()
    await audience_screen(ctx, draft, ctx._("Announcement of a featured item: choose who receives it."))


@router.on(feature_button)
async def not_moderator(ctx: Context) -> None:
    ctx.reply(ctx._("Only moderators can do that."), rows(home_button(ctx)))
