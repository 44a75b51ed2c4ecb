"""What the lessons modules share: the router, the button payloads, and texts in the learner's language.

Payloads (unchanged on the wire): ``course:<id>`` (course card), ``course:restart:<id>``, ``lesson:<id>``
(next lesson or open question), ``quiz:<course>:<question>:<choice>`` (an answer), and the menu's
``menu:courses`` and ``menu:progress``.
"""

from __future__ import annotations

from collections.abc import Container

from bot.context import Context
from bot.i18n import N_, Translator
from bot.payloads import Action
from bot.router import Router
from content import Course, Text
from handlers.menu import add_item
from storage.models import LessonProgress

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
    return text_for(ctx.t, text)


def text_for(t: Translator, text: Text) -> str:
    """A content text in ``t``'s language, or English with a note saying so."""
    value, fell_back = text.get_text(t.language)
    if fell_back:
        return value + "\n\n" + t.gettext("(Not translated into your language yet, so here it is in English.)")
    return value


def plain(ctx: Context, text: Text) -> str:
    """A short text (title, button) in the user's language or English, without the note."""
    return text.in_(ctx.user.language or "en")


def complete_if_done(ctx: Context, course: Course, progress: LessonProgress, answered: Container[str]) -> None:
    """A course is completed once every lesson is read and every quiz question answered: marked then (the
    last answer, or reading a last lesson without a quiz), not later when "Finish" is pressed."""
    if progress.completed_at is None and progress.lessons_done >= len(course.lessons) and all(
            q.id in answered for q in course.questions):
        progress.completed_at = progress.updated_at = ctx.now
