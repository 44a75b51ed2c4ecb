"""The engine when a handler raises: the message becomes a dead letter, the person gets a short apology
in their language (through the outbox), the platform's retry is not handled again, and an operator can
list, show, replay (after a fix) and drop dead letters (``smce-bot deadletters``)."""

from __future__ import annotations

import argparse
import asyncio

import pytest

from bot.config import Settings
from bot.context import Context
from bot.deadletters import add_commands, replay
from bot.engine import inbound_from_dict, inbound_to_dict
from bot.i18n import translator
from bot.router import Router
from bot.types import Inbound, Location, Media
from storage.deadletters import DeadLetter, dead_letters
from storage.users import get_or_create
from tests.conftest import MakeService
from tests.driver import RecordingSender

APOLOGY = "Sorry, something went wrong on our side. Please try again, or send /menu."


class Broken:
    on = True


def failing_router() -> Router:
    from handlers import build_router

    root = Router("test")
    boom = root.include(Router("boom"))

    @boom.command("boom")
    async def explode(ctx: Context) -> None:
        ctx.reply("half done")  # rolled back with the failure: never sent
        if Broken.on:
            raise RuntimeError("kaboom")
        ctx.reply("fixed: boom handled")

    root.include(build_router())
    return root


async def cli(settings: Settings, *argv: str) -> int:
    """``smce-bot deadletters ...`` (in a thread: the command runs its own event loop)."""
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["deadletters", *argv])
    code: int = await asyncio.to_thread(args.func, args, settings)
    return code


async def test_a_failing_handler_makes_a_dead_letter_and_an_apology(
        make_service: MakeService, capsys: pytest.CaptureFixture[str]) -> None:
    Broken.on = True
    service = await make_service(service_kwargs={"router": failing_router()})
    recorder = RecordingSender()
    service.outbox.add_sender(recorder)
    address = "terminal:lan"
    async with service.db.transaction() as session:
        user, _, _ = await get_or_create(session, "terminal", address)
        user.language = "vi"
    msg = Inbound(channel="terminal", address=address, external_id="m-1", text="/boom",
                  media=(Media("photo", file_id="f1"),), location=Location(17.9, 102.6, "Vientiane"))

    assert await service.engine.handle(msg)
    await service.outbox.drain()
    apology = translator("vi")._(APOLOGY)
    assert apology != APOLOGY  # the catalog has it in Vietnamese
    assert [r.text for r in recorder.to(address)] == [apology]

    async with service.db.read() as session:
        [letter] = await dead_letters(session)
    assert letter.address == address and letter.external_id == "m-1" and "kaboom" in letter.error
    assert inbound_from_dict(letter.payload) == msg

    # The platform sends it again (no 2xx seen, say): a duplicate, not a loop.
    assert not await service.engine.handle(msg)
    await service.outbox.drain()
    assert len(recorder.to(address)) == 1
    async with service.db.read() as session:
        assert len(await dead_letters(session)) == 1

    # An operator looks, replays while still broken (nothing changes), fixes, replays.
    settings = service.settings
    assert await cli(settings, "list") == 0
    assert "kaboom" in capsys.readouterr().out
    assert await cli(settings, "show", str(letter.id)) == 0
    assert "/boom" in capsys.readouterr().out
    assert (await replay(settings, [letter.id], service))[letter.id].startswith("failed again")
    await service.outbox.drain()
    assert len(recorder.to(address)) == 1  # no second apology
    Broken.on = False
    assert await replay(settings, [letter.id], service) == {letter.id: "replayed"}
    await service.outbox.drain()
    assert [r.text for r in recorder.to(address)][1:] == ["half done", "fixed: boom handled"]
    assert await replay(settings, [letter.id], service) == {letter.id: "already replayed"}
    async with service.db.read() as session:
        assert await dead_letters(session) == []
        assert [d.status for d in await dead_letters(session, everything=True)] == ["replayed"]
    assert await cli(settings, "drop", str(letter.id), "999") == 1
    assert capsys.readouterr().out.splitlines() == [f"{letter.id}: dropped", "999: not found"]
    async with service.db.read() as session:
        assert await session.get(DeadLetter, letter.id) is None


def test_inbound_round_trips_through_json() -> None:
    from datetime import UTC, datetime

    msg = Inbound(channel="telegram", address="telegram:1", external_id="9", text="hi", payload="x:1",
                  media=(Media("voice", file_id="v", size=3),), received_at=datetime(2026, 1, 2, tzinfo=UTC),
                  meta={"callback_query_id": "q"})
    assert inbound_from_dict(inbound_to_dict(msg)) == msg
