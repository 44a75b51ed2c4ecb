"""The core: one standard inbound message in, state changed and replies queued, in one transaction.

Order of work for each message (after mailroom):
1. wait for this address's turn (one message per user at a time, in arrival order);
2. in one transaction: drop it if ``(channel, external_id)`` was seen, load or create the user, map a
   typed menu number or button label to its payload, run the first matching handler, and write every
   reply into the outbox;
3. after commit, wake the outbox worker, which sends.
A crash before commit loses nothing: the platform has no 200 yet and sends the update again.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import traceback
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz

from bot.context import Context, Deps
from bot.logs import about_update
from bot.metrics import DEAD_LETTERS, Outcome, count_update, observe_handling
from bot.outbox.queue import enqueue_many
from bot.router import Router
from bot.text.normalise import normalise_text
from bot.types import Channel, Inbound, Location, Media, Reply
from storage.db import Database
from storage.deadletters import add_dead_letter
from storage.models import User
from storage.raw import UNIQUE_VIOLATIONS, Sql, in_session
from storage.users import get_or_create, note_inbound, remember_menu
from storage.workers import ADDRESS_LOCKS, lock_address

log = logging.getLogger(__name__)

MAX_TEXT = 4096
# On the driver (storage.raw): it runs for every message. The primary key refuses a message seen before.
SEEN = Sql("INSERT INTO seen_messages (channel, external_id, seen_at) VALUES (:channel, :external_id, :seen_at)")
# PostgreSQL: with the address's lock first (``storage.workers.lock_address``'s, until commit), one round trip.
SEEN_LOCKED = Sql("INSERT INTO seen_messages (channel, external_id, seen_at) "
                  "SELECT :channel, :external_id, CAST(:seen_at AS timestamptz) "
                  "FROM (SELECT pg_advisory_xact_lock(:space, hashtext(:address))) AS lock")
# Channels that show buttons as a numbered list: a typed number, or words close to a label, press it.
NUMBERED_MENU_CHANNELS = {Channel.WHATSAPP.value, Channel.TERMINAL.value}


class Duplicate(Exception):
    pass


class KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: defaultdict[str, int] = defaultdict(int)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                self._locks.pop(key, None)


class Engine:
    def __init__(
        self,
        db: Database,
        router: Router,
        deps: Deps,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.router = router
        self.deps = deps
        self.on_commit = on_commit or (lambda: None)
        self.locks = KeyedLocks()

    async def handle(self, msg: Inbound, *, raise_errors: bool = False) -> bool:
        """Handle one inbound message; False when it was a duplicate and changed nothing.

        When a handler raises, the message is kept as a dead letter (``storage.deadletters``) and the
        user gets an apology, in one transaction that also marks the message seen: the platform's retry
        is a duplicate, nothing loops. With ``raise_errors`` (a replay) the error propagates instead and
        nothing is written."""
        started = time.perf_counter()
        with about_update(msg.external_id, msg.channel, msg.address):
            async with self.locks.hold(msg.address):
                try:
                    handled = await self._handle(msg, run_handlers=True)
                    outcome = Outcome.HANDLED
                except Duplicate:
                    count_update(msg.channel, Outcome.DUPLICATE)
                    return False
                except Exception as exc:
                    if raise_errors:
                        raise
                    log.exception("handler failed for %s message %s", msg.channel, msg.external_id)
                    handled = await self._handle(msg, run_handlers=False, failure=exc)
                    outcome = Outcome.DEAD_LETTER
                    DEAD_LETTERS.labels(msg.channel).inc()
        count_update(msg.channel, outcome)
        observe_handling(msg.channel, time.perf_counter() - started)
        if handled:
            self.on_commit()
        return handled

    async def _handle(self, msg: Inbound, *, run_handlers: bool, failure: BaseException | None = None) -> bool:
        if msg.text and not msg.text.isascii():  # one form for matching and storing: NFC, Unicode Burmese,
            msg = replace(msg, text=normalise_text(msg.text))  # a typed number or code in 0-9 digits
        async with self.db.transaction() as session:
            # Across workers (PostgreSQL), this person's messages one at a time too: an advisory lock held
            # until commit; the in-process lock above keeps arrival order among this worker's messages.
            # Then no lookup first: the primary key refuses a message seen before (or being handled by a
            # concurrent worker on PostgreSQL, which waits for that one to commit), saving a query per update.
            # A plain INSERT on the driver, not an ORM object and a flush: the unit of work costs more than the
            # statement. On PostgreSQL one statement takes the lock, then inserts the row (one round trip).
            raw = await in_session(session)
            now = self.deps.clock.now()
            seen = {"channel": msg.channel, "external_id": msg.external_id, "seen_at": now}
            try:
                if raw.postgres:
                    await raw.run(SEEN_LOCKED, {**seen, "space": ADDRESS_LOCKS, "address": msg.address})
                else:
                    await lock_address(session, msg.address)  # nothing to do on SQLite (one worker)
                    await raw.run(SEEN, seen)
            except UNIQUE_VIOLATIONS as exc:
                raise Duplicate from exc
            user, address, created = await get_or_create(session, msg.channel, msg.address, inbound_at=now)
            if created and msg.meta.get("country_hint") and user.country is None:
                user.country = msg.meta["country_hint"][:2]  # e.g. from a phone's country code
            await note_inbound(session, address, now, username=msg.username, profile_name=msg.profile_name)
            ctx = Context(self._resolve_menu(msg, user), user, address, session, self.deps)
            if not run_handlers:
                error = "".join(traceback.format_exception(failure)) if failure else "not handled"
                add_dead_letter(session, msg.channel, msg.external_id, msg.address, inbound_to_dict(msg), error,
                                self.deps.clock.now())
                ctx.reply(ctx._("Sorry, something went wrong on our side. Please try again, or send /menu."))
            elif len(msg.text) > MAX_TEXT:
                ctx.reply(
                    ctx._(
                        "That message is too long ({count} characters). Please send a shorter one.",
                        count=ctx.t.number(len(msg.text)),
                    )
                )
            elif not await self.router.dispatch(ctx):
                ctx.reply(ctx._("Sorry, I did not understand that. Send /menu to see what I can do."))
            user = ctx.user  # a handler may move this address to another user (linking two channels)
            menu = self._menu(user, ctx.replies)
            messages = ([(user.id, msg.channel, msg.address, reply) for reply in ctx.replies]
                        + [(out.user_id, out.channel, out.address, out.reply) for out in ctx.outgoing])
            # One INSERT (in this order, so ids keep each address's order), after the handler's work; the
            # menu goes with it when there are rows (on PostgreSQL in the same statement).
            await enqueue_many(session, messages, now=ctx.now, menu=(user.id, menu) if menu is not None else None)
            if menu is not None:
                await remember_menu(session, user, menu, written=bool(messages))
        return True

    @staticmethod
    def _menu(user: User, replies: list[Reply]) -> list[list[str]] | None:
        """The buttons to remember after these replies (the last ones shown), or None: unchanged."""
        with_buttons = [r for r in replies if r.buttons]
        if with_buttons:
            menu = [[b.label, b.payload] for b in with_buttons[-1].flat_buttons]
            return menu if menu != user.menu else None
        return [] if replies and user.menu else None

    @staticmethod
    def _resolve_menu(msg: Inbound, user: User) -> Inbound:
        """Turn "2", a button's words, or (on numbered-menu channels) a near miss into its payload."""
        if msg.payload is not None or not msg.text or not user.menu or msg.text.startswith("/"):
            return msg  # a command is never a near miss of a button ("/feature" is not "Featured")
        said = normalise_text(msg.text).strip().rstrip(".").casefold()
        if said.isdigit():
            index = int(said) - 1
            if 0 <= index < len(user.menu):
                return replace(msg, payload=user.menu[index][1])
            return msg
        labels = [normalise_text(label).casefold() for label, _ in user.menu]
        if said in labels:
            return replace(msg, payload=user.menu[labels.index(said)][1])
        if msg.channel in NUMBERED_MENU_CHANNELS and 3 <= len(said) <= 60:
            scores = [fuzz.ratio(said, label) for label in labels]
            best = max(range(len(scores)), key=scores.__getitem__)
            if scores[best] >= 85 and sorted(scores)[-2:-1] != [scores[best]]:
                return replace(msg, payload=user.menu[best][1])
        return msg


def inbound_to_dict(msg: Inbound) -> dict[str, Any]:
    """A message as JSON (a dead letter's payload)."""
    data = asdict(msg)
    data["received_at"] = msg.received_at.isoformat() if msg.received_at else None
    return data


def inbound_from_dict(data: dict[str, Any]) -> Inbound:
    """The message ``inbound_to_dict`` wrote."""
    fields = dict(data)
    fields["media"] = tuple(Media(**m) for m in fields.get("media") or ())
    fields["location"] = Location(**fields["location"]) if fields.get("location") else None
    received = fields.get("received_at")
    fields["received_at"] = datetime.fromisoformat(received) if received else None
    return Inbound(**fields)


def tune_gc() -> None:
    """For a long-running server, once started: fewer, cheaper garbage collections.

    What start-up loaded (content, translations, SQLAlchemy and PTB internals) is moved out of the
    collector's sight (``gc.freeze``), and young collections run after 20,000 allocations instead of 700.
    Full collections over everything loaded stalled the event loop for 100-300 ms at a time in the
    broadcast benchmark (and so the sending); reference counting frees almost everything anyway.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
