"""Indicators: Fingertips-style metadata, and values by area, period and breakdown.

Revision ID: 0008_indicators
Revises: 0007_documents
Create Date: 2026-11-23 02:07:51.559090+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_indicators'
down_revision: str | None = '0007_documents'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('indicator',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('theme', sa.String(length=120), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('multiplier', sa.Float(), nullable=False),
    sa.Column('polarity', sa.String(length=30), nullable=False),
    sa.Column('frequency', sa.String(length=40), nullable=False),
    sa.Column('geography', sa.String(length=200), nullable=False),
    sa.Column('breakdowns', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('numerator_definition', sa.Text(), nullable=False),
    sa.Column('denominator_definition', sa.Text(), nullable=False),
    sa.Column('ci_method', sa.String(length=20), nullable=False),
    sa.Column('last_updated', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator'))
    )
    op.create_table('indicator_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.String(length=40), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('breakdown', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('lower_ci', sa.Float(), nullable=True),
    sa.Column('upper_ci', sa.Float(), nullable=True),
    sa.Column('lower_ci_998', sa.Float(), nullable=True),
    sa.Column('upper_ci_998', sa.Float(), nullable=True),
    sa.Column('count', sa.Float(), nullable=True),
    sa.Column('denominator', sa.Float(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['area.gss_code'], name=op.f('fk_indicator_value_area_code_area')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_value_indicator_id_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_value')),
    sa.UniqueConstraint('indicator_id', 'area_code', 'period', 'breakdown', name=op.f('uq_indicator_value_indicator_id_area_code_period_breakdown'))
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_value_indicator_period_area', ['indicator_id', 'period', 'area_code'], unique=False)
        batch_op.create_index('ix_indicator_value_updated_at_id', ['updated_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_value_updated_at_id')
        batch_op.drop_index('ix_indicator_value_indicator_period_area')

    op.drop_table('indicator_value')
    op.drop_table('indicator')
