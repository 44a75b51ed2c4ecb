"""Alembic environment: run with a connection handed over by ``storage.db.Database.upgrade``, or
standalone (``alembic -c storage/migrations/alembic.ini upgrade head``) with the database URL from
``-x url=...`` or else the ``DATABASE_URL`` environment variable (default: ``smce.db`` here)."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import storage.all_models  # noqa: F401 - registers every table on Base.metadata
from storage.db import DEFAULT_URL, normalise_database_url
from storage.models import Base

target_metadata = Base.metadata


def database_url() -> str:
    given = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("DATABASE_URL")
    return normalise_database_url(given or DEFAULT_URL)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(database_url())
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_async())
