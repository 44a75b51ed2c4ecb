"""``smce-bot`` for operators (#22 items 6 and 14): help names the environment variables (never a secret's
value), ``chat`` says where its database and log are, and log records stay out of the conversation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import chat_log_path, database_note, main
from bot.config import CHAT_VARIABLES, ENVIRONMENT
from tests.conftest import TEST_CONTENT

SMCE_BOT = str(Path(sys.executable).parent / "smce-bot")
SECRETS = {"TELEGRAM_BOT_TOKEN": "123456:very-secret-token", "TELEGRAM_WEBHOOK_SECRET": "hook-secret-value",
           "TWILIO_AUTH_TOKEN": "twilio-secret-value", "DATABASE_URL": "postgresql://bot:db-password@db/bot"}


def help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_serve_help_lists_every_environment_variable_with_its_default(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    text = help_of(["serve"], capsys)
    for var in ENVIRONMENT:
        assert re.search(rf"^  {var.name} +.*\[{re.escape(var.default)}\]$", text, re.M), var.name
    assert "[8080]" in text and "[sqlite:///smce.db, in the working directory]" in text
    assert not any(value in text for value in SECRETS.values())
    assert "password" not in text


def test_chat_help_lists_what_the_chat_reads(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    text = help_of(["chat"], capsys)
    for name in CHAT_VARIABLES:
        assert re.search(rf"^  {name} ", text, re.M), name
    assert "TELEGRAM_BOT_TOKEN" not in text and "Telegram and WhatsApp settings are ignored" in text
    assert "smce-bot-chat.log" in text and "terminal:USER" in text
    assert not any(value in text for value in SECRETS.values())


def test_admin_grant_help_shows_the_readme_address_forms(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(help_of(["admin", "grant"], capsys).split())  # argparse wraps lines anywhere
    for form in ("telegram:<chat id>", "whatsapp:+<number>", "terminal:<name>"):
        assert form in text
    assert "telegram chat id" not in text


def test_database_note_and_log_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_note("sqlite+aiosqlite:///smce.db") == (
        f"Using database smce.db in {tmp_path.resolve()} (set DATABASE_URL to change)")
    assert chat_log_path("sqlite+aiosqlite:///smce.db") == tmp_path.resolve() / "smce-bot-chat.log"
    elsewhere = f"sqlite+aiosqlite:///{tmp_path}/data/bot.db"
    assert chat_log_path(elsewhere) == tmp_path.resolve() / "data" / "smce-bot-chat.log"
    note = database_note("postgresql+asyncpg://bot:db-password@db.example/bot")
    assert note == "Using database postgresql+asyncpg://bot:***@db.example/bot (set DATABASE_URL to change)"
    assert chat_log_path("postgresql+asyncpg://bot@db/bot") == tmp_path.resolve() / "smce-bot-chat.log"
    assert "in memory" in database_note("sqlite+aiosqlite:///:memory:")


def run_chat(tmp_path: Path, user: str, typed: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "CONTENT_DIR": str(TEST_CONTENT)}
    return subprocess.run([SMCE_BOT, "chat", "--user", user], input=typed, capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=60)


def test_chat_says_where_its_database_and_log_are(tmp_path: Path) -> None:
    result = run_chat(tmp_path, "kim", "1\nKim\n1\n1\nskip\nskip\n")
    assert result.returncode == 0, result.stderr
    assert "All set, Kim!" in result.stdout
    assert result.stderr.splitlines() == [
        f"Using database smce.db in {tmp_path.resolve()} (set DATABASE_URL to change)",
        f"Log: {tmp_path.resolve() / 'smce-bot-chat.log'}",
    ]
    assert (tmp_path / "smce.db").exists() and (tmp_path / "smce-bot-chat.log").exists()


def test_a_reused_trainer_code_logs_to_the_file_not_into_the_chat(tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    invite = subprocess.run([SMCE_BOT, "admin", "invite", "trainer"], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=60)
    found = re.search(r"/trainer (\S+)", invite.stdout)
    assert invite.returncode == 0 and found, invite.stderr
    code = found.group(1)
    first = run_chat(tmp_path, "kham", f"1\nKham\n1\n1\n/trainer {code}\n")
    assert "Welcome, trainer!" in first.stdout
    reused = run_chat(tmp_path, "mali", f"1\nMali\n1\n1\n/trainer {code}\n")
    assert reused.returncode == 0, reused.stderr
    assert "not valid (or was already used)" in reused.stdout
    for shown in (reused.stdout, reused.stderr):
        assert "WARNING" not in shown and "refused" not in shown
    assert len(reused.stderr.splitlines()) == 2  # the database and log notes, nothing else
    log = (tmp_path / "smce-bot-chat.log").read_text(encoding="utf-8")
    assert re.search(r"WARNING handlers\.announcements\.roles: refused invite-code for user \d+ \(terminal:mali",
                     log)
