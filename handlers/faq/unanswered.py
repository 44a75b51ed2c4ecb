"""``/unanswered`` (trainers): recent questions the FAQ could not answer, material for new entries."""

from __future__ import annotations

from bot.context import Context
from bot.router import Command, Router
from handlers.faq.common import IsTrainer, short
from storage.faq import recent_unanswered

router = Router("faq.unanswered")


@router.on(Command("unanswered"), IsTrainer)
async def unanswered(ctx: Context) -> None:
    found = await recent_unanswered(ctx.session, limit=20)
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
