"""The main menu. Features add their entries with ``add_item`` when their module is imported.

``HOME`` (``menu:home``) is the "Main menu" button every feature offers; ``handlers.common`` answers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.context import Context
from bot.payloads import Action
from bot.types import Button, rows

HOME = Action("menu:home")


@dataclass(frozen=True)
class MenuItem:
    label: str  # marked with N_, translated when shown
    payload: str
    order: int
    visible: Callable[[Context], bool] = lambda ctx: True


ITEMS: list[MenuItem] = []


def add_item(label: str, payload: str | Action, order: int, visible: Callable[[Context], bool] | None = None) -> None:
    """A menu entry: ``label`` marked with N_, pressed as ``payload`` (an Action without arguments, or its string)."""
    if isinstance(payload, Action):
        payload = payload.encode()
    if any(item.payload == payload for item in ITEMS):
        return
    ITEMS.append(MenuItem(label, payload, order, visible or (lambda ctx: True)))
    ITEMS.sort(key=lambda item: item.order)


def menu_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    return rows(*(Button(ctx._(i.label), i.payload) for i in ITEMS if i.visible(ctx)), width=2)


def current_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """The buttons the user saw last (so typed numbers keep working after an aside such as /help),
    or the main menu when there are none."""
    shown = [Button(str(label), str(payload)) for label, payload in (ctx.user.menu or [])]
    if shown:
        return rows(*shown)
    return menu_buttons(ctx) if ctx.user.onboarded else ()


def show_menu(ctx: Context, greeting: str | None = None) -> None:
    ctx.reply(greeting or ctx._("What would you like to do?"), menu_buttons(ctx))
