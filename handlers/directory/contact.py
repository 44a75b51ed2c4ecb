"""Getting in touch with a profile's owner: their public contact if they chose one, else a conversation
relayed through the bot in which neither side sees the other's number (as the marketplace's relay).

Payloads: ``dir:c:<profile id>``, ``dir:r:<relay id>`` (see ``actions``).
"""

from __future__ import annotations

from bot.context import Context
from bot.router import Router
from bot.text.normalise import normalise_text
from bot.types import Button, Reply, rows
from handlers.directory.actions import CONTACT, RELAY_REPLY, VIEW
from handlers.directory.common import DirStep, home_button, no_command, owner_t
from handlers.market.common import RELAY_MAX
from storage.directory import ProfileRelay, ProfileStatus, profile_of, relay_between, relay_of
from storage.models import User

router = Router("directory.contact")


@router.on(CONTACT)
async def contact(ctx: Context) -> None:
    profile = await profile_of(ctx.session, CONTACT.arg(ctx))
    if profile is None or profile.status != ProfileStatus.ACTIVE:
        ctx.reply(ctx._("Sorry, that profile is not in the directory."), rows(home_button(ctx)))
        return
    back = rows(Button(ctx._("Back to the profile"), VIEW.encode(profile.id)), home_button(ctx), width=2)
    if profile.owner_id == ctx.user.id:
        ctx.reply(ctx._("This is your own profile."), back)
        return
    if profile.contact == "public" and profile.public_contact:
        ctx.reply(ctx._("Contact {name}: {contact}", name=profile.name, contact=profile.public_contact), back)
        return
    relay = await relay_between(ctx.session, profile.id, ctx.user.id)
    if relay is None:
        relay = ProfileRelay(profile_id=profile.id, asker_id=ctx.user.id, owner_id=profile.owner_id, messages=0,
                             created_at=ctx.now, last_at=ctx.now)
        ctx.session.add(relay)
        await ctx.session.flush()
    ctx.goto(DirStep.RELAY, relay=relay.id)
    ctx.reply(ctx._("Type your message to {name}. I will pass it on; neither of you sees the other's number, and "
                    "the answer comes here.", name=profile.name), back)


@router.on(RELAY_REPLY)
async def answer(ctx: Context) -> None:
    relay = await relay_of(ctx.session, RELAY_REPLY.arg(ctx))
    if relay is None or ctx.user.id not in (relay.asker_id, relay.owner_id):
        ctx.reply(ctx._("That conversation is no longer available."), rows(home_button(ctx)))
        return
    ctx.goto(DirStep.RELAY, relay=relay.id)
    ctx.reply(ctx._("Type your answer."), rows(home_button(ctx)))


@router.step(DirStep.RELAY, filters=[no_command])
async def relay_message(ctx: Context) -> None:
    relay = await relay_of(ctx.session, int(ctx.data.get("relay") or 0))
    profile = await profile_of(ctx.session, relay.profile_id) if relay is not None else None
    if relay is None or profile is None or ctx.user.id not in (relay.asker_id, relay.owner_id):
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
    to_owner = ctx.user.id == relay.asker_id
    other = await ctx.session.get(User, relay.owner_id if to_owner else relay.asker_id)
    ctx.goto(None)
    if other is None:
        ctx.reply(ctx._("That conversation is no longer available."), rows(home_button(ctx)))
        return
    t = owner_t(other)
    head = (t.gettext("💬 {name} writes to you through the directory:", name=ctx.user.name or "?") if to_owner
            else t.gettext("💬 {name} answers:", name=profile.name))
    sent = ctx.send(other, Reply(text=f"{head}\n\n{text}", kind="relay",
                                 buttons=rows(Button(t.gettext("Reply"), RELAY_REPLY.encode(relay.id)))))
    if not sent:
        ctx.reply(ctx._("Sorry, they can't be reached right now."), rows(home_button(ctx)))
        return
    relay.messages += 1
    relay.last_at = ctx.now
    ctx.reply(ctx._("Sent. The answer will come here."), rows(home_button(ctx)))
