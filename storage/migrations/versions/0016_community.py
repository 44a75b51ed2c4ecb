"""community: SMCE directory, featured items, public pages (issue 18)

Revision ID: 0016
Revises: 0015
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('directory_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_directory_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_drafts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_directory_drafts_user_id'))
    )
    op.create_table('directory_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('crafts', sa.JSON(), nullable=False),
    sa.Column('craft_text', sa.String(length=200), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=True),
    sa.Column('province_key', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('contact', sa.String(length=16), nullable=False),
    sa.Column('public_contact', sa.String(length=200), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('moderated_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_directory_profiles_moderator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_directory_profiles_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_profiles')),
    sa.UniqueConstraint('owner_id', name=op.f('uq_directory_profiles_owner_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_directory_profiles_slug'))
    )
    with op.batch_alter_table('directory_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_directory_profiles_place', ['status', 'country', 'province_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_profiles_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_profiles_updated_at'), ['updated_at'], unique=False)

    op.create_table('featured_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('citation', sa.String(length=300), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_featured_items_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_featured_items')),
    sa.UniqueConstraint('kind', 'item_id', name=op.f('uq_featured_items_kind'))
    )
    with op.batch_alter_table('featured_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_featured_items_created_at'), ['created_at'], unique=False)

    op.create_table('directory_relays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asker_id'], ['users.id'], name=op.f('fk_directory_relays_asker_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_directory_relays_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['directory_profiles.id'], name=op.f('fk_directory_relays_profile_id_directory_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_relays')),
    sa.UniqueConstraint('profile_id', 'asker_id', name=op.f('uq_directory_relays_profile_id'))
    )
    with op.batch_alter_table('directory_relays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_relays_owner_id'), ['owner_id'], unique=False)

    with op.batch_alter_table('market_listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('market_listings', schema=None) as batch_op:
        batch_op.drop_column('public')

    with op.batch_alter_table('directory_relays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_relays_owner_id'))

    op.drop_table('directory_relays')
    with op.batch_alter_table('featured_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_featured_items_created_at'))

    op.drop_table('featured_items')
    with op.batch_alter_table('directory_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_profiles_updated_at'))
        batch_op.drop_index(batch_op.f('ix_directory_profiles_status'))
        batch_op.drop_index('ix_directory_profiles_place')

    op.drop_table('directory_profiles')
    op.drop_table('directory_drafts')
