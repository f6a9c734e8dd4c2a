"""staff who blocked the bot are passed over (Step 6 review); national admins' language and first contact,
the application's own secrets (Step 7)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('unreachable_at', db.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('language_chosen', sa.Boolean(), server_default=sa.text('true'), nullable=False))
        batch.add_column(sa.Column('opened_at', db.types.UTCDateTime(timezone=True), nullable=True))
    # Staff who exist already have written to the bot (they joined by link, or sent /start as admins).
    op.execute("UPDATE staff SET opened_at = created_at")
    op.create_table('app_secrets',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('app_secrets')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('opened_at')
        batch.drop_column('language_chosen')
        batch.drop_column('unreachable_at')
