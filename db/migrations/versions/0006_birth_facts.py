"""a baby's gestational age at birth and birth weight (Step 6)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('children') as batch:
        batch.add_column(sa.Column('gestation_weeks', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('birth_weight_g', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('children') as batch:
        batch.drop_column('birth_weight_g')
        batch.drop_column('gestation_weeks')
