"""``/admin/inbox``: the questions the bot handed to a person (FAQ hand-over tickets) in the trainer console.

- ``/admin/inbox``: tickets newest first (waiting ones by default; open, taken, mine, closed or all), paged
  by key; open tickets nobody claimed for more than 24 hours stand out.
- ``/admin/inbox/<id>``: the conversation before the ticket (the person's questions to the FAQ and the bot's
  messages to them), the question, what was said on it since; claim, reply, close.

Claiming, answering and closing are the chat's (``handlers.faq.tickets``): the same rules (one trainer per
ticket), the same messages to the asker in their language, queued through the outbox (``bot.direct``).
Before a reply the page says what WhatsApp's 24-hour window will do with it, as the WhatsApp sender does:
it goes now, goes as the approved template for relayed messages, or waits until the person writes again.
Each action writes one audit row (``ticket.claim|reply|close``, target ``ticket:<id>``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.actions import Form, back_to, field, notice, number
from bot.console.audit import audited
from bot.console.auth import CONSOLE, TRAINER, VISITOR, page
from bot.console.render import add_nav, render, texts
from bot.console.texts import TEXTS
from bot.direct import Route, Way, how_it_goes, send_to
from bot.i18n import LANGUAGES, N_
from handlers.faq.tickets import (
    add_answer,
    answer_notice,
    claim_ticket,
    close_ticket,
    closed_notice,
    taken_by_other,
    taken_notice,
)
from storage.faq import (
    FaqTicket,
    TicketStatus,
    conversation_before,
    count_unclaimed,
    inbox,
    lock_ticket,
    ticket_messages,
)
from storage.market import users_by_id
from storage.models import User

TEXTS.update({
    "inbox_menu": N_("Inbox"),
    "inbox_title": N_("Questions handed to a person"),
    "inbox_waiting": N_("Waiting or in hand"),
    "inbox_mine": N_("Mine"),
    "inbox_all": N_("All"),
    "inbox_empty": N_("No questions here."),
    "inbox_late_count": N_("Open for more than 24 hours without a trainer: {number}"),
    "inbox_late": N_("Waiting over 24 hours"),
    "inbox_status_open": N_("Waiting for a trainer"),
    "inbox_status_taken": N_("Taken"),
    "inbox_status_closed": N_("Closed"),
    "inbox_asker": N_("From"),
    "inbox_taken_by": N_("Taken by"),
    "inbox_asked": N_("Asked"),
    "inbox_before": N_("Before the question"),
    "inbox_nothing_before": N_("Nothing kept from before the question."),
    "inbox_on_ticket": N_("On the ticket"),
    "inbox_bot": N_("Bot"),
    "inbox_claim": N_("Claim"),
    "inbox_reply": N_("Reply"),
    "inbox_send": N_("Send the reply"),
    "inbox_close": N_("Close ticket"),
    "inbox_claim_first": N_("Claim the ticket to reply."),
    "inbox_way_now": N_("Your reply goes to them now, on {channel}."),
    "inbox_way_template": N_("They last wrote more than 24 hours ago. WhatsApp then allows only an approved "
                             "template: your reply goes as the approved template for replies."),
    "inbox_way_waits": N_("They last wrote more than 24 hours ago and there is no approved WhatsApp template for "
                          "replies: your reply waits and goes as soon as they write to the bot again."),
    "inbox_way_nowhere": N_("They cannot get messages (no address that has not blocked the bot): your reply is "
                            "kept on the ticket only."),
    "inbox_done_claimed": N_("Ticket #{number} is yours; they were told a trainer is looking at it."),
    "inbox_done_now": N_("Reply on ticket #{number} sent."),
    "inbox_done_template": N_("Reply on ticket #{number} queued; it goes as the approved WhatsApp template."),
    "inbox_done_waits": N_("Reply on ticket #{number} kept: it goes when they next write to the bot."),
    "inbox_done_nowhere": N_("Reply on ticket #{number} kept on the ticket: they cannot get messages."),
    "inbox_done_closed": N_("Ticket #{number} closed."),
    "inbox_other": N_("Another trainer has already taken ticket #{number}."),
    "inbox_is_closed": N_("That ticket is closed."),
    "inbox_need_claim": N_("Claim ticket #{number} first."),
    "inbox_need_text": N_("Type a reply first: nothing was sent."),
    "inbox_gone": N_("That ticket is no longer there."),
})
add_nav("/inbox", "inbox_menu", TRAINER, 45)

INBOX_URL = "/admin/inbox"
PAGE_SIZE = 50
REPLY_MAX = 4000
LATE = timedelta(hours=24)
BEFORE = timedelta(days=7)  # how far back the conversation before a ticket goes
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp", "terminal": "terminal"}
VIEWS = {"": (TicketStatus.OPEN, TicketStatus.TAKEN), "open": (TicketStatus.OPEN,),
         "taken": (TicketStatus.TAKEN,), "mine": (TicketStatus.TAKEN,), "closed": (TicketStatus.CLOSED,),
         "all": (TicketStatus.OPEN, TicketStatus.TAKEN, TicketStatus.CLOSED)}
NOTICES = {
    "claimed": ("inbox_done_claimed", False), "now": ("inbox_done_now", False),
    "template": ("inbox_done_template", False), "waits": ("inbox_done_waits", False),
    "nowhere": ("inbox_done_nowhere", True), "closed": ("inbox_done_closed", False),
    "other": ("inbox_other", True), "is_closed": ("inbox_is_closed", True), "claim": ("inbox_need_claim", True),
    "empty": ("inbox_need_text", True), "gone": ("inbox_gone", True),
}


def name_of(user: User | None) -> str:
    return (user.name or f"#{user.id}") if user is not None else "–"


def late(ticket: FaqTicket, now: datetime) -> bool:
    """Open, nobody claimed it, for more than 24 hours."""
    return ticket.status == TicketStatus.OPEN and now - ticket.created_at > LATE


def way_text(texts_: Any, route: Route) -> str:
    return texts_.get(f"inbox_way_{route.way}", channel=CHANNELS.get(route.channel or "", route.channel or ""))


@page("GET", "/inbox", TRAINER)
async def inbox_page(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = request[VISITOR]
    assert visitor is not None
    t = texts(request)
    now = console.clock.now()
    view = request.query.get("status", "")
    view = view if view in VIEWS else ""
    async with console.db.read() as session:
        found = await inbox(session, VIEWS[view], trainer_id=visitor.user.id if view == "mine" else None,
                            before_id=number(request.query.get("before")), limit=PAGE_SIZE + 1)
        waiting_long = await count_unclaimed(session, now - LATE)
    rows = [{"id": ticket.id, "question": ticket.question, "asker": name_of(asker), "asker_id": asker.id,
             "language": LANGUAGES[ticket.language].native_name if ticket.language in LANGUAGES else "–",
             "status": ticket.status, "trainer": name_of(taker) if taker else "", "created_at": ticket.created_at,
             "late": late(ticket, now)} for ticket, asker, taker in found[:PAGE_SIZE]]
    next_url = (str(request.rel_url.with_query({**({"status": view} if view else {}), "before": str(rows[-1]["id"])}))
                if len(found) > PAGE_SIZE else None)
    return render(request, "inbox.html", rows=rows, view=view, waiting_long=waiting_long, next_url=next_url,
                  notice=notice(request, t, NOTICES))


@page("GET", "/inbox/{id}", TRAINER)
async def ticket_page(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = request[VISITOR]
    assert visitor is not None
    t = texts(request)
    now = console.clock.now()
    ticket_id = number(request.match_info["id"])
    async with console.db.read() as session:
        ticket = await session.get(FaqTicket, ticket_id) if ticket_id else None
        if ticket is None:
            raise web.HTTPSeeOther(f"{INBOX_URL}?done=gone")
        people = await users_by_id(session, [ticket.user_id, ticket.trainer_id])
        messages = await ticket_messages(session, ticket.id)
        authors = await users_by_id(session, [m.author_id for m in messages])
        before = await conversation_before(session, ticket.user_id, ticket.created_at, ticket.created_at - BEFORE)
        asker = people.get(ticket.user_id)
        route = how_it_goes(asker, "relay", console.settings, now) if asker else Route(Way.NOWHERE)
    mine = ticket.status == TicketStatus.TAKEN and ticket.trainer_id == visitor.user.id
    return render(request, "ticket.html", ticket=ticket, asker=name_of(asker), asker_id=ticket.user_id,
                  language=LANGUAGES[ticket.language].native_name if ticket.language in LANGUAGES else "–",
                  trainer=name_of(people.get(ticket.trainer_id or 0)) if ticket.trainer_id else "",
                  before=before, messages=[{"text": m.text, "at": m.created_at, "staff": m.from_trainer,
                                            "author": name_of(authors.get(m.author_id or 0))} for m in messages],
                  late=late(ticket, now), mine=mine, other=taken_by_other(ticket, visitor.user.id),
                  way=route.way, way_text=way_text(t, route), reply_max=REPLY_MAX, back=request.path_qs,
                  notice=notice(request, t, NOTICES))


# --- actions -------------------------------------------------------------------------------------------


async def _claim(request: web.Request, session: AsyncSession, ticket: FaqTicket, form: Form, trainer: int,
                 now: datetime) -> str:
    if ticket.status == TicketStatus.CLOSED:
        return "is_closed"
    if taken_by_other(ticket, trainer):
        return "other"
    if claim_ticket(ticket, trainer, now):
        asker = await session.get(User, ticket.user_id)
        if asker is not None:
            send_to(session, asker, taken_notice(asker, ticket), now)
        await audited(request, session, "ticket.claim", f"ticket:{ticket.id}")
    return "claimed"


async def _reply(request: web.Request, session: AsyncSession, ticket: FaqTicket, form: Form, trainer: int,
                 now: datetime) -> str:
    if ticket.status == TicketStatus.CLOSED:
        return "is_closed"
    if taken_by_other(ticket, trainer):
        return "other"
    if ticket.status != TicketStatus.TAKEN:
        return "claim"
    text = "\n".join(line.rstrip() for line in field(form, "text", REPLY_MAX).splitlines()).strip()
    if not text:
        return "empty"
    add_answer(session, ticket, trainer, text, now)
    asker = await session.get(User, ticket.user_id)
    route = how_it_goes(asker, "relay", request.app[CONSOLE].settings, now) if asker else Route(Way.NOWHERE)
    if asker is not None:
        send_to(session, asker, answer_notice(asker, ticket, text), now)
    await audited(request, session, "ticket.reply", f"ticket:{ticket.id}", way=str(route.way), length=len(text))
    return str(route.way)


async def _close(request: web.Request, session: AsyncSession, ticket: FaqTicket, form: Form, trainer: int,
                 now: datetime) -> str:
    if ticket.status == TicketStatus.CLOSED:
        return "is_closed"
    if taken_by_other(ticket, trainer):
        return "other"
    close_ticket(ticket, trainer, now)
    asker = await session.get(User, ticket.user_id)
    if asker is not None:
        send_to(session, asker, closed_notice(asker, ticket), now)
    await audited(request, session, "ticket.close", f"ticket:{ticket.id}")
    return "closed"


ACTIONS = {"claim": _claim, "reply": _reply, "close": _close}


async def act(request: web.Request, verb: str) -> web.StreamResponse:
    console = request.app[CONSOLE]
    visitor = request[VISITOR]
    assert visitor is not None  # the guard let a trainer through
    form = await request.post()
    ticket_id = number(request.match_info["id"])
    now = console.clock.now()
    async with console.db.transaction() as session:
        ticket = await lock_ticket(session, ticket_id) if ticket_id else None
        done = "gone" if ticket is None else await ACTIONS[verb](request, session, ticket, form, visitor.user.id, now)
    raise back_to(form, f"{INBOX_URL}/{ticket_id}" if ticket_id and done != "gone" else INBOX_URL, done, ticket_id)


@page("POST", "/inbox/{id}/claim", TRAINER)
async def claim(request: web.Request) -> web.StreamResponse:
    return await act(request, "claim")


@page("POST", "/inbox/{id}/reply", TRAINER)
async def reply(request: web.Request) -> web.StreamResponse:
    return await act(request, "reply")


@page("POST", "/inbox/{id}/close", TRAINER)
async def close(request: web.Request) -> web.StreamResponse:
    return await act(request, "close")
