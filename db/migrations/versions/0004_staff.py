"""staff, invitations, assignments, audit log, the nurse's records, broadcasts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:28:43.932952
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('family_id', sa.BigInteger(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.Text(), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_family_id', ['family_id'], unique=False)

    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('region', sa.String(length=24), nullable=True),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('texts', sa.Text(), nullable=False),
    sa.Column('photo_file_id', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('progress_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('progress_message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    op.create_table('invitations',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('region', sa.String(length=24), nullable=True),
    sa.Column('polyclinic', sa.String(length=24), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_by', sa.BigInteger(), nullable=True),
    sa.Column('used_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_invitations'))
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('region', sa.String(length=24), nullable=True),
    sa.Column('polyclinic', sa.String(length=24), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('invited_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index('ix_staff_polyclinic', ['polyclinic', 'active'], unique=False)
        batch_op.create_index('uq_staff_active_user', ['user_id'], unique=True, sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.create_table('assignments',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('assigned_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_assignments_staff_id_staff')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_staff_id', ['staff_id'], unique=False)

    op.create_table('family_care',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('risk_level', sa.String(length=12), server_default='universal', nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['staff.id'], name=op.f('fk_family_care_updated_by_staff')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_family_care_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_family_care'))
    )
    op.create_table('family_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('photo_file_id', sa.String(length=200), nullable=True),
    sa.Column('reply_to', sa.Integer(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('reminded_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by'], ['staff.id'], name=op.f('fk_family_messages_answered_by_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_family_messages_staff_id_staff')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_family_messages_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_messages'))
    )
    with op.batch_alter_table('family_messages', schema=None) as batch_op:
        batch_op.create_index('ix_family_messages_open', ['direction', 'answered_at', 'created_at'], unique=False)
        batch_op.create_index('ix_family_messages_user_id', ['user_id', 'id'], unique=False)

    op.create_table('home_visits',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('assessed', sa.Text(), server_default='[]', nullable=False),
    sa.Column('risks', sa.Text(), server_default='[]', nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_home_visits_staff_id_staff')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_home_visits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_visits'))
    )
    with op.batch_alter_table('home_visits', schema=None) as batch_op:
        batch_op.create_index('ix_home_visits_user_id', ['user_id'], unique=False)

    op.create_table('support_goals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('goal', sa.String(length=200), nullable=False),
    sa.Column('next_step', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_support_goals_staff_id_staff')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_goals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_goals'))
    )
    with op.batch_alter_table('support_goals', schema=None) as batch_op:
        batch_op.create_index('ix_support_goals_user_id', ['user_id'], unique=False)

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('response', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('responded_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_appointments_set_by_staff'), 'staff', ['set_by'], ['id'])

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('about', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_outbox_batch', ['batch_id', 'status'], unique=False)
        batch_op.create_index('ix_outbox_about', ['about'], unique=False)
        batch_op.create_index('ix_outbox_sent_at', ['sent_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_sent_at')
        batch_op.drop_index('ix_outbox_about')
        batch_op.drop_index('ix_outbox_batch')
        batch_op.drop_column('about')
        batch_op.drop_column('batch_id')

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointments_set_by_staff'), type_='foreignkey')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('response')
        batch_op.drop_column('set_by')

    with op.batch_alter_table('support_goals', schema=None) as batch_op:
        batch_op.drop_index('ix_support_goals_user_id')

    op.drop_table('support_goals')
    with op.batch_alter_table('home_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_home_visits_user_id')

    op.drop_table('home_visits')
    with op.batch_alter_table('family_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_family_messages_user_id')
        batch_op.drop_index('ix_family_messages_open')

    op.drop_table('family_messages')
    op.drop_table('family_care')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_staff_id')

    op.drop_table('assignments')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index('uq_staff_active_user', sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))
        batch_op.drop_index('ix_staff_polyclinic')

    op.drop_table('staff')
    op.drop_table('invitations')
    op.drop_table('broadcasts')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_family_id')
        batch_op.drop_index('ix_audit_log_at')

    op.drop_table('audit_log')
