"""Trainer roles: refusals (logged) for anyone else, one-time invite codes, and the ``smce-bot admin`` commands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.context import ManualClock
from bot.service import Service
from handlers.announcements import roles
from storage.announcements import AccessAttempt, Broadcast
from storage.models import Role, User
from tests.driver import text_of
from tests.handlers.announcements.helpers import Channels


async def test_non_trainer_is_refused_and_logged(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    ch = Channels(service)
    learner = ch.user(service, "telegram:400")
    await learner.onboard()
    replies = await learner.say("/announce")
    assert "only for trainers" in text_of(replies)
    replies = await learner.send(payload="trainer:now:1")
    assert "only for trainers" in text_of(replies)
    replies = await learner.say("/report")
    assert "only for trainers" in text_of(replies)
    async with service.db.read() as s:
        attempts = list((await s.scalars(select(AccessAttempt.action))).all())
        broadcasts = await s.scalar(select(func.count()).select_from(Broadcast))
    assert attempts == ["/announce", "trainer:now:1", "/report"]
    assert broadcasts == 0
    assert any("refused" in r.getMessage() for r in caplog.records)
    # The menu shows "Trainer tools" only to trainers.
    replies = await learner.say("/menu")
    assert "trainer:tools" not in [b.payload for r in replies for b in r.flat_buttons]


async def test_invite_code_makes_a_trainer_once(service: Service, clock: ManualClock) -> None:
    ch = Channels(service)
    async with service.db.transaction() as s:
        code = await roles.create_invite(s, Role.TRAINER, clock.now())
    newcomer = ch.user(service, "whatsapp:+8562055600")
    await newcomer.onboard()
    replies = await newcomer.say("/trainer WRONG-CODE")
    assert "not valid" in text_of(replies)
    await newcomer.say("/trainer")
    replies = await newcomer.say(code.lower())  # typed casually
    assert "Welcome, trainer" in text_of(replies)
    replies = await newcomer.say("/menu")
    assert "trainer:tools" in [b.payload for r in replies for b in r.flat_buttons]
    other = ch.user(service, "telegram:601")
    await other.onboard()
    replies = await other.say(f"/trainer {code}")
    assert "not valid" in text_of(replies)
    replies = await other.say("/announce")
    assert "only for trainers" in text_of(replies)



async def test_cli_grant_and_invite(database_url: str, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from bot.cli import build_parser
    from bot.config import Settings
    from storage.db import Database

    settings = Settings(database_url=database_url)
    args = build_parser().parse_args(["admin", "grant", "trainer", "whatsapp", "+8562055900"])
    await asyncio.to_thread(args.func, args, settings)
    assert "whatsapp:+8562055900" in capsys.readouterr().out
    args = build_parser().parse_args(["admin", "invite", "trainer"])
    await asyncio.to_thread(args.func, args, settings)
    out = capsys.readouterr().out
    assert "/trainer " in out
    db = Database(database_url)
    async with db.read() as s:
        from storage.models import Address

        role = await s.scalar(select(User.role).join(Address).where(Address.address == "whatsapp:+8562055900"))
        from storage.announcements import TrainerInvite

        code = out.split("/trainer ")[1].split()[0]
        invite = (await s.scalars(select(TrainerInvite))).one()
    await db.close()
    assert role == Role.TRAINER
    assert invite.code_hash == roles.hash_code(code) and code not in invite.code_hash


async def test_cli_grant_takes_the_readme_address_forms(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``admin grant`` names the forms the README writes (telegram:<chat id>, ...) and takes them with or
    without the channel's prefix (#22 item 14)."""
    import asyncio

    from bot.cli import build_parser
    from bot.config import Settings

    with pytest.raises(SystemExit):
        build_parser().parse_args(["admin", "grant", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "telegram:<chat id>" in help_text and "whatsapp:+<number>" in help_text
    assert "terminal:<name>" in help_text and "telegram chat id" not in help_text

    settings = Settings(database_url=database_url)
    for address in ("123456789", "telegram:123456789"):
        args = build_parser().parse_args(["admin", "grant", "trainer", "telegram", address])
        assert await asyncio.to_thread(args.func, args, settings) == 0
        assert "telegram:123456789 (user 1) is now trainer" in capsys.readouterr().out
    args = build_parser().parse_args(["admin", "grant", "trainer", "whatsapp", "856 20 5591 2345"])
    await asyncio.to_thread(args.func, args, settings)
    assert "whatsapp:+8562055912345 (user 2)" in capsys.readouterr().out
    args = build_parser().parse_args(["admin", "grant", "trainer", "terminal", "telegram:5"])
    assert await asyncio.to_thread(args.func, args, settings) == 2
    assert "telegram address, not terminal" in capsys.readouterr().err
    assert roles.full_address("whatsapp", "whatsapp:+8562055912345") == "whatsapp:+8562055912345"
    assert roles.full_address("terminal", "noy") == "terminal:noy"
