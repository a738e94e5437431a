"""Place updates: each Place's periodic progress towards the 150,000 more-active target.

Revision ID: 0009_place_updates
Revises: 0008_indicators
Create Date: 2026-11-23 02:14:31.131405+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_place_updates'
down_revision: str | None = '0008_indicators'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('place_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_code', sa.String(length=9), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('plan_status', sa.String(length=20), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('people_reached', sa.Integer(), nullable=False),
    sa.Column('people_more_active', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_code'], ['area.gss_code'], name=op.f('fk_place_update_place_code_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_update')),
    sa.UniqueConstraint('place_code', 'period', name=op.f('uq_place_update_place_code_period'))
    )
    with op.batch_alter_table('place_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_update_place_code'), ['place_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('place_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_update_place_code'))

    op.drop_table('place_update')
