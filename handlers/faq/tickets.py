"""Hand-over to a person: tickets that trainers take, answer through the bot, and close.

"Talk to a trainer" (``faq:human``, ``/trainer``, or the words trainer / human; ``faq:human:q|a:<id>``
for a question already asked) opens a ticket. Trainers get a note, see open tickets (``/tickets``,
``faq:tickets``, a menu item for them only), take one (``faq:take:<id>``; the user is told), type
answers that reach the user through the bot (kind "relay"), and close it (``faq:close:<id>``; the user
is told). The user can write back (``faq:back:<id>``).

``router`` holds these routes; ``refusals`` answers anyone else pressing a trainer's button or command
and goes after every trainer route (unanswered.py's too).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.i18n import LANGUAGES, N_, translator
from bot.router import Command, HasText, NoStep, Onboarded, Router, Words
from bot.types import Button, Reply, rows
from handlers.faq.actions import ABOUT_ANSWER, ABOUT_UNANSWERED, BACK, CLOSE, HUMAN, HUMAN_ABOUT, TAKE, TICKETS
from handlers.faq.common import (
    NOTIFY_TRAINERS_MAX,
    QUESTION_MAX,
    TRAINER_ROLES,
    FaqStep,
    IsTrainer,
    main_menu,
    open_tickets,
    prompt_buttons,
    short,
    wordless,
)
from handlers.menu import HOME
from storage.faq import (
    FaqAnswer,
    FaqTicket,
    FaqTicketMessage,
    FaqUnanswered,
    TicketStatus,
    tickets_for_trainer,
    trainers_to_notify,
)
from storage.models import User

router = Router("faq.tickets")
refusals = Router("faq.refusals")


async def open_ticket(ctx: Context, question: str) -> None:
    ctx.goto(None)
    question = " ".join(question.split())[:QUESTION_MAX]
    ticket = FaqTicket(user_id=ctx.user.id, question=question, language=ctx.user.language,
                       status=TicketStatus.OPEN, created_at=ctx.now)
    ctx.session.add(ticket)
    await ctx.session.flush()
    ctx.reply(
        ctx._("Thank you. I passed your question to a trainer (ticket #{number}). "
              "You will get the answer here; I will tell you when a trainer looks at it.", number=ticket.id),
        rows(main_menu(ctx)),
    )
    for trainer in await trainers_to_notify(ctx.session, TRAINER_ROLES, ctx.user.id, NOTIFY_TRAINERS_MAX):
        t = translator(trainer.language, trainer.timezone)
        ctx.send(trainer, Reply(
            t.gettext("New question for a trainer (ticket #{number}) from {name}:\n{question}",
                      number=ticket.id, name=ctx.user.name or "?", question=question),
            rows(Button(t.gettext("Take it"), TAKE.encode(ticket.id))),
            kind="relay",
        ))


# --- what happens to a ticket, shared by the chat and the console (handlers.faq.pages) ------------------


def claim_ticket(ticket: FaqTicket, trainer_id: int, now: datetime) -> bool:
    """A trainer takes an open ticket (True); one already taken or closed is left as it is (False)."""
    if ticket.status != TicketStatus.OPEN:
        return False
    ticket.status = TicketStatus.TAKEN
    ticket.trainer_id = trainer_id
    ticket.taken_at = now
    return True


def taken_by_other(ticket: FaqTicket, trainer_id: int) -> bool:
    return ticket.status == TicketStatus.TAKEN and ticket.trainer_id not in (None, trainer_id)


def add_answer(session: AsyncSession, ticket: FaqTicket, trainer_id: int, text: str, now: datetime) -> None:
    """Keep a trainer's answer on the ticket."""
    session.add(FaqTicketMessage(ticket_id=ticket.id, author_id=trainer_id, from_trainer=True, text=text,
                                 created_at=now))
    ticket.answered_at = now


def close_ticket(ticket: FaqTicket, trainer_id: int, now: datetime) -> None:
    ticket.status = TicketStatus.CLOSED
    ticket.trainer_id = ticket.trainer_id or trainer_id
    ticket.closed_at = now


def taken_notice(asker: User, ticket: FaqTicket) -> Reply:
    """What the asker is told, in their language, when a trainer takes their question."""
    t = translator(asker.language, asker.timezone)
    return Reply(t.gettext("A trainer is looking at your question: “{question}”", question=short(ticket.question, 200)),
                 kind="relay")


