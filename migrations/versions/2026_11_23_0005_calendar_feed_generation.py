"""Calendar feed links: a generation per account, bumped to reset the secret link.

Revision ID: 0005_feed_generation
Revises: 0004_meetings
Create Date: 2026-11-23 00:57:51.394909+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_feed_generation'
down_revision: str | None = '0004_meetings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_generation', sa.Integer(), server_default='1', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('feed_generation')

