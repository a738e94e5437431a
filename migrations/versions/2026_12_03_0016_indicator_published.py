"""Indicators gain `published`: published indicators are open data at the Fingertips-compatible
door; every existing indicator starts unpublished (an admin chooses what to open).

Revision ID: 0016_indicator_published
Revises: 0015_search_any_record
Create Date: 2026-12-03 20:05:00+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_indicator_published'
down_revision: str | None = '0015_search_any_record'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('published')
