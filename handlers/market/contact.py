"""One listing in full, and getting in touch with its seller: their Telegram or WhatsApp, or a conversation
relayed through the bot in which neither side sees the other's number.

Payloads: ``market:v:<id>``, ``market:c:<id>``, ``market:r:<relay id>`` (see ``actions``).
"""

from __future__ import annotations

from bot.context import Context
from bot.router import Router
from bot.text.normalise import normalise_text
from bot.types import Button, Reply, rows
from handlers.market.actions import CONTACT_SELLER, RELAY_REPLY, REPORT, VIEW
from handlers.market.common import (
    RELAY_MAX,
    MarketStep,
    contact_address,
    home_button,
    listing_replies,
    no_command,
    t_for,
)
from storage.market import Listing, ListingStatus, Relay, listing_of, relay_between, relay_of
from storage.models import User

router = Router("market.contact")


async def visible_listing(ctx: Context, listing_id: int | None) -> Listing | None:
    """The listing, if this user may see it (active, their own, or they moderate); else say it is gone."""
    listing = await listing_of(ctx.session, listing_id) if listing_id is not None else None
    allowed = listing is not None and (listing.status == ListingStatus.ACTIVE or listing.seller_id == ctx.user.id
                                       or ctx.user.role in ("trainer", "admin"))
    if listing is None or not allowed:
        ctx.reply(ctx._("Sorry, that listing is no longer available."), rows(home_button(ctx)))
        return None
    return listing


@router.on(VIEW)
async def view(ctx: Context) -> None:
    if (listing := await visible_listing(ctx, VIEW.arg(ctx))) is None:
        return
    seller = await ctx.session.get(User, listing.seller_id)
    extra = ctx._("Seller: {name}", name=seller.name if seller and seller.name else "?")
    buttons = rows(Button(ctx._("Contact the seller"), CONTACT_SELLER.encode(listing.id)),
                   Button(ctx._("Report"), REPORT.encode(listing.id)), home_button(ctx), width=2)
    ctx.replies.extend(await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel, all_photos=True,
                                             extra=extra, buttons=buttons))


@router.on(CONTACT_SELLER)
async def contact(ctx: Context) -> None:
    if (listing := await visible_listing(ctx, CONTACT_SELLER.arg(ctx))) is None:
        return
    if listing.seller_id == ctx.user.id:
        ctx.reply(ctx._("This is your own listing."), rows(home_button(ctx)))
        return
    seller = await ctx.session.get(User, listing.seller_id)
    if seller is None:
        ctx.reply(ctx._("Sorry, that listing is no longer available."), rows(home_button(ctx)))
        return
    value = contact_address(list(seller.addresses), listing.contact) if listing.contact != "relay" else None
    back = rows(Button(ctx._("Back to the listing"), VIEW.encode(listing.id)), home_button(ctx), width=2)
    if listing.contact == "telegram" and value:
        ctx.reply(ctx._("Write to the seller on Telegram: {username} (https://t.me/{handle})", username=value,
                        handle=value.lstrip("@")), back)
        return
    if listing.contact == "whatsapp" and value:
        ctx.reply(ctx._("Write to the seller on WhatsApp: {number} (https://wa.me/{digits})", number=value,
                        digits=value.lstrip("+")), back)
        return
    relay = await relay_between(ctx.session, listing.id, ctx.user.id)
    if relay is None:
        relay = Relay(listing_id=listing.id, buyer_id=ctx.user.id, seller_id=listing.seller_id, messages=0,
                      created_at=ctx.now, last_at=ctx.now)
        ctx.session.add(relay)
        await ctx.session.flush()
    ctx.goto(MarketStep.RELAY, relay=relay.id)
    ctx.reply(ctx._("Type your message to the seller of “{name}”. I will pass it on; neither of you sees the "
                    "other's number, and the answer comes here.", name=listing.name), back)


@router.on(RELAY_REPLY)
async def reply_in_relay(ctx: Context) -> None:
    relay = await relay_of(ctx.session, RELAY_REPLY.arg(ctx))
    if relay is None or ctx.user.id not in (relay.buyer_id, relay.seller_id):
        ctx.reply(ctx._("That conversation is no longer available."), rows(home_button(ctx)))
        return
    ctx.goto(MarketStep.RELAY, relay=relay.id)
    ctx.reply(ctx._("Type your answer."), rows(home_button(ctx)))


@router.step(MarketStep.RELAY, filters=[no_command])
async def relay_message(ctx: Context) -> None:
    relay = await relay_of(ctx.session, int(ctx.data.get("relay") or 0))
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
    listing = await listing_of(ctx.session, relay.listing_id)
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
                                 buttons=rows(Button(t.gettext("Reply"), RELAY_REPLY.encode(relay.id)))))
    ctx.goto(None)
    if not sent:
        ctx.reply(ctx._("Sorry, they can't be reached right now."), rows(home_button(ctx)))
        return
    relay.messages += 1
    relay.last_at = ctx.now
    ctx.reply(ctx._("Sent. The answer will come here."), rows(home_button(ctx)))
