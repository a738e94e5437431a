"""Indicator values: an index on (indicator_id, updated_at), so an indicator's newest change
(the data's ETag and Last-Modified) is one index seek instead of a scan of all its values.

Revision ID: 0012_indicator_value_freshness
Revises: 0011_contributions
Create Date: 2026-12-02 19:50:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012_indicator_value_freshness'
down_revision: str | None = '0011_contributions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_value_indicator_updated_at', ['indicator_id', 'updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_value_indicator_updated_at')
