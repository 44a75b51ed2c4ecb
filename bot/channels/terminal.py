"""The terminal chat: the same bot, in a terminal, with no token and no network.

Buttons show as numbers; type the number (or the button's words). Input can be piped, one message a
line, which is how trainers preview content and how the scripted test drives it.

Each ``smce-bot chat --user NAME`` is one person's chat window. Its sender serves only that person's
address (``terminal:NAME``): what the bot writes to someone else (a buyer's message relayed to a seller,
a moderator's approval, an announcement) waits in the outbox for that person's own chat, which shows it
when it opens, or at once if it is open in another terminal on the same database (it polls the outbox
about once a second while waiting for input).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING, Protocol, TextIO

from bot.outbox.sender import Delivery, Sender
from bot.types import Channel, Inbound, Reply, Sent

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.jobs import Scheduler
    from bot.outbox.worker import OutboxWorker

log = logging.getLogger(__name__)

POLL = 1.0  # seconds between looks at the outbox (messages from other chats) while waiting for input


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
    if reply.document is not None:  # the handler gives the saved file's path as its url
        lines.append(f"[file: {reply.document.url or reply.document.name or reply.document.key}]")
    for number, button in enumerate(reply.flat_buttons, start=1):
        lines.append(f"  [{number}] {button.label}")
    return "\n".join(lines)


class TerminalSender:
    """Prints replies to one person's terminal; ``addresses`` (if set) are the only ones it serves."""

    channel = Channel.TERMINAL.value
    rate = 1_000_000.0
    address_rate = 1_000_000.0
    address_burst = 1_000

    def __init__(self, out: TextIO, color: bool = False, addresses: Collection[str] | None = None) -> None:
        self.out = out
        self.color = color
        self.addresses = frozenset(addresses) if addresses is not None else None
        self.count = 0

    async def send(self, delivery: Delivery) -> Sent:
        self.count += 1
        self.out.write("\nbot> " + render(delivery.reply, self.color).replace("\n", "\n     ") + "\n")
        self.out.flush()
        return Sent(f"terminal-{self.count}")


class LineReader:
    """Lines of a (possibly blocking) text stream, read in a daemon thread so the event loop stays free;
    ``None`` when the stream ends. A daemon thread (not the loop's executor) so that leaving the chat
    never waits for a ``readline`` that is still blocked."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._read, args=(loop,), name="terminal-stdin", daemon=True)
        self._thread.start()

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            while line := self.stream.readline():
                loop.call_soon_threadsafe(self.lines.put_nowait, line)
        except (OSError, ValueError):  # closed under us
            pass
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening any more
            loop.call_soon_threadsafe(self.lines.put_nowait, None)

    async def next(self, within: float) -> str | None:
        """The next line (``None``: the end); raises ``TimeoutError`` when none came ``within`` seconds."""
        return await asyncio.wait_for(self.lines.get(), within)


class DueJobs:
    """Runs each of the scheduler's jobs when its interval has passed (the chat has no background tasks)."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.last: dict[str, float] = {}

    async def run(self, *, every_job: bool = False) -> int:
        """Run the jobs that are due (``every_job``: all of them, as after each message); things done."""
        now, done = time.monotonic(), 0
        for job in self.scheduler.jobs:
            last = self.last.get(job.name)
            if not every_job and last is not None and now - last < job.every:
                continue
            self.last[job.name] = now
            try:
                done += max(0, await job.run(self.scheduler.context))
            except Exception:
                log.exception("job %s failed", job.name)
        return done


async def chat(service: ChatService, *, address: str = "terminal:local", stdin: TextIO | None = None,
               out: TextIO | None = None, start: bool = True, poll: float = POLL) -> None:
    """One person's chat at ``address``: what waited for them first, then a conversation until the input
    ends; messages other chats write to them meanwhile show up while the chat waits for input."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interactive = stdin.isatty()
    sender = TerminalSender(out, color=interactive and out.isatty(), addresses={address})
    service.senders[sender.channel] = sender
    service.outbox.add_sender(sender)
    await service.start(background=False)
    jobs = DueJobs(service.scheduler)

    async def deliver() -> int:
        """Send what is due for this person; how many messages were shown."""
        before = sender.count
        await service.outbox.drain()
        return sender.count - before

    async def say(text: str) -> None:
        await service.engine.handle(
            Inbound(channel=Channel.TERMINAL, address=address, external_id=uuid.uuid4().hex, text=text,
                    language_hint=None)
        )
        await jobs.run(every_job=True)  # e.g. an announcement sent now is expanded at once
        await deliver()

    def prompt() -> None:
        if interactive:
            out.write("\nyou> ")
            out.flush()

    try:
        if interactive:
            out.write("SMCE bot - terminal chat. Type a message, a button's number, or Ctrl-D to leave.\n")
        # What others wrote to this person while their chat was closed comes first; then, if nothing
        # waited, the bot greets them (after waiting messages, their buttons are the ones to answer).
        if not await deliver() and start:
            await say("/start")
        reader = LineReader(stdin)
        while True:
            prompt()
            while True:
                try:
                    line = await reader.next(poll)
                    break
                except TimeoutError:  # nothing typed: show what others sent meanwhile, run due jobs
                    shown = await deliver()
                    if await jobs.run():
                        shown += await deliver()
                    if shown:
                        prompt()
            if line is None:
                break
            text = line.rstrip("\n")
            if not interactive:
                out.write(f"\nyou> {text}\n")
            await say(text)  # an empty line too: the bot says what it expects (#22 item 11)
        await jobs.run()
        await deliver()  # the input ended: what is due for this person, then leave
    finally:
        await service.stop()
