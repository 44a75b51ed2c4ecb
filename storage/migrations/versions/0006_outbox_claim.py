"""outbox: the claim's index walks due rows in the order they are sent, with no sort

(status, broadcast_id, id) replaces (status, next_attempt_at): with the latter SQLite sorted every
pending row on each claim (~50 ms with 18,000 announcement rows waiting).

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.create_index("ix_outbox_claim", "outbox", ["status", "broadcast_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_claim", table_name="outbox")
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"], unique=False)
