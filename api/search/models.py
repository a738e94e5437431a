"""The search index: one row per searchable text, kept in step by the services that write them.

Full-text indexing is by the database itself: an FTS5 table on SQLite; on PostgreSQL a stored
generated tsvector column `search_fts_vector` with a GIN index (both created by the migration,
outside this metadata).
"""

from datetime import datetime
from typing import Literal

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.types import updated_column

# What a document indexes (the search door filters by it).
SearchKind = Literal["minutes", "decision", "action", "document", "person", "organisation", "pilot", "place_update"]


class SearchDocument(SQLModel, table=True):
    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    ref_id: int
    # None: a record of no group (a person, an organisation, a pilot, a Place update), for everyone signed in.
    group_id: int | None = Field(default=None, foreign_key="governance_group.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    # Drafts and confidential items: only for the group's members (and admins).
    members_only: bool = Field(default=False)
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_type=Text)
    url: str = Field(max_length=300)
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())
