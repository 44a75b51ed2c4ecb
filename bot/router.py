"""Small routers, one per feature, with filters (in the manner of aiogram 3).

A route is a tuple of filters and a handler; a router tries its own routes in the order they were
registered, then its child routers in the order they were included, and runs the first handler whose
filters all pass.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum

from bot.context import Context
from bot.text.normalise import normalise_text

Handler = Callable[[Context], Awaitable[None]]
Filter = Callable[[Context], bool]


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self._routes: list[tuple[tuple[Filter, ...], Handler]] = []
        self._children: list[Router] = []

    def on(self, *filters: Filter) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append((filters, handler))
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
        return router

    def find(self, ctx: Context) -> Handler | None:
        for filters, handler in self._routes:
            if all(f(ctx) for f in filters):
                return handler
        for child in self._children:
            found = child.find(ctx)
            if found is not None:
                return found
        return None

    async def dispatch(self, ctx: Context) -> bool:
        handler = self.find(ctx)
        if handler is None:
            return False
        await handler(ctx)
        return True


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
