"""trainer console part 2: audit log, moderation decisions, inbox claims (issue 16)

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    for column in ("at", "actor_id", "action", "target"):
        op.create_index(op.f(f"ix_audit_log_{column}"), "audit_log", [column], unique=False)
    # Who made a listing's last moderation decision, and when (chat or console).
    with op.batch_alter_table("market_listings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moderator_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("moderated_at", storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_market_listings_moderator_id_users"), "users",
                                    ["moderator_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("market_listings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_market_listings_moderator_id_users"), type_="foreignkey")
        batch_op.drop_column("moderated_at")
        batch_op.drop_column("moderator_id")
    for column in ("at", "actor_id", "action", "target"):
        op.drop_index(op.f(f"ix_audit_log_{column}"), table_name="audit_log")
    op.drop_table("audit_log")
