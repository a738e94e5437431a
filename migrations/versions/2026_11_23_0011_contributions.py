"""Contributions: what each stakeholder logs that they did towards the strategy.

Revision ID: 0011_contributions
Revises: 0010_pilots
Create Date: 2026-11-23 02:30:43.418263+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_contributions'
down_revision: str | None = '0010_pilots'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stakeholder_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('place_code', sa.String(length=9), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('contributed_on', sa.Date(), nullable=False),
    sa.Column('people_reached', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['governance_group.id'], name=op.f('fk_contribution_group_id_governance_group')),
    sa.ForeignKeyConstraint(['place_code'], ['area.gss_code'], name=op.f('fk_contribution_place_code_area')),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholder.id'], name=op.f('fk_contribution_stakeholder_id_stakeholder')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution'))
    )
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_contributed_on'), ['contributed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_stakeholder_id'), ['stakeholder_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_stakeholder_id'))
        batch_op.drop_index(batch_op.f('ix_contribution_contributed_on'))

    op.drop_table('contribution')
