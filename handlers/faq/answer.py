"""FAQ: free-text questions answered from the content library, with a hand-over to a trainer.

- Free text while no flow waits for text (and "Ask a question", ``faq:ask``) goes to the matcher
  (bot/text/matching.py): a confident match is answered with "Was this helpful?" buttons
  (``faq:fb:<answer id>:y|n``); a grey-zone one offers the top entries (``faq:show:<entry>:<log id>``);
  no match says so and offers a person (``faq:human:q:<log id>``).
- "Talk to a trainer" (``faq:human``, or the words trainer / human) opens a ticket. Trainers get a
  note, see open tickets (``/tickets``, menu item for them only), take one (``faq:take:<id>``; the user
  is told), type answers that reach the user through the bot (kind "relay"), and close it
  (``faq:close:<id>``; the user is told). The user can write back (``faq:back:<id>``).
- Questions not answered are logged; trainers list recent ones with ``/unanswered``.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from sqlalchemy import select

from bot.context import Context
from bot.i18n import LANGUAGES, N_, normalise_text, translator
from bot.jobs import Job, JobContext
from bot.router import Command, HasText, NoStep, Onboarded, Roles, Router, Words
from bot.text import matching
from bot.text.matching import Candidate, index_for
from bot.types import Button, Reply, rows
from content import FaqEntry
from handlers.menu import add_item, show_menu
from storage.faq import FaqAnswer, FaqTicket, FaqTicketMessage, FaqUnanswered, TicketStatus
from storage.models import Role, User

router = Router("faq")



async def warm_index(jc: JobContext) -> int:
    """Build the FAQ index at start, in a worker thread, so the first question does not stall the bot."""
    if matching.EXTRAS_KEY not in jc.deps.extras:
        index = await asyncio.to_thread(matching.FaqIndex.for_library, jc.deps.library)
        jc.deps.extras.setdefault(matching.EXTRAS_KEY, (jc.deps.library, index))
    return 0


JOBS: list[Job] = [Job("faq-index", 3600.0, warm_index)]

TRAINER_ROLES = (Role.TRAINER, Role.ADMIN)
IsTrainer = Roles(*TRAINER_ROLES)
QUESTION_MAX = 1000
LABEL_MAX = 40
NOTIFY_TRAINERS_MAX = 50


def _is_trainer(ctx: Context) -> bool:
    return ctx.user.role in TRAINER_ROLES


add_item(N_("Ask a question"), "faq:ask", 40)
add_item(N_("Talk to a trainer"), "faq:human", 45)
add_item(N_("Open tickets"), "faq:tickets", 80, visible=_is_trainer)


class FaqStep(StrEnum):
    ASK = "faq.ask"  # waiting for a question for the FAQ
    HUMAN = "faq.human"  # waiting for a question for a trainer
    FOLLOW_UP = "faq.follow_up"  # the user writes back on a ticket (data: ticket)
    ANSWER = "faq.answer"  # a trainer types answers on a ticket (data: ticket)


# --- helpers -------------------------------------------------------------------------------------


def short(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def phrasing_for(ctx: Context, entry: FaqEntry, matched: Candidate | None = None) -> str:
    """The entry's question as the user should see it: in their language if we have it."""
    language = ctx.user.language or "en"
    if entry.questions.get(language):
        return entry.questions[language][0]
    if matched is not None and matched.entry_id == entry.id:
        return matched.phrasing
    return entry.questions.get("en", ("?",))[0]


def answer_text(ctx: Context, entry: FaqEntry, matched_language: str | None) -> str:
    """The answer in the user's language; else in the language their question matched (Malay asker,
    Indonesian entry), else English; with a note saying so."""
    language = ctx.user.language or "en"
    if language in entry.answer:
        return entry.answer[language]
    used = matched_language if matched_language and matched_language in entry.answer else "en"
    text = entry.answer.get(used) or next(iter(entry.answer.values()), "")
    name = LANGUAGES[used].native_name if used in LANGUAGES else used
    return text + "\n\n" + ctx._("(There is no answer in your language yet, so here it is in {language}.)",
                                 language=name)


def feedback_buttons(ctx: Context, answer_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(ctx._("👍 Yes"), f"faq:fb:{answer_id}:y"), Button(ctx._("👎 No"), f"faq:fb:{answer_id}:n")),
        (Button(ctx._("Main menu"), "menu:home"),),
    )


