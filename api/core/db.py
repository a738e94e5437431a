"""Engine and session: SQLite (file, WAL) by default, PostgreSQL via psycopg 3."""

from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, create_engine

from api.core.config import Settings
from api.core.errors import NotFound

M = TypeVar("M", bound=SQLModel)
T = TypeVar("T")


def make_engine(settings: Settings, *, pool_size: int | None = None, pre_ping: bool = True,
                reads_only: bool = False) -> Engine:
    """`pool_size` (default ATA_DB_POOL_SIZE) connections and as many again in overflow;
    `pre_ping`: test each connection as it is taken (PostgreSQL), one round trip more;
    `reads_only`: no transaction around each use (autocommit), so that a read is one round trip,
    not three (BEGIN, the SELECT, and the ROLLBACK as the connection goes back to the pool)."""
    url = settings.database_url
    pool_size = pool_size or settings.db_pool_size
    options = {"isolation_level": "AUTOCOMMIT"} if reads_only else {}
    if settings.is_sqlite:
        engine = create_engine(
            url,
            echo=settings.sql_echo,
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout},
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=settings.db_pool_timeout,
            **options,
        )
        busy_ms = int(settings.sqlite_busy_timeout * 1000)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()

        return engine
    return create_engine(
        url,
        echo=settings.sql_echo,
        pool_pre_ping=pre_ping,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=settings.db_pool_timeout,
        **options,
    )


@dataclass(frozen=True)
class Read:
    """Columns to read beside the principal's: `columns()` builds them (once per `shape`, the
    statement is kept), with bound parameters whose values are `params`."""

    shape: Hashable
    columns: Callable[[], Sequence[Any]]
    params: dict[str, Any]


def make_loop_engine(settings: Settings) -> Engine:
    """Connections for reads served on the event loop (`on_loop`). One is enough: such a read
    runs to its end without awaiting, so no two hold one at once, and it never waits for a
    connection the thread pool's requests hold. Not tested as taken, to save the round trip:
    `on_loop` tries once more when the one it took had died."""
    return make_engine(settings, pool_size=1, pre_ping=False, reads_only=True)


def on_loop(engine: Engine, read: Callable[[Connection], T]) -> T:
    """`read` on a connection from `make_loop_engine`'s pool, once more on a fresh one if the
    connection taken had died (the database restarted since it was last used)."""
    for attempt in (1, 2):
        try:
            with engine.connect() as connection:
                return read(connection)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    raise AssertionError("unreachable")


def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: services flush, this commits at the end or rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """Undo what the block wrote if it raises (the error still propagates), keeping the rest of
    the request's transaction: a failed form is shown again in the same request, which then
    commits as usual, instead of rolling back the whole session and committing mid-request."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        # pysqlite opens its transaction lazily, at the first write. A SAVEPOINT outside one
        # starts a transaction of its own, which its RELEASE would commit: the block's writes
        # would then survive a later failure of the request.
        connection.exec_driver_sql("BEGIN")
    with session.begin_nested():
        yield


def get_or_404(session: Session, model: type[M], key: Any, what: str) -> M:
    """The row with this primary key, or 404 naming what was asked for ("No group with id 7.")."""
    entity = session.get(model, key)
    if entity is None:
        raise NotFound(f"No {what} with id {key}.")
    return entity
