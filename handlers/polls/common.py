"""What the polls' modules share: the conversation steps, finding the poll a button or a step is about,
and the message a recipient gets for one question."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.context import Context
from bot.i18n import N_, Translator
from bot.types import Button, Reply, rows
from handlers.announcements.common import is_staff
from handlers.menu import add_item
from handlers.polls.actions import FINISH, LIST, PICK, TOGGLE, WRITE
from storage.models import Role
from storage.polls import Poll, PollChoice, PollQuestion, QuestionKind

CHOICES_MAX = 10
CHOICE_MAX = 60
QUESTION_MAX = 500
QUESTIONS_MAX = 10


class PollStep(StrEnum):
    QUESTION = "poll.question"  # the trainer types a question
    CHOICES = "poll.choices"  # the trainer types the choices, one per line
    PROVINCE = "poll.province"
    OPENS = "poll.opens"  # a typed opening time
    CLOSES = "poll.closes"  # a typed closing time
    ANSWER = "poll.answer"  # a recipient types a free-text answer


add_item(N_("Polls"), LIST.encode(), 81, visible=is_staff)


async def my_poll(ctx: Context, poll_id: Any, *statuses: str) -> Poll | None:
    """The poll with this id if the user made it (or is an admin) and it is in one of ``statuses``."""
    try:
        poll = await ctx.session.get(Poll, int(poll_id))
    except (TypeError, ValueError):
        return None
    if poll is None or (poll.author_id != ctx.user.id and ctx.user.role != Role.ADMIN):
        return None
    if statuses and poll.status not in statuses:
        return None
    return poll


def mask_of(positions: list[int]) -> int:
    return sum(1 << p for p in set(positions) if 0 <= p < CHOICES_MAX)


def positions_of(mask: int, count: int) -> list[int]:
    return [p for p in range(min(count, CHOICES_MAX)) if mask >> p & 1]


def question_reply(t: Translator, poll: Poll, question: PollQuestion, choices: list[PollChoice], count: int,
                   mask: int = 0, closes_at: datetime | None = None) -> Reply:
    """One question as a recipient sees it, with its buttons (multiple choice: ticked ones marked)."""
    lines = []
    if question.position == 0 and poll.title and poll.title != question.text:
        lines.append(poll.title)
    if count > 1:
        lines.append(t.gettext("Question {n} of {total}", n=t.number(question.position + 1), total=t.number(count)))
    lines.append(question.text)
    if question.kind == QuestionKind.SINGLE:
        lines.append(t.gettext("Choose one answer."))
        buttons = rows(*(Button(c.label, PICK.encode(question.id, c.position)) for c in choices))
    elif question.kind == QuestionKind.MULTIPLE:
        lines.append(t.gettext("Tick every answer that fits, then press “Done”."))
        ticks = [Button(("✅ " if mask >> c.position & 1 else "▫️ ") + c.label,
                        TOGGLE.encode(question.id, mask ^ (1 << c.position))) for c in choices]
        buttons = rows(*ticks, Button(t.gettext("Done"), FINISH.encode(question.id, mask)))
    else:
        lines.append(t.gettext("Answer in a few words (at most {max} characters).", max=t.number(300)))
        buttons = rows(Button(t.gettext("Write my answer"), WRITE.encode(question.id)))
    if question.position == 0 and closes_at is not None:
        lines.append(t.gettext("Open until {when}.", when=t.datetime(closes_at)))
    if poll.anonymous and question.position == 0:
        lines.append(t.gettext("Your answers are anonymous: nobody can see what you answered."))
    return Reply(text="\n".join(lines), buttons=buttons, title=t.gettext("📊 Poll"), kind="poll",
                 template_vars={"1": question.text[:1000]})
