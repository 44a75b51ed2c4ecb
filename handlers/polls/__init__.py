"""Polls and consultations (issue 18): a trainer makes a poll by chat (``/poll``: questions, each single
choice, multiple choice or short free text; the audience, with the announcements' filters; anonymous or
named; when it opens and closes), the ``polls`` job sends it when it opens, recipients answer by button or
by typing, the trainer sees live results with a bar chart and exports CSV (``/poll results``; the console's
``/admin/polls``).

- ``create``: the trainer's conversation; ``audience``: who gets it; ``answer``: the recipients' side;
  ``results``: results, chart, CSV, closing early; ``job``: opening, sending, closing; ``chart``: the PNG;
  ``pages``: the console. Buttons in ``actions``; queries and the anonymity rules in ``storage.polls``.
"""

from bot.router import Router
from handlers.polls import answer, audience, create, results
from handlers.polls import pages as pages  # the console's /admin/polls (routes register)
from handlers.polls.job import JOBS

router = Router("polls")
for sub in (create.router, audience.router, results.router, answer.router):
    router.include(sub)

__all__ = ["JOBS", "router"]
