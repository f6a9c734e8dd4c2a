"""care calendar

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 20:30:32.760327
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('what', sa.String(length=120), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('at_time', sa.String(length=5), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('care_item', sa.String(length=80), nullable=True),
    sa.Column('cancelled', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_appointments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_user_id', ['user_id'], unique=False)

    op.create_table('care_states',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('track', sa.String(length=12), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('snoozed_until', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_care_states_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_states'))
    )
    with op.batch_alter_table('care_states', schema=None) as batch_op:
        batch_op.create_index('uq_care_states_item', ['user_id', 'track', 'ref_id', 'item_id'], unique=True)

    op.create_table('plan_state',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('next_plan_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_state_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_plan_state'))
    )
    with op.batch_alter_table('plan_state', schema=None) as batch_op:
        batch_op.create_index('ix_plan_state_next_plan_at', ['next_plan_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('plan_state', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_state_next_plan_at')

    op.drop_table('plan_state')
    with op.batch_alter_table('care_states', schema=None) as batch_op:
        batch_op.drop_index('uq_care_states_item')

    op.drop_table('care_states')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_user_id')

    op.drop_table('appointments')
