"""Several people in the terminal chat (#22 item 1): what the bot writes to someone reaches that person's own
chat window — shown when their chat opens, or at once while it is open in another terminal — never the
window of whoever caused it (the trainer who approved, the buyer who wrote)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.channels.terminal import chat
from bot.config import Settings
from bot.context import ManualClock
from bot.service import Service
from handlers.announcements.roles import grant_role
from storage.db import Database
from storage.models import Role
from tests.conftest import TEST_CONTENT

SMCE_BOT = str(Path(sys.executable).parent / "smce-bot")
APPROVED = "Your listing “Silk scarf” is now in the marketplace"
ASKS = "Ana asks about your listing “Silk scarf”"
ANSWER = "The seller of “Silk scarf” answers"


def onboard(name: str) -> str:
    return f"1\n{name}\n1\n1\nskip\nskip\n"  # English, the name, the first craft and country; no sex, age


# Seller: post a listing that buyers reach through the bot (the terminal chat skips the photos).
POST = ("Marketplace\nPost a listing\nSilk scarf\nHand-woven silk scarf, natural indigo dye.\n150k\n"
        "Weaving and textiles\n1\nLuang Prabang\n1\nPublish\n")
# Buyer: the newest listing, contact the seller through the bot.
CONTACT = "Marketplace\nNewest\n1\nContact the seller\nIs the blue one still available?\n"


async def open_chat(settings: Settings, clock: ManualClock, user: str, typed: str) -> str:
    """One ``smce-bot chat --user USER`` run (its own service on the shared database): what it printed."""
    out = io.StringIO()
    await chat(Service(settings, clock=clock), address=f"terminal:{user}", stdin=io.StringIO(typed), out=out)
    return out.getvalue()


async def make_trainer(settings: Settings, user: str) -> None:
    db = Database(settings.database_url)
    try:
        await grant_role(db, "terminal", f"terminal:{user}", Role.TRAINER, datetime.now(UTC))
    finally:
        await db.close()


async def test_a_trainers_approval_reaches_the_sellers_chat_not_the_trainers(settings: Settings,
                                                                              clock: ManualClock) -> None:
    seller = await open_chat(settings, clock, "noy", onboard("Noy") + POST)
    assert "will appear in the marketplace as soon as a moderator has checked it" in seller
    await make_trainer(settings, "kham")
    trainer = await open_chat(settings, clock, "kham", onboard("Kham") + "/pending\n1\n")
    assert "Approved: “Silk scarf” is in the marketplace." in trainer
    assert APPROVED not in trainer  # it used to print here, in the trainer's window

    # The seller opens the chat again: what waited for her comes first, and its buttons answer it.
    seller = await open_chat(settings, clock, "noy", "1\n")
    assert seller.startswith("\nbot> ✅ " + APPROVED)
    assert "Welcome back" not in seller
    assert "My listings" in seller[seller.index("you> 1"):]
    # Shown once: the next time, nothing is waiting any more and the bot greets her.
    seller = await open_chat(settings, clock, "noy", "")
    assert APPROVED not in seller and "Welcome back, Noy!" in seller


async def test_a_buyer_and_a_seller_talk_through_the_marketplace_relay(settings: Settings,
                                                                      clock: ManualClock) -> None:
    settings = settings.replace(listing_auto_approve=True)
    await open_chat(settings, clock, "noy", onboard("Noy") + POST)
    buyer = await open_chat(settings, clock, "ana", onboard("Ana") + CONTACT)
    assert "Sent. The answer will come here." in buyer
    assert ASKS not in buyer  # the seller's copy is not printed in the buyer's window

    seller = await open_chat(settings, clock, "noy", "Reply\nYes, and the red one too.\n")
    assert seller.startswith("\nbot> 💬 " + ASKS) and "Is the blue one still available?" in seller
    assert "Type your answer." in seller and ANSWER not in seller

    buyer = await open_chat(settings, clock, "ana", "")
    assert ANSWER in buyer and "Yes, and the red one too." in buyer


class OpenChat:
    """``smce-bot chat --user USER`` left open, as in a second terminal: type into it, read what it shows."""

    def __init__(self, user: str, env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen([SMCE_BOT, "chat", "--user", user], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def shown(self) -> str:
        return "".join(self.lines)

    def type(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def wait_for(self, text: str, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.shown:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"{text!r} did not show; the chat showed:\n{self.shown[-2000:]}")
            time.sleep(0.1)

    def close(self) -> tuple[int, str]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        code = self.proc.wait(timeout=30)
        self._reader.join(timeout=5)
        assert self.proc.stderr is not None
        return code, self.proc.stderr.read()


def test_a_message_shows_live_in_the_open_chat_of_its_recipient(tmp_path: Path) -> None:
    """Two terminals on one SQLite file: the seller's chat stays open while the buyer writes to her."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "CONTENT_DIR": str(TEST_CONTENT),
           "LISTING_AUTO_APPROVE": "1"}
    seller = OpenChat("noy", env, tmp_path)
    try:
        seller.type(onboard("Noy") + POST)
        seller.wait_for("“Silk scarf” is in the marketplace")
        buyer = subprocess.run([SMCE_BOT, "chat", "--user", "ana"], input=onboard("Ana") + CONTACT,
                               capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
        assert buyer.returncode == 0, buyer.stderr
        assert "Sent. The answer will come here." in buyer.stdout and ASKS not in buyer.stdout
        seller.wait_for(ASKS, seconds=10)  # while her chat waits for input, without her typing anything
        seller.type("Reply\nYes, and the red one too.\n")
        seller.wait_for("Type your answer.")
    finally:
        code, errors = seller.close()
    assert code == 0, errors
    assert "Is the blue one still available?" in seller.shown
    buyer = subprocess.run([SMCE_BOT, "chat", "--user", "ana"], input="", capture_output=True, text=True,
                           env=env, cwd=tmp_path, timeout=60)
    assert ANSWER in buyer.stdout and "Yes, and the red one too." in buyer.stdout
