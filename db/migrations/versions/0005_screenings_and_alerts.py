"""screenings and alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:39:19.881852
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screenings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('questionnaire', sa.String(length=16), nullable=False),
    sa.Column('track', sa.String(length=12), nullable=True),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.Column('occurrence', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('answers', sa.Text(), server_default='{}', nullable=False),
    sa.Column('started_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('band', sa.String(length=10), nullable=True),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=16), nullable=True),
    sa.Column('triggers', sa.Text(), server_default='[]', nullable=False),
    sa.Column('self_harm', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('step_to', sa.String(length=16), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_screenings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screenings'))
    )
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.create_index('ix_screenings_occurrence', ['occurrence'], unique=False)
        batch_op.create_index('ix_screenings_open', ['status', 'updated_at'], unique=False)
        batch_op.create_index('ix_screenings_user_id', ['user_id', 'id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=10), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('escalate_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['staff.id'], name=op.f('fk_alerts_acknowledged_by_staff')),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_alerts_screening_id_screenings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alerts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_escalate_at', ['escalate_at'], unique=False)
        batch_op.create_index('ix_alerts_open', ['acknowledged_at', 'created_at'], unique=False)
        batch_op.create_index('ix_alerts_user_id', ['user_id'], unique=False)

    op.create_table('alert_recipients',
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('sent_round', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_recipients_alert_id_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_alert_recipients_staff_id_staff')),
    sa.PrimaryKeyConstraint('alert_id', 'staff_id', name=op.f('pk_alert_recipients'))
    )


def downgrade() -> None:
    op.drop_table('alert_recipients')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_user_id')
        batch_op.drop_index('ix_alerts_open')
        batch_op.drop_index('ix_alerts_escalate_at')

    op.drop_table('alerts')
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_index('ix_screenings_user_id')
        batch_op.drop_index('ix_screenings_open')
        batch_op.drop_index('ix_screenings_occurrence')

    op.drop_table('screenings')
