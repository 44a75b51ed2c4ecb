"""What the FAQ's modules share: the steps, who counts as a trainer, limits, the menu items."""

from __future__ import annotations

from enum import StrEnum

from bot.context import Context
from bot.i18n import N_
from bot.router import Roles
from bot.types import Button, rows
from handlers.faq.actions import ASK, CANCEL, HUMAN, TICKETS
from handlers.menu import HOME, add_item
from storage.models import Role

TRAINER_ROLES = (Role.TRAINER, Role.ADMIN)
IsTrainer = Roles(*TRAINER_ROLES)
QUESTION_MAX = 1000
LABEL_MAX = 40
NOTIFY_TRAINERS_MAX = 50


def _is_trainer(ctx: Context) -> bool:
    return ctx.user.role in TRAINER_ROLES


add_item(N_("Ask a question"), ASK, 40)
add_item(N_("Talk to a trainer"), HUMAN, 45)
add_item(N_("Open tickets"), TICKETS, 80, visible=_is_trainer)


class FaqStep(StrEnum):
    ASK = "faq.ask"  # waiting for a question for the FAQ
    HUMAN = "faq.human"  # waiting for a question for a trainer
    FOLLOW_UP = "faq.follow_up"  # the user writes back on a ticket (data: ticket)
    ANSWER = "faq.answer"  # a trainer types answers on a ticket (data: ticket)


def short(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def main_menu(ctx: Context) -> Button:
    """The "Main menu" button, in the user's language."""
    return Button(ctx._("Main menu"), HOME.encode())


def prompt_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """Back (to the menu the prompt was chosen from) and Cancel, under a prompt waiting for a question."""
    return rows(Button(ctx._("Back"), HOME.encode()), Button(ctx._("Cancel"), CANCEL.encode()), width=2)


def wordless(text: str) -> bool:
    """Nothing but emoji, symbols or punctuation (or nothing at all): not a question."""
    return not any(ch.isalnum() for ch in text)


def open_tickets(ctx: Context) -> Button:
    """The "Open tickets" button (trainers), in the user's language."""
    return Button(ctx._("Open tickets"), TICKETS.encode())