async def give_answer(ctx: Context, entry: FaqEntry, question: str, score: float | None,
                      matched: Candidate | None) -> None:
    record = FaqAnswer(user_id=ctx.user.id, entry_id=entry.id, question=question[:QUESTION_MAX], score=score,
                       created_at=ctx.now)
    ctx.session.add(record)
    await ctx.session.flush()
    text = answer_text(ctx, entry, matched.language if matched else None)
    ctx.reply(text + "\n\n" + ctx._("Was this helpful?"), feedback_buttons(ctx, record.id),
              title=phrasing_for(ctx, entry, matched))


async def log_unanswered(ctx: Context, question: str, outcome: str, best: Candidate | None) -> FaqUnanswered:
    row = FaqUnanswered(user_id=ctx.user.id, question=question[:QUESTION_MAX], language=ctx.user.language,
                        outcome=outcome, best_entry_id=best.entry_id if best else None,
                        best_score=best.score if best else None, created_at=ctx.now)
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def answer_question(ctx: Context, question: str) -> None:
    """Match a free-text question and answer, offer choices, or offer a person."""
    ctx.goto(None)
    question = " ".join(question.split())
    match = index_for(ctx.deps).match(question)
    faq = ctx.deps.library.faq
    if match.outcome == "answer" and match.best is not None and match.best.entry_id in faq:
        await give_answer(ctx, faq[match.best.entry_id], question, match.best.score, match.best)
        return
    if match.outcome == "choices":
        logged = await log_unanswered(ctx, question, "choices", match.best)
        offered = [c for c in match.candidates if c.entry_id in faq]
        lines = [ctx._("I am not sure I understood. Did you mean:")]
        buttons = []
        for number, candidate in enumerate(offered, 1):
            phrasing = phrasing_for(ctx, faq[candidate.entry_id], candidate)
            lines.append(f"{number}. {phrasing}")
            buttons.append(Button(short(phrasing), f"faq:show:{candidate.entry_id}:{logged.id}"))
        buttons.append(Button(ctx._("None of these"), f"faq:human:q:{logged.id}"))
        ctx.reply("\n".join(lines), rows(*buttons))
        return
    logged = await log_unanswered(ctx, question, "none", match.best)
    ctx.reply(
        ctx._("Sorry, I don't know the answer to that yet. A trainer can answer you here in the chat."),
        rows(Button(ctx._("Ask a trainer"), f"faq:human:q:{logged.id}"), Button(ctx._("Main menu"), "menu:home")),
    )


async def trainers(ctx: Context) -> list[User]:
    query = select(User).where(User.role.in_(TRAINER_ROLES), User.id != ctx.user.id).order_by(User.id)
    return list((await ctx.session.scalars(query.limit(NOTIFY_TRAINERS_MAX))).all())


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
        rows(Button(ctx._("Main menu"), "menu:home")),
    )
    for trainer in await trainers(ctx):
        t = translator(trainer.language, trainer.timezone)
        ctx.send(trainer, Reply(
            t.gettext("New question for a trainer (ticket #{number}) from {name}:\n{question}",
                      number=ticket.id, name=ctx.user.name or "?", question=question),
            rows(Button(t.gettext("Take it"), f"faq:take:{ticket.id}")),
            kind="relay",
        ))


async def load_ticket(ctx: Context, raw_id: str) -> FaqTicket | None:
    if not raw_id.isdigit():
        return None
    return await ctx.session.get(FaqTicket, int(raw_id))


# --- the asker's side ----------------------------------------------------------------------------


@router.button("faq:ask", filters=[Onboarded])
async def ask(ctx: Context) -> None:
    ctx.goto(FaqStep.ASK)
    ctx.reply(ctx._("Type your question in your own words, in any language."))


@router.step(FaqStep.ASK, filters=[HasText])
async def got_question(ctx: Context) -> None:
    await answer_question(ctx, ctx.msg.text)


@router.on(Words(N_("trainer"), N_("human"), N_("talk to a trainer"), N_("talk to a person")), Onboarded, NoStep)
@router.on(Command("trainer"), Onboarded)
@router.button("faq:human", filters=[Onboarded])
async def human(ctx: Context) -> None:
    parts = ctx.payload_parts
    if len(parts) == 4 and parts[2] in {"q", "a"} and parts[3].isdigit():
        row: FaqUnanswered | FaqAnswer | None
        if parts[2] == "q":
            row = await ctx.session.get(FaqUnanswered, int(parts[3]))
        else:
            row = await ctx.session.get(FaqAnswer, int(parts[3]))
        if row is not None and row.user_id == ctx.user.id:
            await open_ticket(ctx, row.question)
            return
    ctx.goto(FaqStep.HUMAN)
    ctx.reply(ctx._("Type your question for a trainer. They will answer you here."),
              rows(Button(ctx._("Cancel"), "menu:home")))


