"""The owner's own profile: see it with its status, edit it (back to review), hide or show it again, and agree
to (or withdraw) a public web page for the profile and for each of their live listings.

Payloads: ``dir:mine``, ``dir:hide``, ``dir:show``, ``dir:web:<on|off>``, ``dir:wl``,
``dir:lw:<listing id>:<on|off>`` (see ``actions``); editing starts the conversation of ``create``.
"""

from __future__ import annotations

from bot.context import Context
from bot.router import Command, Router
from bot.types import Button, rows
from handlers.directory.actions import EDIT, HIDE, LISTING_WEB, MINE, SHOW, START, WEB, WEB_LISTINGS
from handlers.directory.common import STATUS_LABELS, home_button
from handlers.directory.draft import start
from handlers.market.common import name_label
from storage.directory import Profile, ProfileStatus, live_listings_of, profile_by_owner
from storage.market import ListingStatus, listing_of

router = Router("directory.mine")


def web_address(ctx: Context, path: str) -> str | None:
    base = ctx.deps.settings.public_url
    return f"{base}{path}" if base else None


@router.on(Command("myprofile"))
@router.on(MINE)
async def mine(ctx: Context) -> None:
    profile = await profile_by_owner(ctx.session, ctx.user.id)
    if profile is None:
        ctx.reply(ctx._("You have no profile in the directory yet."),
                  rows(Button(ctx._("Create my profile"), START.encode()), home_button(ctx), width=2))
        return
    await show_mine(ctx, profile)


async def show_mine(ctx: Context, profile: Profile) -> None:
    lines = [ctx._("Your profile “{name}” is {status}.", name=profile.name,
                   status=ctx._(STATUS_LABELS.get(profile.status, STATUS_LABELS["pending"])))]
    if profile.status == ProfileStatus.REJECTED and profile.reject_reason:
        lines.append(ctx._("Reason: {reason}", reason=profile.reject_reason))
    path = f"/p/{profile.slug}"
    if profile.public:
        lines.append(ctx._("Your web page is on: {address}", address=web_address(ctx, path) or path))
    buttons = [Button(ctx._("Edit"), EDIT.encode("profile"))]
    buttons.append(Button(ctx._("Show my profile again"), SHOW.encode()) if profile.status == ProfileStatus.HIDDEN
                   else Button(ctx._("Hide my profile"), HIDE.encode()))
    buttons.append(Button(ctx._("Remove my web page"), WEB.encode("off")) if profile.public
                   else Button(ctx._("Show my profile on the web"), WEB.encode("on")))
    buttons += [Button(ctx._("Web pages of my products"), WEB_LISTINGS.encode()), home_button(ctx)]
    ctx.reply("\n".join(lines), rows(*buttons, width=2))


@router.on(EDIT, lambda ctx: EDIT.arg(ctx) == "profile")
async def edit(ctx: Context) -> None:
    profile = await profile_by_owner(ctx.session, ctx.user.id)
    if profile is None:
        await mine(ctx)
        return
    await start(ctx, profile)


@router.on(HIDE)
async def hide(ctx: Context) -> None:
    if (profile := await profile_by_owner(ctx.session, ctx.user.id)) is None:
        await mine(ctx)
        return
    profile.status, profile.updated_at = ProfileStatus.HIDDEN, ctx.now
    ctx.reply(ctx._("Your profile is hidden: no one sees it in the directory or on the web until you show it "
                    "again."))
    await show_mine(ctx, profile)


@router.on(SHOW)
async def show(ctx: Context) -> None:
    if (profile := await profile_by_owner(ctx.session, ctx.user.id)) is None:
        await mine(ctx)
        return
    if profile.status == ProfileStatus.HIDDEN:
        approved = profile.moderated_at is not None and not profile.reject_reason
        profile.status = ProfileStatus.ACTIVE if approved else ProfileStatus.PENDING
        profile.updated_at = ctx.now
    await show_mine(ctx, profile)


@router.on(WEB)
async def web(ctx: Context) -> None:
    if (profile := await profile_by_owner(ctx.session, ctx.user.id)) is None:
        await mine(ctx)
        return
    profile.public, profile.updated_at = WEB.arg(ctx) == "on", ctx.now
    if profile.public:
        ctx.reply(ctx._("Your profile will be shown on a public web page once it is in the directory. Anyone with "
                        "the link can see it; you can remove it at any time."))
    else:
        ctx.reply(ctx._("Your web page is removed."))
    await show_mine(ctx, profile)


@router.on(WEB_LISTINGS)
async def web_listings(ctx: Context) -> None:
    listings = await live_listings_of(ctx.session, ctx.user.id, limit=10)
    if not listings:
        ctx.reply(ctx._("You have no products in the marketplace right now."),
                  rows(Button(ctx._("My directory profile"), MINE.encode()), home_button(ctx), width=2))
        return
    buttons = [Button(("🌐 " if lst.public else "○ ") + name_label(lst.name, 26),
                      LISTING_WEB.encode(lst.id, "off" if lst.public else "on")) for lst in listings]
    ctx.reply(ctx._("Press a product to show it on the web (🌐) or to remove its web page."),
              rows(*buttons, Button(ctx._("My directory profile"), MINE.encode()), home_button(ctx)))


@router.on(LISTING_WEB)
async def listing_web(ctx: Context) -> None:
    listing_id, state = LISTING_WEB.args(ctx)
    listing = await listing_of(ctx.session, listing_id)
    if listing is None or listing.seller_id != ctx.user.id or listing.status == ListingStatus.DELETED:
        ctx.reply(ctx._("Sorry, that listing is no longer available."), rows(home_button(ctx)))
        return
    listing.public = state == "on"
    if listing.public:
        path = f"/l/{listing.id}"
        address = web_address(ctx, path) or path
        ctx.reply(ctx._("“{name}” is on the web: {address}", name=listing.name, address=address))
    else:
        ctx.reply(ctx._("The web page of “{name}” is removed.", name=listing.name))
    await web_listings(ctx)
