"""Alembic environment: the database comes from ATA_DATABASE_URL (or the caller's config)."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import api.models  # noqa: F401 - registers every table on the metadata
from api.core.config import Settings
from api.core.types import metadata

# An arbitrary constant shared by every instance of this service.
MIGRATION_LOCK_KEY = 4_242_150_000

config = context.config
url = config.get_main_option("sqlalchemy.url") or Settings().database_url

def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()

def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool)
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)

# Full-text search structures are the database's own (an FTS5 table and its shadow tables on
# SQLite, an expression index on PostgreSQL), made by hand in the migration that adds search:
# autogenerate must neither drop them nor try to model them.
def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (name or "").startswith(("search_fts", "ix_search_document_fts"))


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
