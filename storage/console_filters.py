"""What the console's queries share (``storage.console`` and the summaries built on it): the filters, whole
UTC days, open-ended time ranges that still use an index, the optional profile columns, and a skip scan for
an indexed column's values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User

# Bounds for "from a moment on" ranges: with both, SQLite walks the timestamp's index instead of another.
EARLIEST, LATEST = datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)

# Profile columns shown only when the users table has them (sex and age band come with another issue).
OPTIONAL_COLUMNS = ("sex", "age_band")

def day_start(moment: datetime) -> datetime:
    """The start of ``moment``'s UTC day."""
    return datetime.combine(moment.astimezone(UTC).date(), time(), UTC)


@dataclass(frozen=True)
class Filters:
    """The console's filters: a period (days back, ``None`` for all time), country, channel, course."""

    days: int | None = 30
    country: str | None = None
    channel: str | None = None
    course: str | None = None

    def since(self, now: datetime) -> datetime | None:
        """The period's first moment: the start of the UTC day ``days`` days ago (whole days)."""
        return day_start(now - timedelta(days=self.days)) if self.days else None


def optional_columns() -> list[str]:
    """The optional profile columns the users table has."""
    return [name for name in OPTIONAL_COLUMNS if name in User.__table__.c]


async def distinct_values(session: AsyncSession, column: Any) -> list[str]:
    """The values of an indexed column, in order: one index probe per value (a recursive "skip scan"),
    not a scan of every row."""
    seed = select(func.min(column).label("v")).where(column.is_not(None)).cte("walk", recursive=True)
    following = select(func.min(column)).where(column > seed.c.v).scalar_subquery()
    walk = seed.union_all(select(following).where(seed.c.v.is_not(None)).select_from(seed))
    return [v for v in (await session.scalars(select(walk.c.v).where(walk.c.v.is_not(None)))).all()]
