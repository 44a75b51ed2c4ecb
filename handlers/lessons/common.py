"""What the lessons modules share: the router, the button payloads, and texts in the learner's language.

Payloads (unchanged on the wire): ``course:<id>`` (course card), ``course:restart:<id>``, ``lesson:<id>``
(next lesson or open question), ``quiz:<course>:<question>:<choice>`` (an answer), and the menu's
``menu:courses`` and ``menu:progress``.
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.payloads import Action
from bot.router import Router
from content import Text
from handlers.menu import add_item

router = Router("lessons")

COURSES = Action("menu:courses")
PROGRESS = Action("menu:progress")
# A bare "course" or "lesson" (no id) is answered like an unknown course, hence the optional id.
COURSE = Action("course", str, optional_last=True)
RESTART = Action("course:restart", str)
LESSON = Action("lesson", str, optional_last=True)
QUIZ = Action("quiz", str, str, int)  # course, question, choice index

add_item(N_("Courses"), COURSES, 10)
add_item(N_("My progress"), PROGRESS, 20)


def text_in(ctx: Context, text: Text) -> str:
    value, fell_back = text.get_text(ctx.user.language or "en")
    if fell_back:
        return value + "\n\n" + ctx._("(Not translated into your language yet, so here it is in English.)")
    return value


def plain(ctx: Context, text: Text) -> str:
    """A short text (title, button) in the user's language or English, without the note."""
    return text.in_(ctx.user.language or "en")