@router.step(FaqStep.HUMAN, filters=[HasText])
async def got_human_question(ctx: Context) -> None:
    await open_ticket(ctx, ctx.msg.text)


@router.button("faq:show", filters=[Onboarded])
async def show(ctx: Context) -> None:
    parts = ctx.payload_parts
    entry = ctx.deps.library.faq.get(parts[2]) if len(parts) >= 3 else None
    if entry is None:
        ctx.reply(ctx._("That question is no longer in the FAQ."), rows(Button(ctx._("Main menu"), "menu:home")))
        return
    question = phrasing_for(ctx, entry)
    matched = None
    if len(parts) == 4 and parts[3].isdigit():
        logged = await ctx.session.get(FaqUnanswered, int(parts[3]))
        if logged is not None and logged.user_id == ctx.user.id:
            logged.chosen_entry_id = entry.id
            question = logged.question
            # Which of the entry's languages the question matched (for the answer's language).
            found = index_for(ctx.deps).search(question, limit=10)
            matched = next((c for c in found if c.entry_id == entry.id), None)
    ctx.goto(None)
    await give_answer(ctx, entry, question, None, matched)


@router.button("faq:fb", filters=[Onboarded])
async def feedback(ctx: Context) -> None:
    parts = ctx.payload_parts
    record = await ctx.session.get(FaqAnswer, int(parts[2])) if len(parts) == 4 and parts[2].isdigit() else None
    if record is None or record.user_id != ctx.user.id or parts[3] not in {"y", "n"}:
        ctx.reply(ctx._("That button is no longer active. Here is the menu."),
                  rows(Button(ctx._("Main menu"), "menu:home")))
        return
    first_vote = record.helpful is None
    record.helpful = parts[3] == "y"
    record.voted_at = ctx.now
    if record.helpful:
        ctx.reply(ctx._("Thank you! Ask me anything else any time."), rows(Button(ctx._("Main menu"), "menu:home")))
        return
    if first_vote:
        ctx.session.add(FaqUnanswered(user_id=ctx.user.id, question=record.question, language=ctx.user.language,
                                      outcome="unhelpful", best_entry_id=record.entry_id,
                                      best_score=record.score, created_at=ctx.now))
    ctx.reply(ctx._("Sorry about that. Would you like to ask a trainer?"),
              rows(Button(ctx._("Ask a trainer"), f"faq:human:a:{record.id}"), Button(ctx._("Main menu"), "menu:home")))


@router.button("faq:back", filters=[Onboarded])
async def write_back(ctx: Context) -> None:
    ticket = await load_ticket(ctx, ctx.payload_parts[-1])
    if ticket is None or ticket.user_id != ctx.user.id or ticket.status == TicketStatus.CLOSED:
        ctx.reply(ctx._("This question is closed. Ask a new one any time."),
                  rows(Button(ctx._("Talk to a trainer"), "faq:human"), Button(ctx._("Main menu"), "menu:home")))
        return
    ctx.goto(FaqStep.FOLLOW_UP, ticket=ticket.id)
    ctx.reply(ctx._("Type your message for the trainer."), rows(Button(ctx._("Cancel"), "menu:home")))


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
            rows(Button(t.gettext("Reply"), f"faq:take:{ticket.id}"),
                 Button(t.gettext("Close ticket"), f"faq:close:{ticket.id}")),
            kind="relay",
        ))
    else:
        ticket.question = (ticket.question + "\n" + text)[:QUESTION_MAX * 2]
    ctx.reply(ctx._("Sent to the trainer."), rows(Button(ctx._("Main menu"), "menu:home")))


# --- the trainer's side --------------------------------------------------------------------------


