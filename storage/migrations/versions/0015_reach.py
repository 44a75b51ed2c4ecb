"""reach: data-saver setting and search indexes (issue 19)

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("data_saver", sa.Boolean(), server_default=sa.false(), nullable=False))
    # The marketplace search index catches up on listings changed since its last look (storage.market_search):
    # without this, a scan of every listing per search (~50 ms at 50,000 on PostgreSQL).
    op.create_index("ix_market_listings_updated", "market_listings", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_market_listings_updated", table_name="market_listings")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("data_saver")
