"""The router's index tries only the routes that can match, and finds what trying every route in order finds."""

from __future__ import annotations

import types
from typing import Any

from bot.payloads import Action
from bot.router import Command, InStep, Payload, Router
from bot.types import Channel, Inbound
from handlers import build_router


def every_route_in_order(router: Router, ctx: Any) -> Any:
    for filters, handler in router._routes:
        if all(f(ctx) for f in filters):
            return handler
    for child in router._children:
        found = every_route_in_order(child, ctx)
        if found is not None:
            return found
    return None


def context(text: str = "", payload: str | None = None, step: str | None = None) -> Any:
    msg = Inbound(channel=Channel.TELEGRAM, address="telegram:1", external_id="1", text=text, payload=payload)
    user = types.SimpleNamespace(step=step, role="learner", onboarded=True, language="en", opted_out=False,
                                 menu=[], step_data={})
    return types.SimpleNamespace(msg=msg, user=user, step=step, _=lambda s, **_: s, t=None)


def test_the_index_finds_what_every_route_in_order_finds() -> None:
    router = build_router()
    payloads, commands, steps = set(), set(), {None}
    for filters, _ in router._flat():
        for f in filters:
            if isinstance(f, Action):
                payloads |= {f.name, f"{f.name}:1", f"{f.name}:1:x", f"{f.name}x"}
            elif isinstance(f, Payload):
                payloads |= {f.prefix, f"{f.prefix}:1"}
            elif isinstance(f, Command):
                commands |= f.names
            elif isinstance(f, InStep):
                steps |= f.steps
    texts = ["", "hello", "1", "stop", "yes", *(f"/{c}" for c in commands), *(f"/{c}@Bot x" for c in commands)]
    cases = [context(text=t, step=s) for t in texts for s in steps]
    cases += [context(payload=p, step=s) for p in payloads for s in (None, *sorted(steps - {None})[:5])]
    for ctx in cases:
        try:
            expected = every_route_in_order(router, ctx)
        except Exception:  # a filter that needs more of a real context than this one has
            continue
        assert router.find(ctx) is expected, (ctx.msg.text, ctx.msg.payload, ctx.user.step)


def test_a_route_added_later_is_found() -> None:
    root, child = Router("root"), Router("child")
    root.include(child)

    async def first(_: Any) -> None: ...
    async def later(_: Any) -> None: ...

    child.on(Command("a"))(first)
    assert root.find(context(text="/a")) is first and root.find(context(text="/b")) is None
    child.on(Command("b"))(later)
    assert root.find(context(text="/b")) is later