@router.on(Command("tickets"), IsTrainer)
@router.button("faq:tickets", filters=[IsTrainer])
async def tickets(ctx: Context) -> None:
    query = (
        select(FaqTicket)
        .where((FaqTicket.status == TicketStatus.OPEN)
               | ((FaqTicket.status == TicketStatus.TAKEN) & (FaqTicket.trainer_id == ctx.user.id)))
        .order_by(FaqTicket.created_at, FaqTicket.id)
        .limit(10)
    )
    found = list((await ctx.session.scalars(query)).all())
    if not found:
        ctx.reply(ctx._("No open tickets. Well done!"), rows(Button(ctx._("Main menu"), "menu:home")))
        return
    lines = [ctx._("Open tickets, oldest first:")]
    buttons = []
    for ticket in found:
        mine = ticket.status == TicketStatus.TAKEN
        when = ctx.t.datetime(ticket.created_at, "short")
        status = ctx._("yours") if mine else ctx._("open")
        lines.append(f"#{ticket.id} · {when} · {status}\n{short(ticket.question, 200)}")
        label = ctx._("Reply #{number}", number=ticket.id) if mine else ctx._("Take #{number}", number=ticket.id)
        buttons.append(Button(label, f"faq:take:{ticket.id}"))
    buttons.append(Button(ctx._("Main menu"), "menu:home"))
    ctx.reply("\n\n".join(lines), rows(*buttons, width=2), title=ctx._("Tickets"))


@router.button("faq:take", filters=[IsTrainer])
async def take(ctx: Context) -> None:
    ticket = await load_ticket(ctx, ctx.payload_parts[-1])
    if ticket is None or ticket.status == TicketStatus.CLOSED:
        ctx.reply(ctx._("That ticket is closed."), rows(Button(ctx._("Open tickets"), "faq:tickets")))
        return
    if ticket.status == TicketStatus.TAKEN and ticket.trainer_id != ctx.user.id:
        ctx.reply(ctx._("Another trainer has already taken ticket #{number}.", number=ticket.id),
                  rows(Button(ctx._("Open tickets"), "faq:tickets")))
        return
    asker = await ctx.session.get(User, ticket.user_id)
    if ticket.status == TicketStatus.OPEN:
        ticket.status = TicketStatus.TAKEN
        ticket.trainer_id = ctx.user.id
        ticket.taken_at = ctx.now
        if asker is not None:
            t = translator(asker.language, asker.timezone)
            ctx.send(asker, Reply(t.gettext("A trainer is looking at your question: “{question}”",
                                            question=short(ticket.question, 200)), kind="relay"))
    ctx.goto(FaqStep.ANSWER, ticket=ticket.id)
    language = LANGUAGES[ticket.language].native_name if ticket.language in LANGUAGES else "?"
    ctx.reply(
        ctx._("Ticket #{number} from {name} (language: {language}):\n{question}\n\n"
              "Type your answer; each message goes to them. Close the ticket when you are done.",
              number=ticket.id, name=asker.name if asker and asker.name else "?", language=language,
              question=ticket.question),
        rows(Button(ctx._("Close ticket"), f"faq:close:{ticket.id}"), Button(ctx._("Open tickets"), "faq:tickets"),
             width=2),
    )


@router.step(FaqStep.ANSWER, filters=[HasText, IsTrainer])
async def relay_answer(ctx: Context) -> None:
    ticket = await ctx.session.get(FaqTicket, int(ctx.data.get("ticket", 0)))
    if ticket is None or ticket.status == TicketStatus.CLOSED or ticket.trainer_id != ctx.user.id:
        ctx.goto(None)
        ctx.reply(ctx._("That ticket is closed."), rows(Button(ctx._("Open tickets"), "faq:tickets")))
        return
    asker = await ctx.session.get(User, ticket.user_id)
    text = ctx.msg.text.strip()
    ctx.session.add(FaqTicketMessage(ticket_id=ticket.id, author_id=ctx.user.id, from_trainer=True, text=text,
                                     created_at=ctx.now))
    ticket.answered_at = ctx.now
    delivered = False
    if asker is not None:
        t = translator(asker.language, asker.timezone)
        delivered = ctx.send(asker, Reply(
            t.gettext("A trainer answers your question:\n{text}", text=text),
            rows(Button(t.gettext("Write back"), f"faq:back:{ticket.id}")),
            kind="relay",
        ))
    if not delivered:
        ctx.reply(ctx._("I could not reach them (no address they can get messages at)."))
        return
    ctx.reply(ctx._("Sent. Type more, or close the ticket."),
              rows(Button(ctx._("Close ticket"), f"faq:close:{ticket.id}"),
                   Button(ctx._("Open tickets"), "faq:tickets"), width=2))


