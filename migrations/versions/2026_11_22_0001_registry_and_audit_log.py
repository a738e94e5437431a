"""Registry (areas, organisations, stakeholders, groups, memberships) and the audit log.

The areas are reference data every install needs (the Places and the areas above them),
so this migration inserts them.

Revision ID: 0001_registry
Revises:
Create Date: 2026-11-22 23:31:16.856472+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001_registry'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# ONS GSS codes. The two Active Partnership areas have no ONS code; they use the
# partnership's own codes in the same shape (E99...), documented in docs/decisions.md.
AREAS = [
    ("E92000001", "England", "country", None),
    ("E54000008", "NHS Cheshire and Merseyside", "subregion", "E92000001"),
    ("E99000001", "Cheshire (Active Cheshire)", "active_partnership", "E54000008"),
    ("E99000002", "Merseyside (Merseyside Sport Partnership)", "active_partnership", "E54000008"),
    ("E06000049", "Cheshire East", "place", "E99000001"),
    ("E06000050", "Cheshire West and Chester", "place", "E99000001"),
    ("E06000007", "Warrington", "place", "E99000001"),
    ("E06000006", "Halton", "place", "E99000002"),
    ("E08000011", "Knowsley", "place", "E99000002"),
    ("E08000012", "Liverpool", "place", "E99000002"),
    ("E08000014", "Sefton", "place", "E99000002"),
    ("E08000013", "St Helens", "place", "E99000002"),
    ("E08000015", "Wirral", "place", "E99000002"),
]


def upgrade() -> None:
    op.create_table('area',
    sa.Column('gss_code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('parent_code', sa.String(length=9), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['area.gss_code'], name=op.f('fk_area_parent_code_area')),
    sa.PrimaryKeyConstraint('gss_code', name=op.f('pk_area'))
    )
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_kind'), ['kind'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_event_entity', ['entity_type', 'entity_id', 'id'], unique=False)

    op.create_table('governance_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=True),
    sa.Column('remit', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('place_code', sa.String(length=9), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['governance_group.id'], name=op.f('fk_governance_group_parent_id_governance_group')),
    sa.ForeignKeyConstraint(['place_code'], ['area.gss_code'], name=op.f('fk_governance_group_place_code_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_group')),
    sa.UniqueConstraint('code', name=op.f('uq_governance_group_code')),
    sa.UniqueConstraint('name', name=op.f('uq_governance_group_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_governance_group_slug'))
    )
    with op.batch_alter_table('governance_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_governance_group_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_governance_group_parent_id'), ['parent_id'], unique=False)

    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=30), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('place_code', sa.String(length=9), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_code'], ['area.gss_code'], name=op.f('fk_organisation_place_code_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_sector'), ['sector'], unique=False)

    op.create_table('stakeholder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('initials', sa.String(length=10), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('job_title', sa.String(length=200), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('place_code', sa.String(length=9), nullable=True),
    sa.Column('system_leader_level', sa.String(length=30), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_stakeholder_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['place_code'], ['area.gss_code'], name=op.f('fk_stakeholder_place_code_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stakeholder')),
    sa.UniqueConstraint('email', name=op.f('uq_stakeholder_email'))
    )
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.create_index('ix_stakeholder_name_id', ['name', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stakeholder_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stakeholder_place_code'), ['place_code'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stakeholder_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['governance_group.id'], name=op.f('fk_membership_group_id_governance_group')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['organisation.id'], name=op.f('fk_membership_on_behalf_of_id_organisation')),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholder.id'], name=op.f('fk_membership_stakeholder_id_stakeholder')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_group_id_id', ['group_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_on_behalf_of_id'), ['on_behalf_of_id'], unique=False)
        batch_op.create_index('ix_membership_stakeholder_id_group_id', ['stakeholder_id', 'group_id'], unique=False)
        batch_op.create_index('uq_membership_open_seat', ['stakeholder_id', 'group_id'], unique=True, sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))

    area = sa.table(
        "area", sa.column("gss_code", sa.String), sa.column("name", sa.String),
        sa.column("kind", sa.String), sa.column("parent_code", sa.String),
    )
    op.bulk_insert(area, [dict(zip(("gss_code", "name", "kind", "parent_code"), row, strict=True)) for row in AREAS])



def downgrade() -> None:
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('uq_membership_open_seat', sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))
        batch_op.drop_index('ix_membership_stakeholder_id_group_id')
        batch_op.drop_index(batch_op.f('ix_membership_on_behalf_of_id'))
        batch_op.drop_index('ix_membership_group_id_id')

    op.drop_table('membership')
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stakeholder_place_code'))
        batch_op.drop_index(batch_op.f('ix_stakeholder_organisation_id'))
        batch_op.drop_index('ix_stakeholder_name_id')

    op.drop_table('stakeholder')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_sector'))

    op.drop_table('organisation')
    with op.batch_alter_table('governance_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_governance_group_parent_id'))
        batch_op.drop_index(batch_op.f('ix_governance_group_kind'))

    op.drop_table('governance_group')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_entity')
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_kind'))

    op.drop_table('area')