def answer_notice(asker: User, ticket: FaqTicket, text: str) -> Reply:
    """A trainer's answer as the asker gets it (kind "relay": the WhatsApp template for relays, if any)."""
    t = translator(asker.language, asker.timezone)
    return Reply(t.gettext("A trainer answers your question:\n{text}", text=text),
                 rows(Button(t.gettext("Write back"), BACK.encode(ticket.id))), kind="relay")


def closed_notice(asker: User, ticket: FaqTicket) -> Reply:
    t = translator(asker.language, asker.timezone)
    return Reply(t.gettext("The trainer has closed your question “{question}”. Ask again any time.",
                           question=short(ticket.question, 200)),
                 rows(Button(t.gettext("Talk to a trainer"), HUMAN.encode()),
                      Button(t.gettext("Main menu"), HOME.encode())), kind="relay")


# --- the asker's side ----------------------------------------------------------------------------


@router.on(Words(N_("trainer"), N_("human"), N_("talk to a trainer"), N_("talk to a person")), Onboarded, NoStep)
@router.on(Command("trainer"), Onboarded)
@router.on(HUMAN_ABOUT, Onboarded)
@router.on(HUMAN, Onboarded)
async def human(ctx: Context) -> None:
    about = HUMAN_ABOUT.decode(ctx.msg.payload)
    if about is not None and about[0] in {ABOUT_UNANSWERED, ABOUT_ANSWER}:
        kind, row_id = about
        row: FaqUnanswered | FaqAnswer | None
        if kind == ABOUT_UNANSWERED:
            row = await ctx.session.get(FaqUnanswered, row_id)
        else:
            row = await ctx.session.get(FaqAnswer, row_id)
        if row is not None and row.user_id == ctx.user.id:
            await open_ticket(ctx, row.question)
            return
    ask_human(ctx)


def ask_human(ctx: Context) -> None:
    ctx.goto(FaqStep.HUMAN)
    ctx.reply(ctx._("Type your question for a trainer. They will answer you here."), prompt_buttons(ctx))


@router.step(FaqStep.HUMAN, filters=[HasText])
async def got_human_question(ctx: Context) -> None:
    if wordless(ctx.msg.text):  # an emoji is not a question for a trainer: ask again
        ask_human(ctx)
        return
    await open_ticket(ctx, ctx.msg.text)


@router.on(BACK, Onboarded)
async def write_back(ctx: Context) -> None:
    ticket = await ctx.session.get(FaqTicket, BACK.arg(ctx))
    if ticket is None or ticket.user_id != ctx.user.id or ticket.status == TicketStatus.CLOSED:
        ctx.reply(ctx._("This question is closed. Ask a new one any time."),
                  rows(Button(ctx._("Talk to a trainer"), HUMAN.encode()), main_menu(ctx)))
        return
    ctx.goto(FaqStep.FOLLOW_UP, ticket=ticket.id)
    ctx.reply(ctx._("Type your message for the trainer."), rows(Button(ctx._("Cancel"), HOME.encode())))


@router.step(FaqStep.FOLLOW_UP, filters=[HasText])
async def got_follow_up(ctx: Context) -> None:
    ticket = await ctx.session.get(FaqTicket, int(ctx.data.get("ticket", 0)))
    ctx.goto(None)
    if ticket is None or ticket.status == TicketStatus.CLOSED:
        ctx.reply(ctx._("This question is closed. Ask a new one any time."))
        return
    text = ctx.msg.text.strip()[:QUESTION_MAX]
    ctx.session.add(FaqTicketMessage(ticket_id=ticket.id, author_id=ctx.user.id, from_trainer=False, text=text,
                                     created_at=ctx.now))
    trainer = await ctx.session.get(User, ticket.trainer_id) if ticket.trainer_id else None
    if trainer is not None:
        t = translator(trainer.language, trainer.timezone)
        ctx.send(trainer, Reply(
            t.gettext("{name} wrote on ticket #{number}:\n{text}", name=ctx.user.name or "?", number=ticket.id,
                      text=text),
            rows(Button(t.gettext("Reply"), TAKE.encode(ticket.id)),
                 Button(t.gettext("Close ticket"), CLOSE.encode(ticket.id))),
            kind="relay",
        ))
    else:
        ticket.question = (ticket.question + "\n" + text)[:QUESTION_MAX * 2]
    ctx.reply(ctx._("Sent to the trainer."), rows(main_menu(ctx)))


# --- the trainer's side --------------------------------------------------------------------------


