"""The public verify page and ``smce-bot verify`` / ``smce-bot certificates revoke``: valid, revoked (with the
reason), unknown (a clear 404 page); names are HTML-escaped and the page has no script."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.certificates.cli import add_commands
from bot.certificates.web import routes
from bot.config import Settings
from bot.media import MediaStore
from bot.web import build_app
from storage.certificates import CODE_ALPHABET, CODE_LENGTH, issue_certificate, new_code
from storage.db import Database
from storage.users import get_or_create

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


async def make_certificate(db: Database, name: str) -> str:
    async with db.transaction() as session:
        user, _, _ = await get_or_create(session, "terminal", "terminal:ana")
        row = await issue_certificate(session, user_id=user.id, course_id="basics", name=name,
                                      course_title="ການຕັ້ງລາຄາ", language="lo", issuer="SMCE Skills Programme", now=NOW)
        return row.code


async def cli(database_url: str, *args: str) -> int:
    """``smce-bot <args>`` through this feature's commands (in a thread: the commands run their own loop)."""
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(required=True))
    ns = parser.parse_args(list(args))
    return int(await asyncio.to_thread(ns.func, ns, Settings(database_url=database_url)))


def test_codes_are_random_and_unambiguous() -> None:
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(CODE_ALPHABET) ** CODE_LENGTH >= 2 ** 40 and not set("IO01") & set(CODE_ALPHABET)


async def test_verify_page_valid_revoked_and_unknown(database_url: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(database_url)
    await db.upgrade()
    code = await make_certificate(db, "Noy <script>alert(1)</script>")
    async with TestClient(TestServer(build_app(MediaStore(tmp_path), routes(db)))) as client:
        resp = await client.get(f"/verify/{code[:5]}-{code[5:].lower()}")  # as shown, in any case
        page = await resp.text()
        assert resp.status == 200 and "Valid certificate" in page
        assert "&lt;script&gt;" in page and "<script" not in page
        assert "ການຕັ້ງລາຄາ" in page and "6 December 2026" in page and "SMCE Skills Programme" in page
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]

        assert await cli(database_url, "verify", code) == 0
        assert "VALID" in capsys.readouterr().out
        assert await cli(database_url, "certificates", "revoke", code, "--reason", "issued by mistake") == 0
        assert await cli(database_url, "verify", code) == 1
        out = capsys.readouterr().out
        assert "REVOKED" in out and "issued by mistake" in out

        resp = await client.get(f"/verify/{code}")
        page = await resp.text()
        assert resp.status == 200 and "Revoked certificate" in page and "issued by mistake" in page

        resp = await client.get("/verify/NOSUCHCODE")
        assert resp.status == 404 and "Certificate not found" in await resp.text()
        resp = await client.get("/verify/%3Cb%3E")
        assert resp.status == 404 and "&lt;b&gt;" in await resp.text()
    assert await cli(database_url, "verify", "NOSUCHCODE") == 2
    assert "not found" in capsys.readouterr().out
    await db.close()


async def test_counts_and_forgetting_keep_only_an_anonymous_count(database_url: str) -> None:
    from storage.certificates import anonymise_certificates, certificate_by_code, certificate_counts

    db = Database(database_url)
    await db.upgrade()
    code = await make_certificate(db, "Noy")
    async with db.transaction() as session:
        row = await certificate_by_code(session, code)
        assert row is not None and row.user_id is not None
        await anonymise_certificates(session, row.user_id)
    async with db.transaction() as session:
        row = await certificate_by_code(session, code)
        assert row is not None and row.name is None and row.user_id is None
        assert await certificate_counts(session) == {"basics": 1}
    await db.close()
