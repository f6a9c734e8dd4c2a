"""the coordination console (Step 9): one-time login links, browser sessions, families by place

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_links',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_console_links_staff_id_staff')),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_console_links'))
    )
    op.create_index('ix_console_links_staff_id', 'console_links', ['staff_id', 'created_at'], unique=False)
    op.create_table('console_sessions',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_console_sessions_staff_id_staff')),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_console_sessions'))
    )
    op.create_index('ix_console_sessions_staff_id', 'console_sessions', ['staff_id'], unique=False)
    op.create_index('ix_users_polyclinic_name', 'users', ['polyclinic', 'name', 'id'], unique=False)
    op.create_index('ix_users_region_name', 'users', ['region', 'name', 'id'], unique=False)
    op.create_index('ix_users_name', 'users', ['name', 'id'], unique=False)
    op.create_index('ix_users_created_at', 'users', ['created_at'], unique=False)
    op.create_index('ix_alerts_created_at', 'alerts', ['created_at'], unique=False)
    op.create_index('ix_alerts_taken_by', 'alerts', ['acknowledged_by', 'acknowledged_at'], unique=False)
    op.create_index('ix_family_messages_answered_by', 'family_messages', ['answered_by', 'answered_at'], unique=False)
    op.create_index('ix_screenings_started_at', 'screenings', ['started_at'], unique=False)
    op.create_index('ix_screenings_completed_at', 'screenings', ['completed_at'], unique=False)
    op.create_index('ix_care_states_updated_at', 'care_states', ['updated_at'], unique=False)
    op.create_index('ix_home_visits_user_visited', 'home_visits', ['user_id', 'visited_on'], unique=False)
    op.create_index('ix_outbox_check_nudges', 'outbox', ['chat_id', 'sent_at'], unique=False,
                    sqlite_where=sa.text("kind = 'check' AND message_key = 'check.nudge' AND status = 'sent'"),
                    postgresql_where=sa.text("kind = 'check' AND message_key = 'check.nudge' AND status = 'sent'"))
    op.create_index('ix_alerts_unresolved', 'alerts', ['created_at'], unique=False,
                    sqlite_where=sa.text("outcome IS NULL OR outcome = 'unreached'"),
                    postgresql_where=sa.text("outcome IS NULL OR outcome = 'unreached'"))


def downgrade() -> None:
    op.drop_index('ix_alerts_unresolved', table_name='alerts')
    for name, table in (('ix_outbox_check_nudges', 'outbox'), ('ix_home_visits_user_visited', 'home_visits'),
                        ('ix_care_states_updated_at', 'care_states'), ('ix_screenings_completed_at', 'screenings'),
                        ('ix_screenings_started_at', 'screenings'), ('ix_family_messages_answered_by', 'family_messages'),
                        ('ix_alerts_taken_by', 'alerts'), ('ix_alerts_created_at', 'alerts'), ('ix_users_created_at', 'users'),
                        ('ix_users_name', 'users'), ('ix_users_region_name', 'users'), ('ix_users_polyclinic_name', 'users')):
        op.drop_index(name, table_name=table)
    op.drop_index('ix_console_sessions_staff_id', table_name='console_sessions')
    op.drop_table('console_sessions')
    op.drop_index('ix_console_links_staff_id', table_name='console_links')
    op.drop_table('console_links')
