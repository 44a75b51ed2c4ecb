"""Small routers, one per feature, with filters (in the manner of aiogram 3).

A route is a tuple of filters and a handler; a router tries its own routes in the order they were
registered, then its child routers in the order they were included, and runs the first handler whose
filters all pass.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum
from itertools import count

from bot.context import Context
from bot.payloads import SEPARATOR, Action
from bot.text.normalise import normalise_text

Handler = Callable[[Context], Awaitable[None]]
Filter = Callable[[Context], bool]
Route = tuple[tuple[Filter, ...], Handler]
_changes = count(1)  # any router's routes or children changed: every index is rebuilt


class Router:
    _changed = 0  # the last change to any router (``_changes``)

    def __init__(self, name: str) -> None:
        self.name = name
        self._routes: list[Route] = []
        self._children: list[Router] = []
        self._index: _Index | None = None
        self._version = 0

    def on(self, *filters: Filter) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append((filters, handler))
            Router._changed = next(_changes)
            return handler

        return register

    def command(self, *names: str, filters: Iterable[Filter] = ()) -> Callable[[Handler], Handler]:
        return self.on(Command(*names), *filters)

    def button(self, prefix: str, filters: Iterable[Filter] = ()) -> Callable[[Handler], Handler]:
        return self.on(Payload(prefix), *filters)

    def step(self, *steps: StrEnum | str, filters: Iterable[Filter] = ()) -> Callable[[Handler], Handler]:
        return self.on(InStep(*steps), NoPayload, *filters)

    def include(self, router: Router) -> Router:
        self._children.append(router)
        Router._changed = next(_changes)
        return router

    def find(self, ctx: Context) -> Handler | None:
        """The first route, own routes first then each child's in turn, whose filters all pass. Only the
        routes that can match are tried (``_Index``): a button press is not checked against every other
        button's action, every command and every step (~300 routes)."""
        if self._index is None or self._version != Router._changed:
            self._index, self._version = _Index(self._flat()), Router._changed
        for filters, handler in self._index.candidates(ctx):
            if all(f(ctx) for f in filters):
                return handler
        return None

    def _flat(self) -> list[Route]:
        """Every route in the order ``find`` tries them (depth first)."""
        return self._routes + [r for child in self._children for r in child._flat()]

    async def dispatch(self, ctx: Context) -> bool:
        handler = self.find(ctx)
        if handler is None:
            return False
        await handler(ctx)
        return True


class _Index:
    """Routes by what their first filter needs: a button's action (or ``Payload`` prefix), a command, a
    conversation step, or nothing known (tried for every message). A message's candidates keep the
    routes' order."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self.general: list[int] = []
        self.keyed: dict[tuple[str, str], list[int]] = {}
        for i, (filters, _) in enumerate(routes):
            first = filters[0] if filters else None
            if isinstance(first, Action):
                self.keyed.setdefault(("payload", first.name), []).append(i)
            elif isinstance(first, Payload):
                self.keyed.setdefault(("payload", first.prefix), []).append(i)
            elif isinstance(first, Command):
                for name in first.names:
                    self.keyed.setdefault(("command", name), []).append(i)
            elif isinstance(first, InStep):
                for step in first.steps:
                    self.keyed.setdefault(("step", step), []).append(i)
            else:
                self.general.append(i)
        self._memo: dict[tuple[tuple[str, str], ...], list[Route]] = {}

    def candidates(self, ctx: Context) -> list[Route]:
        payload = ctx.msg.payload
        if payload is not None:  # an action or prefix matches the payload or a part of it up to a separator
            parts = payload.split(SEPARATOR)
            keys = [("payload", SEPARATOR.join(parts[:n])) for n in range(1, len(parts) + 1)]
        else:
            command = ctx.msg.command
            keys = [("command", command)] if command else []
        if ctx.user.step is not None:
            keys.append(("step", ctx.user.step))
        present = tuple(k for k in keys if k in self.keyed)
        found = self._memo.get(present)
        if found is None:
            if len(self._memo) > 10_000:
                self._memo.clear()
            order = sorted({*self.general, *(i for k in present for i in self.keyed[k])})
            found = self._memo[present] = [self.routes[i] for i in order]
        return found


# --- filters ------------------------------------------------------------------------------------


class Command:
    """``/name`` (also ``/name@BotName``); several names allowed."""

    def __init__(self, *names: str) -> None:
        self.names = {n.lower().lstrip("/") for n in names}

    def __call__(self, ctx: Context) -> bool:
        return ctx.msg.payload is None and ctx.msg.command in self.names


class Payload:
    """A button press whose payload is ``prefix`` or starts with ``prefix:``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, ctx: Context) -> bool:
        payload = ctx.msg.payload
        return payload is not None and (payload == self.prefix or payload.startswith(self.prefix + ":"))


class InStep:
    """The user is in one of these named conversation steps."""

    def __init__(self, *steps: StrEnum | str) -> None:
        self.steps = {str(s) for s in steps}

    def __call__(self, ctx: Context) -> bool:
        return ctx.user.step in self.steps


class StepPrefix:
    """The user is in any step of a flow (steps are named ``flow.step``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.rstrip(".") + "."

    def __call__(self, ctx: Context) -> bool:
        return (ctx.user.step or "").startswith(self.prefix)


class Words:
    """The whole message is one of these words, in English or in the user's language."""

    def __init__(self, *words: str) -> None:
        self.words = words

    def __call__(self, ctx: Context) -> bool:
        if ctx.msg.payload is not None:
            return False
        said = normalise_text(ctx.msg.text).strip().strip("!.?").casefold()
        if not said or len(said) > 40:
            return False
        return any(said in {w.casefold(), ctx._(w).casefold()} for w in self.words)


def Roles(*roles: str) -> Filter:
    wanted = set(roles)
    return lambda ctx: ctx.user.role in wanted


def NoPayload(ctx: Context) -> bool:
    return ctx.msg.payload is None


def NoStep(ctx: Context) -> bool:
    return ctx.user.step is None


def HasText(ctx: Context) -> bool:
    return ctx.msg.payload is None and bool(ctx.msg.text.strip()) and ctx.msg.command is None


def HasMedia(ctx: Context) -> bool:
    return bool(ctx.msg.media)


def Onboarded(ctx: Context) -> bool:
    return ctx.user.onboarded


def NotOnboarded(ctx: Context) -> bool:
    return not ctx.user.onboarded
