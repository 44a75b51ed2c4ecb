"""lesson progress: each course's completions in the order of their durations (issue 15)

Revision ID: 0022
Revises: 0021
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# The seconds from start to completion, as storage.console_filters.CompletionSeconds writes them (frozen here).
SECONDS = {
    "sqlite": "(julianday(completed_at) - julianday(started_at)) * 86400.0",
    "postgresql": "EXTRACT(EPOCH FROM completed_at - started_at)",
}


def upgrade() -> None:
    # The course list's median completion time sorted every completion of the cohort (tens of thousands at
    # 100,000 learners); with the completions of each course in the order of their durations, it reads a
    # course's rows from the shortest until the middle one (storage.console_courses.median_completions).
    seconds = sa.text(SECONDS[op.get_bind().dialect.name])
    completed = sa.text("completed_at IS NOT NULL")
    op.create_index("ix_lesson_progress_duration", "lesson_progress",
                    ["course_id", seconds, "started_at", "user_id", "completed_at"],
                    sqlite_where=completed, postgresql_where=completed)


def downgrade() -> None:
    op.drop_index("ix_lesson_progress_duration", table_name="lesson_progress")
