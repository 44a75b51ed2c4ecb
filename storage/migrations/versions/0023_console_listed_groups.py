"""trainer console: the dashboard's counts of rows of a course's or channel's learners, kept per day (issue 15)

Revision ID: 0023
Revises: 0022
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.console_listed_sql import create_statements, drop_statements

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # With a course filter the dashboard counted a year's listings, FAQ questions, announcement messages and
    # new learners row by row against the course's list (190,000 rows tested against 80,000 learners at
    # 100,000: 0.2-0.3 s on SQLite); part 3 of the learner snapshot keeps them per day
    # (storage.console_listed_summary).
    op.create_table(
        "console_listed_groups",
        sa.Column("course", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("what", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("course", "channel", "country", "day", "what", "status",
                                name=op.f("pk_console_listed_groups")),
    )
    for statement in create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.execute("DELETE FROM console_learner_snapshot WHERE id = 3")
    op.drop_table("console_listed_groups")
