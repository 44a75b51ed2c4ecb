"""The triggers that set aside the dashboard's kept counts of rows (``storage.console_listed_summary``, part
``LISTED`` of the learner snapshot) when they stop being exact: a row of the counted tables created before
the part's boundary inserted, changed (its person, status, country, channel or time) or deleted, and a
progress row started before the boundary inserted, deleted or moved (the learners' lists of a course). The
learner snapshot's own triggers (``storage.console_summary_sql``) cover a learner who joined before the
boundary changing role, country or addresses. Only an announcement's messages are counted: the outbox's
other rows (replies, the usual case) fire nothing. Migration 0023 creates them and drops them."""

from __future__ import annotations

from storage.console_summary_sql import plpgsql_function

BUMP = "UPDATE console_learner_snapshot SET version = version + 1 WHERE id = 3 AND boundary > {row}.{column}"

# (table, time column, columns whose change matters, condition on a row or None)
TABLES = (
    ("faq_answers", "created_at", "user_id, created_at", None),
    ("faq_unanswered", "created_at", "user_id, created_at", None),
    ("faq_tickets", "created_at", "user_id, created_at", None),
    ("market_listings", "created_at", "seller_id, status, country, created_at", None),
    ("outbox", "created_at", "user_id, status, channel, broadcast_id, created_at", "{row}.broadcast_id IS NOT NULL"),
    ("lesson_progress", "started_at", "user_id, course_id, started_at", None),
)
EVENTS = (("insert", "INSERT", ["NEW"]), ("update", "UPDATE OF {columns}", ["OLD", "NEW"]),
          ("delete", "DELETE", ["OLD"]))


def _when(condition: str | None, rows: list[str]) -> str:
    return "" if condition is None else " WHEN " + " OR ".join(condition.format(row=row) for row in rows)


def create_statements(dialect: str) -> list[str]:
    found = []
    for table, column, columns, condition in TABLES:
        if dialect == "postgresql":
            found.append(plpgsql_function(f"console_listed_{table}_changed", BUMP.format(row="OLD", column=column),
                                          BUMP.format(row="NEW", column=column)))
        for name, event, rows in EVENTS:
            when = _when(condition, rows)
            if dialect == "postgresql":
                found.append(f"CREATE TRIGGER console_listed_{table}_{name} AFTER {event.format(columns=columns)} "
                             f"ON {table} FOR EACH ROW{when.replace(' WHEN ', ' WHEN (')}{')' if when else ''} "
                             f"EXECUTE FUNCTION console_listed_{table}_changed()")
            else:
                body = " ".join(BUMP.format(row=row, column=column) + ";" for row in rows)
                found.append(f"CREATE TRIGGER console_listed_{table}_{name} AFTER {event.format(columns=columns)} "
                             f"ON {table} FOR EACH ROW{when} BEGIN {body} END")
    return found


def drop_statements(dialect: str) -> list[str]:
    found = [f"DROP TRIGGER IF EXISTS console_listed_{table}_{name}" + (f" ON {table}" if dialect == "postgresql"
                                                                         else "")
             for table, *_ in TABLES for name, *_ in EVENTS]
    if dialect == "postgresql":
        found += [f"DROP FUNCTION IF EXISTS console_listed_{table}_changed()" for table, *_ in TABLES]
    return found
