"""community: events, RSVPs, waitlist and check-in (issue 18)

Revision ID: 0017
Revises: 0016
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_events_author_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_events_upcoming", ["status", "starts_at"], unique=False)
    op.create_table(
        "event_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("queued_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.Integer(), nullable=True),
        sa.Column("reminded_day_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_hour_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_event_rsvps_event_id_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_event_rsvps_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["checked_in_by"], ["users.id"], name=op.f("fk_event_rsvps_checked_in_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_rsvps")),
        sa.UniqueConstraint("code", name=op.f("uq_event_rsvps_code")),
        sa.UniqueConstraint("event_id", "user_id", name=op.f("uq_event_rsvps_event_id")),
    )
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_rsvps_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_event_rsvps_line", ["event_id", "status", "position"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.drop_index("ix_event_rsvps_line")
        batch_op.drop_index(batch_op.f("ix_event_rsvps_user_id"))
    op.drop_table("event_rsvps")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_upcoming")
        batch_op.drop_index(batch_op.f("ix_events_author_id"))
    op.drop_table("events")
