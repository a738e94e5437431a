"""Search documents need not belong to a group: people, organisations, pilots and Place updates
are indexed too, visible to everyone signed in.

SQLite changes a column's nullability by rebuilding the table (batch mode), which drops the
triggers that keep the FTS5 index in step; they are dropped first and made again after. Row ids
are copied, so the external-content FTS index still matches its rows.

Revision ID: 0015_search_any_record
Revises: 0014_mail_outbox
Create Date: 2026-12-03 19:10:00+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015_search_any_record'
down_revision: str | None = '0014_mail_outbox'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = {
    "search_fts_insert": "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_document BEGIN "
                         "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "search_fts_delete": "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_document BEGIN "
                         "INSERT INTO search_fts(search_fts, rowid, title, body) "
                         "VALUES ('delete', old.id, old.title, old.body); END",
    "search_fts_update": "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_document BEGIN "
                         "INSERT INTO search_fts(search_fts, rowid, title, body) "
                         "VALUES ('delete', old.id, old.title, old.body); "
                         "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
}


def _set_nullable(nullable: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.alter_column('group_id', existing_type=sa.Integer(), nullable=nullable)
    if sqlite:
        for statement in _TRIGGERS.values():
            op.execute(statement)


def upgrade() -> None:
    _set_nullable(True)


def downgrade() -> None:
    op.execute("DELETE FROM search_document WHERE group_id IS NULL")
    _set_nullable(False)
