"""The FAQ answering free-text questions: a match, an answer, "did you mean", "was this helpful?".

Free text while no flow waits for text (and "Ask a question", ``faq:ask``) goes to the matcher
(:mod:`bot.text.faq_index`): a confident match is answered with "Was this helpful?" buttons
(``faq:fb:<answer id>:y|n``); a grey-zone one offers the top entries (``faq:show:<entry>:<log id>``);
no match says so and offers a person (``faq:human:q:<log id>``, see tickets.py). A long message not
answered as a whole is matched by its parts, which may offer choices (:mod:`bot.text.faq_parts`).
Questions not answered are logged (unanswered.py lists them). Greetings and thanks get a word back and
the menu; an emoji or "ok" gets the buttons on screen again. The question prompt has Back (the menu)
and Cancel (``faq:cancel``); an emoji typed there is not a question: the prompt is asked again.

``router`` holds the asker's routes; ``free_text_router`` the catch-all for free text, which goes last.
"""

from __future__ import annotations

import asyncio

from bot.context import Context
from bot.i18n import LANGUAGES
from bot.jobs import Job, JobContext
from bot.router import HasText, NoStep, Onboarded, Router
from bot.text.faq_decide import Candidate
from bot.text.faq_index import EXTRAS_KEY, FaqIndex, index_for
from bot.text.normalise import normalise_text
from bot.types import Button, rows
from content import FaqEntry
from handlers.faq.actions import ABOUT_ANSWER, ABOUT_UNANSWERED, ASK, CANCEL, FEEDBACK, HUMAN_ABOUT, NO, SHOW, YES
from handlers.faq.common import QUESTION_MAX, FaqStep, main_menu, prompt_buttons, short, wordless
from handlers.menu import current_buttons, show_menu
from storage.faq import FaqAnswer, FaqUnanswered

router = Router("faq.answer")
free_text_router = Router("faq.free_text")


async def warm_index(jc: JobContext) -> int:
    """Build the FAQ index at start, in a worker thread, so the first question does not stall the bot."""
    if EXTRAS_KEY not in jc.deps.extras:
        index = await asyncio.to_thread(FaqIndex.for_library, jc.deps.library)
        jc.deps.extras.setdefault(EXTRAS_KEY, (jc.deps.library, index))
    return 0


JOBS: list[Job] = [Job("faq-index", 3600.0, warm_index, each_worker=True)]


# --- helpers -------------------------------------------------------------------------------------


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
        (Button(ctx._("👍 Yes"), FEEDBACK.encode(answer_id, YES)),
         Button(ctx._("👎 No"), FEEDBACK.encode(answer_id, NO))),
        (main_menu(ctx),),
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
            buttons.append(Button(short(phrasing), SHOW.encode(candidate.entry_id, logged.id)))
        buttons.append(Button(ctx._("None of these"), HUMAN_ABOUT.encode(ABOUT_UNANSWERED, logged.id)))
        ctx.reply("\n".join(lines), rows(*buttons))
        return
    logged = await log_unanswered(ctx, question, "none", match.best)
    ctx.reply(
        ctx._("Sorry, I don't know the answer to that yet. A trainer can answer you here in the chat."),
        rows(Button(ctx._("Ask a trainer"), HUMAN_ABOUT.encode(ABOUT_UNANSWERED, logged.id)), main_menu(ctx)),
    )


# --- the asker's side ----------------------------------------------------------------------------


@router.on(ASK, Onboarded)
async def ask(ctx: Context) -> None:
    ctx.goto(FaqStep.ASK)
    ctx.reply(ctx._("Type your question in your own words, in any language."), prompt_buttons(ctx))


@router.step(FaqStep.ASK, filters=[HasText])
async def got_question(ctx: Context) -> None:
    if wordless(ctx.msg.text):  # an emoji is not a question: ask again, with the way out
        await ask(ctx)
        return
    await answer_question(ctx, ctx.msg.text)


@router.on(CANCEL, Onboarded)
async def cancel(ctx: Context) -> None:
    """Cancel under a prompt waiting for a question (for the FAQ or a trainer): no question, the menu."""
    ctx.goto(None)
    show_menu(ctx, ctx._("Cancelled."))


