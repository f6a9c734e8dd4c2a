"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 19:26:59.728225
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('anonymous_counters',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_anonymous_counters'))
    )
    op.create_table('fsm_states',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=200), nullable=True),
    sa.Column('data', sa.Text(), server_default='{}', nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_fsm_states'))
    )
    with op.batch_alter_table('fsm_states', schema=None) as batch_op:
        batch_op.create_index('ix_fsm_states_updated_at', ['updated_at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('region', sa.String(length=24), nullable=False),
    sa.Column('polyclinic', sa.String(length=24), nullable=True),
    sa.Column('polyclinic_unlisted', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('planning', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('consent_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paused', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('unreachable_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_table('pregnancies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('dating_method', sa.String(length=16), nullable=False),
    sa.Column('lmp_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pregnancies_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pregnancies'))
    )
    with op.batch_alter_table('pregnancies', schema=None) as batch_op:
        batch_op.create_index('ix_pregnancies_user_id', ['user_id'], unique=False)
        batch_op.create_index('uq_pregnancies_one_active', ['user_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('children',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('pregnancy_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pregnancy_id'], ['pregnancies.id'], name=op.f('fk_children_pregnancy_id_pregnancies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_children_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_children'))
    )
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.create_index('ix_children_user_id', ['user_id'], unique=False)

    op.create_table('life_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('pregnancy_id', sa.Integer(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_notified_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['pregnancy_id'], ['pregnancies.id'], name=op.f('fk_life_events_pregnancy_id_pregnancies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_life_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_life_events'))
    )
    with op.batch_alter_table('life_events', schema=None) as batch_op:
        batch_op.create_index('ix_life_events_user_id', ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('life_events', schema=None) as batch_op:
        batch_op.drop_index('ix_life_events_user_id')

    op.drop_table('life_events')
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index('ix_children_user_id')

    op.drop_table('children')
    with op.batch_alter_table('pregnancies', schema=None) as batch_op:
        batch_op.drop_index('uq_pregnancies_one_active', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_pregnancies_user_id')

    op.drop_table('pregnancies')
    op.drop_table('users')
    with op.batch_alter_table('fsm_states', schema=None) as batch_op:
        batch_op.drop_index('ix_fsm_states_updated_at')

    op.drop_table('fsm_states')
    op.drop_table('anonymous_counters')