@router.on(Command("tickets"), IsTrainer)
@router.on(TICKETS, IsTrainer)
async def tickets(ctx: Context) -> None:
    found = await tickets_for_trainer(ctx.session, ctx.user.id, limit=10)
    if not found:
        ctx.reply(ctx._("No open tickets. Well done!"), rows(main_menu(ctx)))
        return
    lines = [ctx._("Open tickets, oldest first:")]
    buttons = []
    for ticket in found:
        mine = ticket.status == TicketStatus.TAKEN
        when = ctx.t.datetime(ticket.created_at, "short")
        status = ctx._("yours") if mine else ctx._("open")
        lines.append(f"#{ticket.id} · {when} · {status}\n{short(ticket.question, 200)}")
        label = ctx._("Reply #{number}", number=ticket.id) if mine else ctx._("Take #{number}", number=ticket.id)
        buttons.append(Button(label, TAKE.encode(ticket.id)))
    buttons.append(main_menu(ctx))
    ctx.reply("\n\n".join(lines), rows(*buttons, width=2), title=ctx._("Tickets"))


@router.on(TAKE, IsTrainer)
async def take(ctx: Context) -> None:
    ticket = await ctx.session.get(FaqTicket, TAKE.arg(ctx))
    if ticket is None or ticket.status == TicketStatus.CLOSED:
        ctx.reply(ctx._("That ticket is closed."), rows(open_tickets(ctx)))
        return
    if taken_by_other(ticket, ctx.user.id):
        ctx.reply(ctx._("Another trainer has already taken ticket #{number}.", number=ticket.id),
                  rows(open_tickets(ctx)))
        return
    asker = await ctx.session.get(User, ticket.user_id)
    if claim_ticket(ticket, ctx.user.id, ctx.now) and asker is not None:
        ctx.send(asker, taken_notice(asker, ticket))
    ctx.goto(FaqStep.ANSWER, ticket=ticket.id)
    language = LANGUAGES[ticket.language].native_name if ticket.language in LANGUAGES else "?"
    ctx.reply(
        ctx._("Ticket #{number} from {name} (language: {language}):\n{question}\n\n"
              "Type your answer; each message goes to them. Close the ticket when you are done.",
              number=ticket.id, name=asker.name if asker and asker.name else "?", language=language,
              question=ticket.question),
        rows(Button(ctx._("Close ticket"), CLOSE.encode(ticket.id)), open_tickets(ctx), width=2),
    )


@router.step(FaqStep.ANSWER, filters=[HasText, IsTrainer])
async def relay_answer(ctx: Context) -> None:
    ticket = await ctx.session.get(FaqTicket, int(ctx.data.get("ticket", 0)))
    if ticket is None or ticket.status == TicketStatus.CLOSED or ticket.trainer_id != ctx.user.id:
        ctx.goto(None)
        ctx.reply(ctx._("That ticket is closed."), rows(open_tickets(ctx)))
        return
    asker = await ctx.session.get(User, ticket.user_id)
    text = ctx.msg.text.strip()
    add_answer(ctx.session, ticket, ctx.user.id, text, ctx.now)
    delivered = asker is not None and ctx.send(asker, answer_notice(asker, ticket, text))
    if not delivered:
        ctx.reply(ctx._("I could not reach them (no address they can get messages at)."))
        return
    ctx.reply(ctx._("Sent. Type more, or close the ticket."),
              rows(Button(ctx._("Close ticket"), CLOSE.encode(ticket.id)), open_tickets(ctx), width=2))


@router.on(CLOSE, IsTrainer)
async def close(ctx: Context) -> None:
    ticket = await ctx.session.get(FaqTicket, CLOSE.arg(ctx))
    ctx.goto(None)
    if ticket is None or ticket.status == TicketStatus.CLOSED:
        ctx.reply(ctx._("That ticket is closed."), rows(open_tickets(ctx)))
        return
    if taken_by_other(ticket, ctx.user.id):
        ctx.reply(ctx._("Another trainer has already taken ticket #{number}.", number=ticket.id),
                  rows(open_tickets(ctx)))
        return
    close_ticket(ticket, ctx.user.id, ctx.now)
    asker = await ctx.session.get(User, ticket.user_id)
    if asker is not None:
        ctx.send(asker, closed_notice(asker, ticket))
    ctx.reply(ctx._("Ticket #{number} closed.", number=ticket.id),
              rows(open_tickets(ctx), main_menu(ctx), width=2))


@refusals.on(Command("tickets", "unanswered"))
@refusals.on(TICKETS)
@refusals.on(TAKE)
@refusals.on(CLOSE)
async def trainers_only(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, only trainers can do that."), rows(main_menu(ctx)))
