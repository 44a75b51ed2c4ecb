"""FAQ: answers free-text questions from the content library, offers choices, hands over to a trainer.

- ``answer``: the matcher's answer, "did you mean", "was this helpful?", small talk, free text.
- ``tickets``: the hand-over to a trainer (open, take, answer through the bot, write back, close).
- ``unanswered``: ``/unanswered`` for trainers.

Shared: ``actions`` (the button payloads), ``common`` (steps, trainer roles, limits, menu items).
Queries live in ``storage.faq``; matching in ``bot.text``.

The sub-routers in this order keep the routes' order: the asker's buttons and steps, the hand-over and
the trainer routes, then the refusals for anyone else pressing a trainer's button (after every trainer
route), and last free text (the words "trainer"/"human" must reach the hand-over first). Only those
routes overlap; the others answer distinct buttons, commands and steps.
"""

import handlers.faq.pages  # noqa: F401 - the console's /admin/inbox pages
from bot.router import Router
from handlers.faq import answer, tickets, unanswered
from handlers.faq.answer import JOBS

router = Router("faq")
for sub in (answer.router, tickets.router, unanswered.router, tickets.refusals, answer.free_text_router):
    router.include(sub)

__all__ = ["JOBS", "router"]
