"""Alembic migrations create exactly the schema the models declare, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import storage.all_models  # noqa: F401
from storage.db import Database
from storage.models import Base


async def test_migrations_match_models(database_url: str) -> None:
    db = Database(database_url)
    await db.upgrade()
    await db.upgrade()  # idempotent: running it again at start changes nothing

    def diff(sync_conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_conn, opts={"compare_type": False})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await db.close()
    assert differences == [], f"models and migrations differ: {differences}"
