"""The triggers that keep the console's daily summaries honest (``storage.console_summary``): any change
that alters a summarised day's numbers adds one to that day's ``version`` in ``console_summary_days``, so
pages compute the day live until the refresh job summarises it again.

Days are ``YYYY-MM-DD`` of the UTC timestamp (SQLite keeps UTC text, ``substr`` takes the day). Only days
the job already marked have a row: a change to today's rows (the usual case) updates nothing.
Migration 0019 creates them (``create_statements``) and drops them (``drop_statements``).
"""

from __future__ import annotations

BUMP = "UPDATE console_summary_days SET version = version + 1 WHERE day IN ({days})"


def plpgsql_function(name: str, old: str, new: str) -> str:
    """A PostgreSQL trigger function ``name()`` that runs ``old`` for the old row (update, delete) and ``new``
    for the new one (insert, update)."""
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n"
            f"  IF TG_OP <> 'INSERT' THEN {old}; END IF;\n"
            f"  IF TG_OP <> 'DELETE' THEN {new}; END IF;\n"
            f"  RETURN NULL;\n"
            f"END $$")


def _user_days(day: str, user: str) -> str:
    """Every day a learner's progress rows and quiz answers count on (their role, country or channels
    changed)."""
    return (f"SELECT {day.format('started_at')} FROM lesson_progress WHERE user_id = {user} "
            f"UNION SELECT {day.format('completed_at')} FROM lesson_progress WHERE user_id = {user} "
            f"UNION SELECT {day.format('answered_at')} FROM quiz_answers WHERE user_id = {user}")


def _progress_days(day: str, row: str) -> str:
    """A progress row's days, and those of the quiz answers of its course (their course column says whether
    the learner has a progress row for it)."""
    return (f"SELECT {day.format(row + '.started_at')} UNION SELECT {day.format(row + '.completed_at')} "
            f"UNION SELECT {day.format('answered_at')} FROM quiz_answers WHERE user_id = {row}.user_id "
            f"AND course_id = {row}.course_id")


SQLITE_DAY = "substr({}, 1, 10)"
PG_DAY = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

# (name, table, event) of each SQLite trigger, its body built from OLD / NEW.
_SQLITE = (
    ("console_progress_insert", "lesson_progress", "INSERT", ["NEW"]),
    ("console_progress_update", "lesson_progress",
     "UPDATE OF user_id, course_id, lessons_done, started_at, completed_at", ["OLD", "NEW"]),
    ("console_progress_delete", "lesson_progress", "DELETE", ["OLD"]),
    ("console_answer_insert", "quiz_answers", "INSERT", ["NEW"]),
    ("console_answer_update", "quiz_answers", "UPDATE OF user_id, course_id, correct, answered_at", ["OLD", "NEW"]),
    ("console_answer_delete", "quiz_answers", "DELETE", ["OLD"]),
    ("console_user_update", "users", "UPDATE OF role, country", ["NEW"]),
    ("console_address_insert", "addresses", "INSERT", ["NEW"]),
    ("console_address_update", "addresses", "UPDATE OF user_id, channel", ["OLD", "NEW"]),
    ("console_address_delete", "addresses", "DELETE", ["OLD"]),
)


def _sqlite_body(table: str, rows: list[str]) -> str:
    statements = []
    for row in rows:
        if table == "lesson_progress":
            days = _progress_days(SQLITE_DAY, row)
        elif table == "quiz_answers":
            days = SQLITE_DAY.format(f"{row}.answered_at")
        elif table == "users":
            days = _user_days(SQLITE_DAY, f"{row}.id")
        else:
            days = _user_days(SQLITE_DAY, f"{row}.user_id")
        statements.append(BUMP.format(days=days) + ";")
    return " ".join(statements)


def _pg_function(table: str) -> str:
    if table == "lesson_progress":
        old, new = _progress_days(PG_DAY, "OLD"), _progress_days(PG_DAY, "NEW")
    elif table == "quiz_answers":
        old, new = PG_DAY.format("OLD.answered_at"), PG_DAY.format("NEW.answered_at")
    elif table == "users":
        old, new = _user_days(PG_DAY, "OLD.id"), _user_days(PG_DAY, "NEW.id")
    else:
        old, new = _user_days(PG_DAY, "OLD.user_id"), _user_days(PG_DAY, "NEW.user_id")
    return plpgsql_function(f"console_{table}_changed", BUMP.format(days=old), BUMP.format(days=new))


