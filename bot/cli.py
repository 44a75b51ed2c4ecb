"""``smce-bot``: serve, chat, db upgrade, content check (and the feature commands)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.config import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.service import Service

    try:
        asyncio.run(Service(settings).serve())
    except KeyboardInterrupt:
        pass
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.terminal import chat
    from bot.service import Service

    # The terminal chat needs no token: other channels stay off even if configured.
    settings = settings.replace(telegram_token=None, twilio_account_sid=None)
    asyncio.run(chat(Service(settings), address=f"terminal:{args.user}"))
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import Database

    async def run() -> None:
        db = Database(settings.database_url)
        await db.upgrade()
        await db.close()

    asyncio.run(run())
    print("database is up to date")
    return 0


def _content_check(args: argparse.Namespace, settings: Settings) -> int:
    from content import CONTENT_LANGUAGES, load_library

    root = Path(args.dir) if args.dir else settings.content_dir
    library, problems = load_library(root)
    for problem in problems:
        print(problem)
    missing = library.missing_translations()
    total = library.text_count()
    print(f"{len(library.courses)} courses, {sum(len(c.lessons) for c in library.courses.values())} lessons, "
          f"{len(library.faq)} FAQ entries, {len(library.out_of_scope)} out-of-scope examples, "
          f"{len(problems)} problems")
    print(f"translations missing per language (of {total} texts): "
          + ", ".join(f"{lang} {missing[lang]}" for lang in CONTENT_LANGUAGES))
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smce-bot", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("serve", help="run the web server (webhooks), the outbox and scheduled jobs").set_defaults(
        func=_serve)
    p = sub.add_parser("chat", help="talk to the bot in this terminal (no token, no network)")
    p.add_argument("--user", default="local", help="who you are in the terminal chat (default: local)")
    p.set_defaults(func=_chat)

    db = sub.add_parser("db", help="database commands").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=_db_upgrade)

    content = sub.add_parser("content", help="content library commands").add_subparsers(
        dest="content_command", required=True)
    p = content.add_parser("check", help="validate a content library (default: CONTENT_DIR or the bundled one)")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=_content_check)

    for module in FEATURE_COMMANDS:
        __import__(module, fromlist=["add_commands"]).add_commands(sub)
    return parser


# Feature modules that add commands: each has ``add_commands(subparsers)`` setting ``func``. They are imported
# by name when the parser is built, so ``bot.cli`` (like ``bot.service``) may reach into ``handlers``.
FEATURE_COMMANDS: list[str] = ["bot.i18n_tools.cli", "handlers.announcements"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("aiosqlite").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "chat" and not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)
    code: int = args.func(args, Settings.from_env(os.environ))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
