"""What a handler gets: the message, the user, a database session, and a place to put replies.

Every handler has one signature, ``async def handler(ctx: Context) -> None``. It changes the user's
state through ``ctx`` and the session, and answers with ``ctx.reply(...)``; messages for other people
(a relayed buyer question, a moderation request) go with ``ctx.send(other_user, reply)``. Nothing is
sent from inside a handler: the engine writes every reply into the outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator, translator
from bot.types import Button, Inbound, Media, Reply

if TYPE_CHECKING:
    from bot.config import Settings
    from content import Library
    from storage.models import Address, User


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ManualClock:
    """A clock tests move by hand (scheduled announcements, reminders, expiry, 24-hour window)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.current += timedelta(**delta)


@dataclass
class Deps:
    """Long-lived things handlers may use. One per process; no per-user state here."""

    settings: Settings
    library: Library
    clock: Clock = field(default_factory=SystemClock)
    extras: dict[str, Any] = field(default_factory=dict)  # per-feature caches (e.g. FAQ index)


@dataclass(frozen=True, slots=True)
class Outgoing:
    user_id: int | None
    channel: str
    address: str
    reply: Reply


class Context:
    def __init__(
        self, msg: Inbound, user: User, address: Address, session: AsyncSession, deps: Deps
    ) -> None:
        self.msg = msg
        self.user = user
        self.address = address
        self.session = session
        self.deps = deps
        self.now = deps.clock.now()
        self.replies: list[Reply] = []
        self.outgoing: list[Outgoing] = []

    # --- language --------------------------------------------------------------------------------
    @property
    def t(self) -> Translator:
        return translator(self.user.language, self.user.timezone)

    def _(self, message: str, /, **values: object) -> str:
        return self.t.gettext(message, **values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        return self.t.ngettext(singular, plural, n, **values)

    # --- answering -------------------------------------------------------------------------------
    def reply(
        self,
        text: str,
        buttons: tuple[tuple[Button, ...], ...] = (),
        *,
        photo: Media | None = None,
        title: str | None = None,
        kind: str = "reply",
    ) -> None:
        self.replies.append(Reply(text=text, buttons=buttons, photo=photo, title=title, kind=kind))

    def send(self, user: User, reply: Reply) -> bool:
        """Queue a message for another user at their preferred address; False if they have none."""
        from storage.users import preferred_address

        target = preferred_address(user)
        if target is None:
            return False
        self.outgoing.append(Outgoing(user.id, target.channel, target.address, reply))
        if reply.buttons and user is not self.user:
            # Like the engine does for replies: typed numbers on WhatsApp/terminal press these buttons.
            user.menu = [[b.label, b.payload] for b in reply.flat_buttons]
        return True

    # --- conversation state ----------------------------------------------------------------------
    @property
    def step(self) -> str | None:
        return self.user.step

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.user.step_data or {})

    def goto(self, step: StrEnum | str | None, **data: Any) -> None:
        """Enter a named step with fresh step data (``None`` leaves every flow)."""
        self.user.step = str(step) if step is not None else None
        self.user.step_data = data

    def update_data(self, **data: Any) -> None:
        merged = dict(self.user.step_data or {})
        merged.update(data)
        self.user.step_data = merged  # a new dict, so SQLAlchemy sees the change

    @property
    def payload_parts(self) -> list[str]:
        return (self.msg.payload or "").split(":")
