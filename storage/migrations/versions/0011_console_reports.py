"""trainer console part 1: learner sex and age band, report indexes (issue 15)

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# storage.console.INDEXES beyond those of 0010: the channel filter, the course cohorts by start, and the
# per-question quiz counts of a course page (an index-only scan).
INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    ("ix_addresses_channel", "addresses", ["channel", "user_id"]),
    ("ix_lesson_progress_started", "lesson_progress", ["started_at"]),
    ("ix_quiz_answers_question", "quiz_answers", ["course_id", "question_id", "choice", "correct", "user_id"]),
)

def upgrade() -> None:
    op.add_column("users", sa.Column("sex", sa.String(length=16), nullable=True))
    op.add_column("users", sa.Column("age_band", sa.String(length=16), nullable=True))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("age_band")
        batch.drop_column("sex")
