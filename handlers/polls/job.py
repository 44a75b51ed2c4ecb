"""The ``polls`` job: open due polls and send them to their audience in batches (paced by the outbox like
announcements; WhatsApp's 24-hour window is the sender's, by the message kind ``poll``), close polls at
their time with the results to the author, and settle new free-text answers (``storage.polls``).

Each batch is one transaction: the recipients' rows (unique per poll), their outbox rows and the cursor
move together, so a restart resumes after the last batch and nobody gets a poll twice."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import translator
from bot.jobs import Job, JobContext
from bot.outbox import enqueue, enqueue_many
from bot.types import Button, Reply, rows
from handlers.polls.actions import CSV, LIST, RESULTS
from handlers.polls.common import question_reply
from handlers.polls.results import poll_results, results_text
from storage import polls as store
from storage.announcements import addresses_by_user, reachable
from storage.db import Database
from storage.models import User
from storage.polls import PollStatus
from storage.users import preferred_address

BATCH = 200


async def expand_batch(db: Database, poll_id: int, now: datetime, batch: int = BATCH) -> tuple[int, bool]:
    """Send the poll's first question to the next ``batch`` people; (people done, finished?)."""
    async with db.transaction() as session:
        poll = await store.locked_poll(session, poll_id)
        if poll is None or poll.status != PollStatus.OPEN or poll.expanded:
            return 0, True
        people = await store.next_people(session, poll, batch, now)
        if not people:
            poll.expanded = True
            return 0, True
        questions = await store.questions_of(session, poll.id)
        if not questions:
            poll.expanded = True
            return 0, True
        first = questions[0]
        choices = (await store.choices_of(session, [first.id]))[first.id]
        addresses = await addresses_by_user(session, [p.id for p in people])
        messages: list[tuple[int | None, str, str, Reply]] = []
        replies: dict[tuple[str | None, str | None], Reply] = {}
        menus: dict[tuple[str | None, str | None], list[int]] = {}
        for person in people:
            address = None if person.opted_out else reachable(addresses.get(person.id, []))
            if address is None:
                continue
            key = (person.language, person.timezone)
            if key not in replies:
                replies[key] = question_reply(translator(person.language, person.timezone), poll, first, choices,
                                              len(questions), closes_at=poll.closes_at)
            messages.append((person.id, address.channel, address.address, replies[key]))
            menus.setdefault(key, []).append(person.id)
        await enqueue_many(session, messages, now=now)
        await store.add_recipients(session, poll.id, [m[0] for m in messages if m[0] is not None])
        for key, ids in menus.items():
            await store.set_menus(session, ids, [[b.label, b.payload] for b in replies[key].flat_buttons])
        poll.cursor = people[-1].id
        poll.targeted += len(messages)
        return len(messages), False


async def close_poll(db: Database, poll_id: int, now: datetime) -> bool:
    """Close a poll whose time is up and send its author the results."""
    async with db.transaction() as session:
        poll = await store.locked_poll(session, poll_id)
        if poll is None or poll.status not in (PollStatus.OPEN, PollStatus.SCHEDULED):
            return False
        poll.status = PollStatus.CLOSED
        poll.closed_at = now
        author = await session.get(User, poll.author_id) if poll.author_id is not None else None
        target = preferred_address(author) if author is not None else None
        if author is not None and target is not None:
            t = translator(author.language, author.timezone)
            results = await poll_results(session, poll, 11)
            text = t.gettext("Your poll has closed.") + "\n\n" + results_text(t, results)
            enqueue(session, author.id, target.channel, target.address,
                    Reply(text=text, title=t.gettext("Results"), kind="report", buttons=rows(
                        Button(t.gettext("Results #{id}", id=poll.id), RESULTS.encode(poll.id)),
                        Button(t.gettext("Export CSV"), CSV.encode(poll.id)),
                        Button(t.gettext("Polls"), LIST.encode()))), now=now)
        return True


async def run_polls(jc: JobContext, *, batch: int = BATCH, max_batches: int = 100) -> int:
    now = jc.deps.clock.now()
    done = 0
    async with jc.db.read() as session:
        due = await store.due_to_close(session, now)
    for poll_id in due:
        done += int(await close_poll(jc.db, poll_id, now))
    async with jc.db.transaction() as session:
        await store.open_due(session, now)
        expanding = await store.expanding_ids(session)
    batches = 0
    for poll_id in expanding:
        finished = False
        while not finished and batches < max_batches:
            count, finished = await expand_batch(jc.db, poll_id, now, batch)
            batches += 1
            done += count
            if count:
                jc.wake_outbox()
    async with jc.db.transaction() as session:
        await store.settle_texts(session)
    return done


JOBS: list[Job] = [Job("polls", 5.0, run_polls)]
