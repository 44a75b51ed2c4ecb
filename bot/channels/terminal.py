"""The terminal chat: the same bot, in a terminal, with no token and no network.

Buttons show as numbers; type the number (or the button's words). Input can be piped, one message a
line, which is how trainers preview content and how the scripted test drives it.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TYPE_CHECKING, Protocol, TextIO

from bot.outbox.sender import Delivery, Sender
from bot.types import Channel, Inbound, Reply, Sent

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.jobs import Scheduler
    from bot.outbox.worker import OutboxWorker


class ChatService(Protocol):
    """What the terminal chat uses of ``bot.service.Service`` (the chat does not import the service)."""

    senders: dict[str, Sender]
    engine: Engine
    outbox: OutboxWorker
    scheduler: Scheduler

    async def start(self, *, background: bool = True) -> None: ...

    async def stop(self) -> None: ...


def render(reply: Reply, color: bool = False) -> str:
    bold, plain = ("\033[1m", "\033[0m") if color else ("", "")
    lines: list[str] = []
    if reply.photo is not None:
        lines.append(f"[photo: {reply.photo.key or reply.photo.url or reply.photo.file_id}]")
    if reply.title:
        lines.append(f"{bold}{reply.title}{plain}")
    if reply.text:
        lines.append(reply.text)
    for number, button in enumerate(reply.flat_buttons, start=1):
        lines.append(f"  [{number}] {button.label}")
    return "\n".join(lines)


class TerminalSender:
    channel = Channel.TERMINAL.value
    rate = 1_000_000.0
    address_rate = 1_000_000.0
    address_burst = 1_000

    def __init__(self, out: TextIO, color: bool = False) -> None:
        self.out = out
        self.color = color
        self.count = 0

    async def send(self, delivery: Delivery) -> Sent:
        self.count += 1
        self.out.write("\nbot> " + render(delivery.reply, self.color).replace("\n", "\n     ") + "\n")
        self.out.flush()
        return Sent(f"terminal-{self.count}")


async def chat(service: ChatService, *, address: str = "terminal:local", stdin: TextIO | None = None,
               out: TextIO | None = None, start: bool = True) -> None:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interactive = stdin.isatty()
    sender = TerminalSender(out, color=interactive and out.isatty())
    service.senders[sender.channel] = sender
    service.outbox.add_sender(sender)
    await service.start(background=False)
    loop = asyncio.get_running_loop()

    async def say(text: str) -> None:
        await service.engine.handle(
            Inbound(channel=Channel.TERMINAL, address=address, external_id=uuid.uuid4().hex, text=text,
                    language_hint=None)
        )
        await service.scheduler.run_once()
        await service.outbox.drain()

    try:
        if interactive:
            out.write("SMCE bot - terminal chat. Type a message, a button's number, or Ctrl-D to leave.\n")
        if start:
            await say("/start")
        while True:
            if interactive:
                out.write("\nyou> ")
                out.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            text = line.rstrip("\n")
            if not interactive:
                out.write(f"\nyou> {text}\n")
            if text.strip():
                await say(text)
    finally:
        await service.stop()
