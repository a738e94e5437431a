"""Full-text search: the search_document table and each database's own index over it.

SQLite: an external-content FTS5 table kept in step by triggers. PostgreSQL: a stored generated
tsvector column with a GIN index.

Revision ID: 0006_search
Revises: 0005_feed_generation
Create Date: 2026-11-23 01:00:01.822159+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_search'
down_revision: str | None = '0005_feed_generation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('members_only', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['governance_group.id'], name=op.f('fk_search_document_group_id_governance_group')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_search_document_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    sa.UniqueConstraint('kind', 'ref_id', name=op.f('uq_search_document_kind_ref_id'))
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_document_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_document_meeting_id'), ['meeting_id'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_document', "
                   "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4')")
        op.execute("CREATE TRIGGER search_fts_insert AFTER INSERT ON search_document BEGIN "
                   "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END")
        op.execute("CREATE TRIGGER search_fts_delete AFTER DELETE ON search_document BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
                   "END")
        op.execute("CREATE TRIGGER search_fts_update AFTER UPDATE ON search_document BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
                   "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END")
    else:
        # A stored vector: ranking reads it instead of parsing every matching text again.
        op.execute("ALTER TABLE search_document ADD COLUMN search_fts_vector tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || body)) STORED")
        op.execute("CREATE INDEX ix_search_document_fts ON search_document USING gin (search_fts_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_fts_insert", "search_fts_delete", "search_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_document_fts")
        op.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS search_fts_vector")
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_document_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_search_document_group_id'))

    op.drop_table('search_document')
