"""Column types and helpers shared by every domain's tables."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Column, DateTime, Integer, MetaData, TypeDecorator
from sqlmodel import SQLModel

# Stable constraint names, so that migrations name things the same on every database. Set here,
# in the module every table module imports, because names are fixed when a table is defined.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today as people in the partnership see it (memberships end on a London date)."""
    return datetime.now(LONDON).date()


class UTCDateTime(TypeDecorator):
    """Stores UTC (naive on SQLite, timestamptz on PostgreSQL); always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        # Read by the cursor pagination to parse a key from a client's cursor: without it the
        # value would be taken as it came, and a string or a list would reach the database.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def version_column() -> Column:
    """An optimistic-lock counter: pass it as both the `version` field's sa_column and the
    mapper's version_id_col, so every UPDATE checks and bumps it."""
    return Column("version", Integer, nullable=False, server_default="1")


def created_column() -> Column:
    return Column("created_at", UTCDateTime(), nullable=False, default=utcnow)


def updated_column() -> Column:
    return Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