@router.on(SHOW, Onboarded)
async def show(ctx: Context) -> None:
    entry_id, *log_id = SHOW.args(ctx)
    entry = ctx.deps.library.faq.get(entry_id)
    if entry is None:
        ctx.reply(ctx._("That question is no longer in the FAQ."), rows(main_menu(ctx)))
        return
    question = phrasing_for(ctx, entry)
    matched = None
    if log_id:
        logged = await ctx.session.get(FaqUnanswered, log_id[0])
        if logged is not None and logged.user_id == ctx.user.id:
            logged.chosen_entry_id = entry.id
            question = logged.question
            # Which of the entry's languages the question matched (for the answer's language).
            found = index_for(ctx.deps).search(question, limit=10)
            matched = next((c for c in found if c.entry_id == entry.id), None)
    ctx.goto(None)
    await give_answer(ctx, entry, question, None, matched)


@router.on(FEEDBACK, Onboarded)
async def feedback(ctx: Context) -> None:
    answer_id, vote = FEEDBACK.args(ctx)
    record = await ctx.session.get(FaqAnswer, answer_id)
    if record is None or record.user_id != ctx.user.id or vote not in {YES, NO}:
        ctx.reply(ctx._("That button is no longer active. Here is the menu."), rows(main_menu(ctx)))
        return
    first_vote = record.helpful is None
    record.helpful = vote == YES
    record.voted_at = ctx.now
    if record.helpful:
        ctx.reply(ctx._("Thank you! Ask me anything else any time."), rows(main_menu(ctx)))
        return
    if first_vote:
        ctx.session.add(FaqUnanswered(user_id=ctx.user.id, question=record.question, language=ctx.user.language,
                                      outcome="unhelpful", best_entry_id=record.entry_id,
                                      best_score=record.score, created_at=ctx.now))
    ctx.reply(ctx._("Sorry about that. Would you like to ask a trainer?"),
              rows(Button(ctx._("Ask a trainer"), HUMAN_ABOUT.encode(ABOUT_ANSWER, record.id)), main_menu(ctx)))


# --- free text anywhere (last: see handlers/faq/__init__.py) -------------------------------------


# Greetings, thanks and "ok" in the region's languages: small talk gets a word back, not "I don't know".
GREETINGS = {
    "hi", "hello", "hey", "hallo", "good morning", "good afternoon", "good evening", "ສະບາຍດີ", "សួស្តី",
    "ជំរាបសួរ", "xin chào", "chào", "chào bạn", "xin chao", "chao", "สวัสดี", "สวัสดีครับ", "สวัสดีค่ะ", "halo",
    "hai", "selamat pagi", "selamat siang", "selamat malam", "apa kabar", "မင်္ဂလာပါ", "kumusta",
    "magandang umaga",
}
THANKS = {
    "thanks", "thank you", "ຂອບໃຈ", "ຂອບໃຈຫຼາຍໆ", "អរគុណ", "cảm ơn", "cám ơn", "cam on", "ขอบคุณ", "ขอบคุณครับ",
    "ขอบคุณค่ะ", "terima kasih", "makasih", "ကျေးဇူးတင်ပါတယ်", "salamat",
}
ACKNOWLEDGEMENTS = {"ok", "okay"}
SMALL_TALK = GREETINGS | THANKS | ACKNOWLEDGEMENTS


def _said(ctx: Context) -> str:
    return normalise_text(ctx.msg.text).strip().strip("!.?,~ ").casefold()


def is_small_talk(ctx: Context) -> bool:
    text = _said(ctx)
    return text in SMALL_TALK or wordless(text)  # greetings, thanks, or emoji only


@free_text_router.on(NoStep, HasText, Onboarded, is_small_talk)
async def small_talk(ctx: Context) -> None:
    said, name = _said(ctx), ctx.user.name or ""
    if said in GREETINGS:
        show_menu(ctx, ctx._("Hello, {name}!", name=name))
    elif said in THANKS:
        show_menu(ctx, ctx._("You're welcome, {name}!", name=name))
    else:  # an emoji or "ok" in the middle of a conversation: carry on from the buttons on screen
        ctx.reply(ctx._("What would you like to do?"), current_buttons(ctx))


@free_text_router.on(NoStep, HasText, Onboarded)
async def free_text(ctx: Context) -> None:
    await answer_question(ctx, ctx.msg.text)
