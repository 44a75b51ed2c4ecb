"""Button payloads: one typed codec (in the manner of aiogram's ``CallbackData``).

A payload is an action name and typed arguments, written ``name:arg:arg`` so that it fits Telegram's
64-byte ``callback_data`` and can be typed back on WhatsApp. Handlers never slice payload strings: they
declare an action once and use it both ways::

    CONTACT = Action("market:contact", int)
    Button(_("Contact"), CONTACT.encode(listing.id))      # "market:contact:42"

    @router.on(CONTACT)                                   # the action is also a filter
    async def contact(ctx: Context) -> None:
        (listing_id,) = CONTACT.args(ctx)                 # (42,)

Decoding never raises on hostile input: a payload with the wrong number of parts, a part that is not
an int where one is declared, or an int out of 64-bit range is simply not this action (``decode`` gives
``None``; the filter does not pass).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import Context

SEPARATOR = ":"
MAX_BYTES = 64  # Telegram's callback_data limit
INT_MAX = 2**63 - 1


class PayloadError(ValueError):
    """A payload could not be encoded (a separator inside an argument, or over the size limit)."""


class Action:
    """A kind of button: ``name`` (which may itself contain ``:``) followed by typed fields.

    Field types are ``str`` or ``int``; the last field may be optional (``optional_last=True``), for
    actions pressed both with and without an argument (e.g. a page number).
    """

    def __init__(self, name: str, *fields: type, optional_last: bool = False) -> None:
        if not name or any(t not in (str, int) for t in fields):
            raise ValueError(f"bad action {name!r}")
        self.name = name
        self.fields = fields
        self.optional_last = optional_last and bool(fields)
        self._prefix = name + SEPARATOR

    def __repr__(self) -> str:
        return f"Action({self.name!r}, {', '.join(t.__name__ for t in self.fields)})"

    def encode(self, *values: object) -> str:
        needed = len(self.fields) - (1 if self.optional_last else 0)
        if not needed <= len(values) <= len(self.fields):
            raise PayloadError(f"{self.name}: {len(values)} values for {len(self.fields)} fields")
        parts = [self.name]
        for kind, value in zip(self.fields, values, strict=False):
            text = str(int(value)) if kind is int else str(value)  # type: ignore[call-overload]
            if SEPARATOR in text or not text:
                raise PayloadError(f"{self.name}: argument {text!r} is empty or holds {SEPARATOR!r}")
            parts.append(text)
        payload = SEPARATOR.join(parts)
        if len(payload.encode()) > MAX_BYTES:
            raise PayloadError(f"payload over {MAX_BYTES} bytes: {payload!r}")
        return payload

    def decode(self, payload: str | None) -> tuple[Any, ...] | None:
        """The typed arguments when ``payload`` is this action, else ``None`` (never raises)."""
        if not isinstance(payload, str):
            return None
        if payload == self.name:
            rest: list[str] = []
        elif payload.startswith(self._prefix):
            rest = payload[len(self._prefix):].split(SEPARATOR)
        else:
            return None
        needed = len(self.fields) - (1 if self.optional_last else 0)
        if not needed <= len(rest) <= len(self.fields):
            return None
        values: list[Any] = []
        for kind, text in zip(self.fields, rest, strict=False):
            if kind is int:
                if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 20:
                    return None
                number = int(text)
                if not -INT_MAX <= number <= INT_MAX:
                    return None
                values.append(number)
            else:
                if not text:
                    return None
                values.append(text)
        return tuple(values)

    def __call__(self, ctx: Context) -> bool:
        """As a router filter: the message is a press of this action's button."""
        return self.decode(ctx.msg.payload) is not None

    def args(self, ctx: Context) -> tuple[Any, ...]:
        """The pressed button's arguments (use after the filter passed; empty tuple otherwise)."""
        return self.decode(ctx.msg.payload) or ()

    def arg(self, ctx: Context, default: Any = None) -> Any:
        """The first argument, or ``default`` when there is none."""
        found = self.args(ctx)
        return found[0] if found else default
