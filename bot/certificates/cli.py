"""``smce-bot verify CODE`` (what the public verify page says) and ``smce-bot certificates list|revoke``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from bot.certificates import show_code
from bot.certificates.web import verify
from bot.config import Settings
from storage.certificates import certificate_counts, revoke_certificate
from storage.db import Database, run_with_database


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        verdict = await verify(db, args.code)
        print("\n".join(verdict.lines()))
        return {"valid": 0, "revoked": 1}.get(verdict.status, 2)

    return run_with_database(settings.database_url, work)


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        async with db.transaction() as session:
            row = await revoke_certificate(session, args.code, args.reason, datetime.now(UTC))
            if row is None:
                print(f"Certificate {args.code}: not found")
                return 2
            print(f"Certificate {show_code(row.code)} revoked: {args.reason}")
            return 0

    return run_with_database(settings.database_url, work)


def _counts(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        async with db.transaction() as session:
            counts = await certificate_counts(session)
        for course, n in sorted(counts.items()):
            print(f"{course}: {n}")
        if not counts:
            print("no certificates yet")
        return 0

    return run_with_database(settings.database_url, work)


def add_commands(subparsers: Any) -> None:
    p = subparsers.add_parser("verify", help="check a certificate code: valid, revoked or not found")
    p.add_argument("code")
    p.set_defaults(func=_verify)
    parser = subparsers.add_parser("certificates", help="course certificates: counts, revoke")
    sub = parser.add_subparsers(dest="certificates_command", required=True)
    p = sub.add_parser("revoke", help="revoke a certificate (the verify page then says so, with the reason)")
    p.add_argument("code")
    p.add_argument("--reason", required=True, help="shown on the verify page")
    p.set_defaults(func=_revoke)
    p = sub.add_parser("counts", help="valid certificates issued per course")
    p.set_defaults(func=_counts)
