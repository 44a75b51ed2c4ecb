"""trainer console: daily summaries of learning numbers and the triggers that mark changed days (issue 15)

Revision ID: 0019
Revises: 0018
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models
from storage.console_summary_sql import create_statements, drop_statements

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_summary_days",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("summarised", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_console_summary_days")),
    )
    op.create_table(
        "console_summary",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("course_id", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("lessons", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "channel", "day", "country", "course_id", name=op.f("pk_console_summary")),
    )
    op.create_table(
        "console_summary_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("fingerprint", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_console_summary_months")),
    )
    op.create_table(
        "console_learner_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("boundary", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("summarised", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_learner_snapshot")),
    )
    op.create_table(
        "console_learner_groups",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "country", "dim", "value", "missing",
                                name=op.f("pk_console_learner_groups")),
    )
    op.drop_index("ix_lesson_progress_started", table_name="lesson_progress")  # the cohort index covers it
    op.create_index("ix_lesson_progress_cohort", "lesson_progress",
                    ["started_at", "course_id", "completed_at", "user_id"], unique=False)
    op.create_index("ix_outbox_created", "outbox", ["created_at", "broadcast_id", "status", "channel"], unique=False)
    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_outbox_created", table_name="outbox")
    op.drop_index("ix_lesson_progress_cohort", table_name="lesson_progress")
    op.create_index("ix_lesson_progress_started", "lesson_progress", ["started_at"], unique=False)
    op.drop_table("console_learner_groups")
    op.drop_table("console_learner_snapshot")
    op.drop_table("console_summary_months")
    op.drop_table("console_summary")
    op.drop_table("console_summary_days")
