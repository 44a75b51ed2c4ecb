"""marketplace listings

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('market_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=64), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_market_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_drafts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_market_drafts_user_id'))
    )
    op.create_table('market_listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('price', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('province', sa.String(length=100), nullable=True),
    sa.Column('province_key', sa.String(length=100), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=16), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['seller_id'], ['users.id'], name=op.f('fk_market_listings_seller_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_listings'))
    )
    with op.batch_alter_table('market_listings', schema=None) as batch_op:
        batch_op.create_index('ix_market_listings_browse', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_market_listings_category', ['status', 'category', 'created_at'], unique=False)
        batch_op.create_index('ix_market_listings_expiry', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_market_listings_place', ['status', 'country', 'province_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_listings_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_listings_updated_at'), ['updated_at'], unique=False)

    op.create_table('market_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('file_id', sa.String(length=200), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_market_photos_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_photos'))
    )
    with op.batch_alter_table('market_photos', schema=None) as batch_op:
        batch_op.create_index('ix_market_photos_status', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_photos_user_id'), ['user_id'], unique=False)

    op.create_table('market_relays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_market_relays_buyer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['listing_id'], ['market_listings.id'], name=op.f('fk_market_relays_listing_id_market_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_id'], ['users.id'], name=op.f('fk_market_relays_seller_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_relays')),
    sa.UniqueConstraint('listing_id', 'buyer_id', name=op.f('uq_market_relays_listing_id'))
    )
    with op.batch_alter_table('market_relays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_relays_seller_id'), ['seller_id'], unique=False)

    op.create_table('market_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['market_listings.id'], name=op.f('fk_market_reports_listing_id_market_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_market_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_reports'))
    )
    with op.batch_alter_table('market_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_reports_listing_id'), ['listing_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('market_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_reports_listing_id'))
    op.drop_table('market_reports')
    with op.batch_alter_table('market_relays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_relays_seller_id'))
    op.drop_table('market_relays')
    with op.batch_alter_table('market_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_photos_user_id'))
        batch_op.drop_index('ix_market_photos_status')
    op.drop_table('market_photos')
    with op.batch_alter_table('market_listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_listings_updated_at'))
        batch_op.drop_index(batch_op.f('ix_market_listings_seller_id'))
        batch_op.drop_index('ix_market_listings_place')
        batch_op.drop_index('ix_market_listings_expiry')
        batch_op.drop_index('ix_market_listings_category')
        batch_op.drop_index('ix_market_listings_browse')
    op.drop_table('market_listings')
    op.drop_table('market_drafts')
