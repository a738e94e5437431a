"""Pilots (test, learn, scale) with their outcome measures and dated status history.

Revision ID: 0010_pilots
Revises: 0009_place_updates
Create Date: 2026-11-23 02:23:24.819836+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010_pilots'
down_revision: str | None = '0009_place_updates'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pilot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('pathway', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('place_codes', sa.JSON(), nullable=False),
    sa.Column('partner_ids', sa.JSON(), nullable=False),
    sa.Column('measures', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot')),
    sa.UniqueConstraint('name', name=op.f('uq_pilot_name'))
    )
    with op.batch_alter_table('pilot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_pathway'), ['pathway'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_status'), ['status'], unique=False)

    op.create_table('pilot_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_pilot_status_change_pilot_id_pilot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot_status_change'))
    )
    with op.batch_alter_table('pilot_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_status_change_pilot_id'), ['pilot_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pilot_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_status_change_pilot_id'))

    op.drop_table('pilot_status_change')
    with op.batch_alter_table('pilot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_status'))
        batch_op.drop_index(batch_op.f('ix_pilot_pathway'))

    op.drop_table('pilot')
