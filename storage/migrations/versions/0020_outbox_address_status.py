"""outbox: the per-address index also by status (the claim's look at each address's unsent rows)

Revision ID: 0020
Revises: 0019
"""
from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A claim asks, for the addresses it is about to send to, which rows are still pending or being sent
    # (storage.outbox.busy_addresses). By address alone that read every row an address ever had (sent rows
    # stay for RETENTION_OUTBOX_DAYS); by address and status, only the unsent ones.
    op.create_index("ix_outbox_address_status", "outbox", ["address", "status"])
    op.drop_index("ix_outbox_address", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_address", "outbox", ["address"])
    op.drop_index("ix_outbox_address_status", table_name="outbox")
