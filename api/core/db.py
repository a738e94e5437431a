"""Engine and session: SQLite (file, WAL) by default, PostgreSQL via psycopg 3."""

import asyncio
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, create_engine

from api.core.config import Settings
from api.core.errors import NotFound
from api.core.rawreads import AsyncReader, ConnectionReader, Reader

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


class LoopReads:
    """Reads served on the event loop (the partner data API), each in one round trip, on
    connections of their own, in autocommit, not tested as taken (`on_loop` tries once more
    when the connection had died: the database restarted since).

    The thread that serves the application (the one its lifespan starts on, `hold`) reads on
    connections it keeps until the lifespan ends (`release`); taking one from SQLAlchemy's pool
    and giving it back cost a tenth of a cached answer's time.
    - SQLite: one connection. A read runs to its end without awaiting, so no two share it.
    - PostgreSQL: up to `ASYNC_CONNECTIONS` of psycopg's asynchronous connections, so that the
      loop serves other requests while the database answers each (rawreads.AsyncReader).
    A read on any other thread (a test client run without its lifespan, or a second one run at
    once) takes a connection from the engine's pool for the read."""

    ASYNC_CONNECTIONS = 4

    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings, pool_size=1, pre_ping=False, reads_only=True)
        self.connections_made = 0  # by the serving thread (the tests count them)
        self._owner: int | None = None
        self._held: Connection | None = None
        self._lock = threading.Lock()
        # The asynchronous connections' free slots (their readers), the last given back taken
        # first (None: a slot not yet connected), and the reads waiting for one. Not an
        # asyncio.Queue: its bookkeeping cost a tenth of a cached answer's time.
        self._free: list[Any] | None = None
        self._waiting: deque[asyncio.Future] = deque()

    def hold(self) -> None:
        with self._lock:
            if self._owner is None:
                self._owner = threading.get_ident()

    async def release(self) -> None:
        with self._lock:
            if self._owner != threading.get_ident():
                return
            self._owner = None
        await self._close_all()

    def _close_held(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.close()

    async def _close_all(self) -> None:
        self._close_held()
        free, self._free = self._free, None
        for reader in free or ():
            if reader is not None:
                await reader.connection.close()

    async def on_loop(self, read: Callable[[Reader], Awaitable[T]]) -> T:
        for attempt in (1, 2):
            try:
                return await self._read(read)
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    async def _read(self, read: Callable[[Reader], Awaitable[T]]) -> T:
        if threading.get_ident() != self._owner:
            with self.engine.connect() as connection:
                return await read(ConnectionReader(connection))
        if self.engine.dialect.name == "postgresql":
            return await self._read_async(read)
        if self._held is None:
            self._held = self.engine.connect()
            self.connections_made += 1
        try:
            return await read(ConnectionReader(self._held))
        except DBAPIError as exc:
            if exc.connection_invalidated:
                self._close_held()
            raise

    async def _read_async(self, read: Callable[[Reader], Awaitable[T]]) -> T:
        reader = await self._take()
        try:
            if reader is None:
                reader = AsyncReader(await self._connect(), self.engine)
            return await read(reader)
        finally:
            self._give(None if reader is None or reader.broken else reader)

    async def _take(self) -> AsyncReader | None:
        if self._free is None:
            self._free = [None] * self.ASYNC_CONNECTIONS
        if self._free:
            return self._free.pop()
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._give(waiter.result())  # handed over as this read was cancelled: pass it on
            raise

    def _give(self, reader: AsyncReader | None) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(reader)
                return
        if self._free is not None:
            self._free.append(reader)

    async def _connect(self) -> Any:
        import psycopg

        dialect = self.engine.dialect
        args, kwargs = dialect.create_connect_args(self.engine.url)
        try:
            connection = await psycopg.AsyncConnection.connect(*args, **kwargs, autocommit=True)
        except psycopg.Error as exc:  # as SQLAlchemy raises it: the database down is a 503
            raise DBAPIError.instance(None, None, exc, psycopg.Error, dialect=dialect) from exc
        self.connections_made += 1
        return connection

    def dispose(self) -> None:
        """For tests: the engine's connections closed (the lifespan gives back its own)."""
        with self._lock:
            self._owner = None
        self._close_held()
        self.engine.dispose()


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