_PG = (
    ("lesson_progress", "INSERT OR DELETE OR UPDATE OF user_id, course_id, lessons_done, started_at, completed_at"),
    ("quiz_answers", "INSERT OR DELETE OR UPDATE OF user_id, course_id, correct, answered_at"),
    ("users", "UPDATE OF role, country"),
    ("addresses", "INSERT OR DELETE OR UPDATE OF user_id, channel"),
)


# The learner snapshot (``storage.console_learners``): a change to a learner who joined before its boundary.
SNAP = "UPDATE console_learner_snapshot SET version = version + 1 WHERE boundary > ({created})"
PROFILE = "role, country, language, province, craft, sex, age_band"
_SQLITE_SNAP = (
    ("console_learners_user_insert", "users", "INSERT", ["NEW"]),
    ("console_learners_user_update", "users", f"UPDATE OF {PROFILE}", ["OLD", "NEW"]),
    ("console_learners_user_delete", "users", "DELETE", ["OLD"]),
    ("console_learners_address_insert", "addresses", "INSERT", ["NEW"]),
    ("console_learners_address_update", "addresses", "UPDATE OF user_id, channel", ["OLD", "NEW"]),
    ("console_learners_address_delete", "addresses", "DELETE", ["OLD"]),
)


def _created(table: str, row: str) -> str:
    return f"{row}.created_at" if table == "users" else f"SELECT created_at FROM users WHERE id = {row}.user_id"


def _snap_statements(dialect: str) -> list[str]:
    if dialect != "postgresql":
        return [f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
                + " ".join(SNAP.format(created=_created(table, row)) + ";" for row in rows) + " END"
                for name, table, event, rows in _SQLITE_SNAP]
    found = []
    for table, events in (("users", f"INSERT OR DELETE OR UPDATE OF {PROFILE}"),
                          ("addresses", "INSERT OR DELETE OR UPDATE OF user_id, channel")):
        found.append(plpgsql_function(f"console_learners_{table}_changed", SNAP.format(created=_created(table, "OLD")),
                                      SNAP.format(created=_created(table, "NEW"))))
        found.append(f"CREATE TRIGGER console_learners_{table}_changed AFTER {events} ON {table} FOR EACH ROW "
                     f"EXECUTE FUNCTION console_learners_{table}_changed()")
    return found


def create_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        found = []
        for table, events in _PG:
            found.append(_pg_function(table))
            found.append(f"CREATE TRIGGER console_{table}_changed AFTER {events} ON {table} FOR EACH ROW "
                         f"EXECUTE FUNCTION console_{table}_changed()")
        return found + _snap_statements(dialect)
    return [f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {_sqlite_body(table, rows)} END"
            for name, table, event, rows in _SQLITE] + _snap_statements(dialect)


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        named = [(f"console_{table}_changed", table) for table, _ in _PG]
        named += [(f"console_learners_{table}_changed", table) for table in ("users", "addresses")]
        return [statement for name, table in named for statement in
                (f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name, *_ in (*_SQLITE, *_SQLITE_SNAP)]


# The snapshot's per-course part (``storage.console_learners.COURSES``, row 2; migration 0021): a progress
# row started before its boundary inserted, deleted or moved to another learner, course or start.
COURSE_SNAP = "UPDATE console_learner_snapshot SET version = version + 1 WHERE id = 2 AND boundary > {row}.started_at"
_SQLITE_COURSE_SNAP = (
    ("console_learners_progress_insert", "INSERT", ["NEW"]),
    ("console_learners_progress_update", "UPDATE OF user_id, course_id, started_at", ["OLD", "NEW"]),
    ("console_learners_progress_delete", "DELETE", ["OLD"]),
)


def course_snapshot_statements(dialect: str) -> list[str]:
    """Migration 0021's triggers on ``lesson_progress`` for the snapshot's per-course part."""
    if dialect != "postgresql":
        return [f"CREATE TRIGGER {name} AFTER {event} ON lesson_progress FOR EACH ROW BEGIN "
                + " ".join(COURSE_SNAP.format(row=row) + ";" for row in rows) + " END"
                for name, event, rows in _SQLITE_COURSE_SNAP]
    return [plpgsql_function("console_learners_progress_changed", COURSE_SNAP.format(row="OLD"),
                             COURSE_SNAP.format(row="NEW")),
            ("CREATE TRIGGER console_learners_progress_changed AFTER INSERT OR DELETE OR UPDATE OF user_id, "
             "course_id, started_at ON lesson_progress FOR EACH ROW "
             "EXECUTE FUNCTION console_learners_progress_changed()")]


def drop_course_snapshot_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return ["DROP TRIGGER IF EXISTS console_learners_progress_changed ON lesson_progress",
                "DROP FUNCTION IF EXISTS console_learners_progress_changed()"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name, *_ in _SQLITE_COURSE_SNAP]
