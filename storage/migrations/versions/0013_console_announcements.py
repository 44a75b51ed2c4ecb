"""trainer console part 2: announcement composition and scheduling (issue 16)

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("links", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("cancelled_at", storage.models.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_broadcasts_cancelled_by_users"), "users", ["cancelled_by"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_constraint(op.f("fk_broadcasts_cancelled_by_users"), type_="foreignkey")
        batch.drop_column("cancelled_by")
        batch.drop_column("cancelled_at")
        batch.drop_column("links")
