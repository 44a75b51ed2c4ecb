"""``smce-bot deadletters list|show|replay|drop``: the messages whose handler raised (``storage.deadletters``).

``replay`` hands a dead letter's message to the engine again (after a fix); if it still fails nothing is
written and the error is shown, so the person does not get a second apology. The replies it queues are
sent by the running ``smce-bot serve`` (or the next one to start).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from storage.db import Database, run_with_database
from storage.deadletters import DeadLetter, dead_letter, dead_letters, drop_dead_letter, mark_replayed

if TYPE_CHECKING:
    from bot.service import Service


def _summary(row: DeadLetter) -> str:
    last = row.error.strip().splitlines()[-1] if row.error.strip() else ""
    return (f"{row.id:>6}  {row.created_at:%Y-%m-%d %H:%M:%S}  {row.status:<8}  {row.address:<28}  "
            f"{last[:80]}")


def _list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        async with db.read() as session:
            rows = await dead_letters(session, everything=args.all, limit=args.limit)
        if not rows:
            print("no dead letters" + ("" if args.all else " waiting"))
        for row in rows:
            print(_summary(row))
        return 0

    return run_with_database(settings.database_url, work)


def _show(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        async with db.read() as session:
            row = await dead_letter(session, args.id)
        if row is None:
            print(f"no dead letter {args.id}")
            return 1
        print(_summary(row))
        print(json.dumps(row.payload, ensure_ascii=False, indent=2))
        print(row.error)
        return 0

    return run_with_database(settings.database_url, work)


async def replay(settings: Settings, ids: list[int] | None, service: Service | None = None) -> dict[int, str]:
    """Replay dead letters (``None``: every one waiting) through ``service`` (default: one built from
    ``settings``, closed afterwards); per id, "replayed" or why not."""
    from bot.engine import inbound_from_dict
    from bot.service import Service

    own = service is None
    service = service or Service(settings)
    results: dict[int, str] = {}
    try:
        if own:
            await service.db.upgrade()
        async with service.db.read() as session:
            if ids is None:
                rows = await dead_letters(session, limit=10_000)
            else:
                rows = [r for i in ids if (r := await dead_letter(session, i)) is not None]
                results.update({i: "not found" for i in ids if i not in {r.id for r in rows}})
        for row in sorted(rows, key=lambda r: r.id):  # each address's messages in the order they came
            if row.status != "new":
                results[row.id] = f"already {row.status}"
                continue
            msg = replace(inbound_from_dict(row.payload), external_id=f"dead-letter:{row.id}")
            try:
                handled = await service.engine.handle(msg, raise_errors=True)
            except Exception as exc:
                results[row.id] = f"failed again: {exc!r}"[:300]
                continue
            async with service.db.transaction() as session:
                await mark_replayed(session, row.id, service.clock.now())
            results[row.id] = "replayed" if handled else "replayed before"
    finally:
        if own:
            await service.db.close()
    return results


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    if not args.ids and not args.all:
        print("give dead letter ids, or --all")
        return 2
    results = asyncio.run(replay(settings, None if args.all else args.ids))
    for letter_id, outcome in sorted(results.items()):
        print(f"{letter_id}: {outcome}")
    return 0 if all(o.startswith("replayed") for o in results.values()) else 1


def _drop(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        missing = 0
        for letter_id in args.ids:
            async with db.transaction() as session:
                found = await drop_dead_letter(session, letter_id)
            print(f"{letter_id}: {'dropped' if found else 'not found'}")
            missing += not found
        return 1 if missing else 0

    return run_with_database(settings.database_url, work)


def add_commands(subparsers: Any) -> None:
    parser = subparsers.add_parser("deadletters", help="messages whose handler failed: list, show, replay, drop")
    sub = parser.add_subparsers(dest="deadletters_command", required=True)
    p = sub.add_parser("list", help="the newest dead letters (those waiting; --all for every one)")
    p.add_argument("--all", action="store_true")
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=_list)
    p = sub.add_parser("show", help="one dead letter: the message and the error")
    p.add_argument("id", type=int)
    p.set_defaults(func=_show)
    p = sub.add_parser("replay", help="handle dead letters again (after a fix); a failure changes nothing")
    p.add_argument("ids", type=int, nargs="*")
    p.add_argument("--all", action="store_true", help="every dead letter waiting")
    p.set_defaults(func=_replay)
    p = sub.add_parser("drop", help="forget dead letters")
    p.add_argument("ids", type=int, nargs="+")
    p.set_defaults(func=_drop)