@router.button("faq:close", filters=[IsTrainer])
async def close(ctx: Context) -> None:
    ticket = await load_ticket(ctx, ctx.payload_parts[-1])
    ctx.goto(None)
    if ticket is None or ticket.status == TicketStatus.CLOSED:
        ctx.reply(ctx._("That ticket is closed."), rows(Button(ctx._("Open tickets"), "faq:tickets")))
        return
    if ticket.status == TicketStatus.TAKEN and ticket.trainer_id not in (None, ctx.user.id):
        ctx.reply(ctx._("Another trainer has already taken ticket #{number}.", number=ticket.id),
                  rows(Button(ctx._("Open tickets"), "faq:tickets")))
        return
    ticket.status = TicketStatus.CLOSED
    ticket.trainer_id = ticket.trainer_id or ctx.user.id
    ticket.closed_at = ctx.now
    asker = await ctx.session.get(User, ticket.user_id)
    if asker is not None:
        t = translator(asker.language, asker.timezone)
        ctx.send(asker, Reply(
            t.gettext("The trainer has closed your question “{question}”. Ask again any time.",
                      question=short(ticket.question, 200)),
            rows(Button(t.gettext("Talk to a trainer"), "faq:human"), Button(t.gettext("Main menu"), "menu:home")),
            kind="relay",
        ))
    ctx.reply(ctx._("Ticket #{number} closed.", number=ticket.id),
              rows(Button(ctx._("Open tickets"), "faq:tickets"), Button(ctx._("Main menu"), "menu:home"), width=2))


@router.on(Command("unanswered"), IsTrainer)
async def unanswered(ctx: Context) -> None:
    query = (
        select(FaqUnanswered)
        .where(FaqUnanswered.chosen_entry_id.is_(None))
        .order_by(FaqUnanswered.created_at.desc(), FaqUnanswered.id.desc())
        .limit(20)
    )
    found = list((await ctx.session.scalars(query)).all())
    if not found:
        ctx.reply(ctx._("No unanswered questions. The FAQ knows them all!"))
        return
    outcomes = {"none": ctx._("no match"), "choices": ctx._("unsure"), "unhelpful": ctx._("not helpful")}
    lines = [ctx._("Questions the FAQ could not answer, newest first (add FAQ entries for them):")]
    for row in found:
        guess = f" → {row.best_entry_id}?" if row.best_entry_id else ""
        lines.append(f"• [{row.language or '?'}] {short(row.question, 150)} · "
                     f"{outcomes.get(row.outcome, row.outcome)}{guess}")
    ctx.reply("\n".join(lines), title=ctx._("Unanswered questions"))


@router.on(Command("tickets", "unanswered"))
@router.button("faq:tickets")
@router.button("faq:take")
@router.button("faq:close")
async def trainers_only(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, only trainers can do that."), rows(Button(ctx._("Main menu"), "menu:home")))


# --- free text anywhere --------------------------------------------------------------------------


# Greetings and thanks in the region's languages: small talk gets the menu, not "I don't know".
SMALL_TALK = {
    "hi", "hello", "hey", "hallo", "good morning", "good afternoon", "good evening", "thanks", "thank you",
    "ok", "okay", "ສະບາຍດີ", "ຂອບໃຈ", "ຂອບໃຈຫຼາຍໆ", "សួស្តី", "ជំរាបសួរ", "អរគុណ", "xin chào", "chào",
    "chào bạn", "cảm ơn", "cám ơn", "xin chao", "cam on", "สวัสดี", "สวัสดีครับ", "สวัสดีค่ะ", "ขอบคุณ",
    "ขอบคุณครับ", "ขอบคุณค่ะ", "halo", "hai", "selamat pagi", "selamat siang", "selamat malam", "terima kasih",
    "makasih", "apa kabar", "မင်္ဂလာပါ", "ကျေးဇူးတင်ပါတယ်", "kumusta", "salamat", "magandang umaga",
}


def is_small_talk(ctx: Context) -> bool:
    text = normalise_text(ctx.msg.text).strip().strip("!.?,~ ").casefold()
    return text in SMALL_TALK or not any(ch.isalnum() for ch in text)  # greetings, or emoji only


@router.on(NoStep, HasText, Onboarded, is_small_talk)
async def small_talk(ctx: Context) -> None:
    show_menu(ctx, ctx._("Welcome back, {name}!", name=ctx.user.name or ""))


@router.on(NoStep, HasText, Onboarded)
async def free_text(ctx: Context) -> None:
    await answer_question(ctx, ctx.msg.text)
