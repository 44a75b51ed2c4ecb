"""FAQ tickets, unanswered questions and feedback

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("taken_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_faq_tickets_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["trainer_id"], ["users.id"], name=op.f("fk_faq_tickets_trainer_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_tickets")),
    )
    with op.batch_alter_table("faq_tickets", schema=None) as batch_op:
        batch_op.create_index("ix_faq_tickets_status", ["status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_faq_tickets_user_id"), ["user_id"], unique=False)

    op.create_table(
        "faq_ticket_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_trainer", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["faq_tickets.id"],
                                name=op.f("fk_faq_ticket_messages_ticket_id_faq_tickets"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_faq_ticket_messages_author_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_ticket_messages")),
    )
    with op.batch_alter_table("faq_ticket_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faq_ticket_messages_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "faq_unanswered",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("best_entry_id", sa.String(length=40), nullable=True),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("chosen_entry_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_faq_unanswered_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_unanswered")),
    )
    with op.batch_alter_table("faq_unanswered", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faq_unanswered_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_faq_unanswered_user_id"), ["user_id"], unique=False)

    op.create_table(
        "faq_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("voted_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_faq_answers_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_answers")),
    )
    with op.batch_alter_table("faq_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faq_answers_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_faq_answers_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("faq_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_answers_user_id"))
        batch_op.drop_index(batch_op.f("ix_faq_answers_entry_id"))
    op.drop_table("faq_answers")
    with op.batch_alter_table("faq_unanswered", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_unanswered_user_id"))
        batch_op.drop_index(batch_op.f("ix_faq_unanswered_created_at"))
    op.drop_table("faq_unanswered")
    with op.batch_alter_table("faq_ticket_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_ticket_messages_ticket_id"))
    op.drop_table("faq_ticket_messages")
    with op.batch_alter_table("faq_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_tickets_user_id"))
        batch_op.drop_index("ix_faq_tickets_status")
    op.drop_table("faq_tickets")
