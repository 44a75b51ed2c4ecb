"""lesson reminders keep their minutes: a learner who asks for 6:30 gets the reminder at 6:30, not 6:00

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing reminders were on the hour: minute 0.
    op.add_column("lesson_reminders", sa.Column("minute", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("lesson_reminders") as batch:
        batch.drop_column("minute")
