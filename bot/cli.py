"""``smce-bot``: serve, chat, db upgrade, content check (and the feature commands)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.config import CHAT_VARIABLES, ENVIRONMENT, Settings

Command = Callable[[argparse.Namespace, Settings], int]

CHAT_LOG = "smce-bot-chat.log"


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

    # Said before the conversation starts (on stderr: stdout is the conversation, e.g. a piped transcript).
    print(database_note(settings.database_url), file=sys.stderr)
    print(args.log_note, file=sys.stderr)
    # The terminal chat needs no token: other channels stay off even if configured.
    settings = settings.replace(telegram_token=None, twilio_account_sid=None)
    try:
        asyncio.run(chat(Service(settings), address=f"terminal:{args.user}"))
    except KeyboardInterrupt:  # Ctrl-C: the chat has stopped the service on its way out
        print(file=sys.stderr)
    return 0


def _sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file of a URL (``None``: PostgreSQL or an in-memory database)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or "mode=memory" in database:
        return None
    return Path(database.removeprefix("file:").split("?", 1)[0]).resolve()


def database_note(database_url: str) -> str:
    """Where the chat keeps its data: "Using database smce.db in /path (set DATABASE_URL to change)"."""
    from sqlalchemy.engine import make_url

    file = _sqlite_file(database_url)
    if file is not None:
        where = f"{file.name} in {file.parent}"
    elif make_url(database_url).get_backend_name() == "sqlite":
        where = "in memory (nothing is kept after the chat)"
    else:
        where = make_url(database_url).render_as_string(hide_password=True)
    return f"Using database {where} (set DATABASE_URL to change)"


def chat_log_path(database_url: str) -> Path:
    """The chat's log file: next to its SQLite database, else in the working directory."""
    file = _sqlite_file(database_url)
    return (file.parent if file is not None else Path.cwd()) / CHAT_LOG


def _log_chat_to_file(path: Path, level: int) -> str:
    """Log records go to ``path``, never into the conversation; returns what to tell the person."""
    root = logging.getLogger()
    root.setLevel(level)
    try:
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        note = f"Log: {path}"
    except OSError as exc:  # e.g. a read-only folder: only errors, on stderr
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.ERROR)
        note = f"Log: errors only, on stderr (cannot write {path}: {exc.strerror})"
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return note


def environment_help(names: Sequence[str] | None = None) -> str:
    """The environment variables (all, or ``names``) with defaults, for an epilog; never their values."""
    chosen = [v for v in ENVIRONMENT if names is None or v.name in names]
    width = max(len(v.name) for v in chosen) + 2
    lines = ["environment variables (default in brackets; secret values are never shown):"]
    lines += [f"  {v.name.ljust(width)}{v.meaning} [{v.default}]" for v in chosen]
    return "\n".join(lines)


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

    raw = argparse.RawDescriptionHelpFormatter
    help_ = "run the web server (webhooks), the outbox and scheduled jobs"
    sub.add_parser("serve", help=help_, description=help_, formatter_class=raw,
                   epilog=environment_help()).set_defaults(func=_serve)
    help_ = "talk to the bot in this terminal (no token, no network)"
    p = sub.add_parser("chat", help=help_, formatter_class=raw, description=textwrap.fill(
        help_ + ". Each --user is one person with their own chat: run two chats (two terminals, same "
        "database) to try what happens between people, e.g. a buyer writing to a seller through the "
        "marketplace. Messages for a person show in their own chat, at once if it is open, else when it "
        f"opens. Logs go to {CHAT_LOG} next to the SQLite database (with PostgreSQL: in the working "
        "directory).", 100), epilog=environment_help(CHAT_VARIABLES)
        + "\n  (Telegram and WhatsApp settings are ignored: the chat needs no token.)")
    p.add_argument("--user", default="local",
                   help="who you are in the terminal chat: your address is terminal:USER (default: local)")
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
FEATURE_COMMANDS: list[str] = [
    "bot.i18n_tools.cli", "bot.deadletters", "bot.certificates.cli", "handlers.announcements", "handlers.console",
]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env(os.environ)
    level = logging.DEBUG if args.verbose else logging.INFO
    if args.command == "chat":  # log records must not interleave with the conversation
        args.log_note = _log_chat_to_file(chat_log_path(settings.database_url), level)
    else:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                            stream=sys.stderr)
    if not args.verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("aiosqlite").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
    code: int = args.func(args, settings)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
