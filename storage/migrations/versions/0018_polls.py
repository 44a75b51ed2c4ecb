"""community: polls and consultations (issue 18)

Revision ID: 0018
Revises: 0017
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

RANDOM_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opens_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expanded", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("targeted", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_polls_author_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    op.create_index(op.f("ix_polls_author_id"), "polls", ["author_id"])
    op.create_index("ix_polls_due", "polls", ["status", "opens_at"])
    op.create_table(
        "poll_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], name=op.f("fk_poll_questions_poll_id_polls"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_questions")),
        sa.UniqueConstraint("poll_id", "position", name=op.f("uq_poll_questions_poll_id")),
    )
    op.create_table(
        "poll_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["poll_questions.id"],
                                name=op.f("fk_poll_choices_question_id_poll_questions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_choices")),
        sa.UniqueConstraint("question_id", "position", name=op.f("uq_poll_choices_question_id")),
    )
    op.create_table(
        "poll_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], name=op.f("fk_poll_recipients_poll_id_polls"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_poll_recipients_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_recipients")),
        sa.UniqueConstraint("poll_id", "user_id", name=op.f("uq_poll_recipients_poll_id")),
    )
    op.create_index(op.f("ix_poll_recipients_user_id"), "poll_recipients", ["user_id"])
    op.create_table(
        "poll_markers",
        sa.Column("id", RANDOM_ID, autoincrement=False, nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["poll_questions.id"],
                                name=op.f("fk_poll_markers_question_id_poll_questions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_poll_markers_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_markers")),
        sa.UniqueConstraint("question_id", "user_id", name=op.f("uq_poll_markers_question_id")),
    )
    op.create_index(op.f("ix_poll_markers_user_id"), "poll_markers", ["user_id"])
    op.create_table(
        "poll_texts",
        sa.Column("id", RANDOM_ID, autoincrement=False, nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fresh", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["poll_questions.id"],
                                name=op.f("fk_poll_texts_question_id_poll_questions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_texts")),
    )
    op.create_index("ix_poll_texts_question", "poll_texts", ["question_id", "id"])
    op.create_table(
        "poll_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("answered_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["poll_questions.id"],
                                name=op.f("fk_poll_answers_question_id_poll_questions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_poll_answers_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_answers")),
        sa.UniqueConstraint("question_id", "user_id", name=op.f("uq_poll_answers_question_id")),
    )
    op.create_index(op.f("ix_poll_answers_user_id"), "poll_answers", ["user_id"])


def downgrade() -> None:
    for index, table in (("ix_poll_answers_user_id", "poll_answers"), ("ix_poll_markers_user_id", "poll_markers"),
                         ("ix_poll_recipients_user_id", "poll_recipients")):
        op.drop_index(op.f(index), table_name=table)
    op.drop_table("poll_answers")
    op.drop_index("ix_poll_texts_question", table_name="poll_texts")
    op.drop_table("poll_texts")
    op.drop_table("poll_markers")
    op.drop_table("poll_recipients")
    op.drop_table("poll_choices")
    op.drop_table("poll_questions")
    op.drop_index("ix_polls_due", table_name="polls")
    op.drop_index(op.f("ix_polls_author_id"), table_name="polls")
    op.drop_table("polls")
