"""One instance at a time through start-up work (migrations, the demo load).

Several instances started together over one new database would otherwise race: two create
`alembic_version` at once and one fails to start, or the demo is loaded twice. On PostgreSQL a
session-level advisory lock (held on a connection of its own, released when it closes even if the
process dies) serialises them across hosts; on SQLite, where every process is on one host, an
exclusive `flock` on a file beside the database does the same. The first holder migrates; the
others wait, then find nothing left to do.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

# pg_advisory_lock's 64-bit key: "ATA start" in ASCII, so it is recognisable in pg_locks and
# unlikely to collide with another application's lock on the same server.
ADVISORY_KEY = 0x4154412073746172


def lock_file_for(database_url: str) -> Path | None:
    """The lock file beside a SQLite database file (None for an in-memory database)."""
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database).resolve().with_name(Path(database).name + ".startup-lock")


@contextmanager
def startup_lock(database_url: str) -> Iterator[None]:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
                connection.commit()
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                    connection.commit()
        finally:
            engine.dispose()
        return
    path = lock_file_for(database_url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # released by the kernel if the process dies
        yield
    finally:
        os.close(descriptor)
