"""Reads on the driver's own cursor, for the few statements run on every request of the partner
data API (api/deps.admit, api/indicators/reading.py).

Through a SQLAlchemy Connection, a statement that is already compiled and cached still costs
more than the database takes to answer it (measured on SQLite: 43 µs against 12 µs for the
credential and validator, 222 against 112 µs for a page of 20 values): the cache key, the
result object, a Row per row. Here each statement is compiled once per dialect, its parameters
put in the driver's order, and only the parameters and columns whose type converts a value
(date-times, booleans on SQLite) are converted. Errors come out as SQLAlchemy's, a dead connection
invalidated, so that callers and the error handlers (503) see what a Connection would raise.

Reads served on the event loop go through a Reader: on a SQLAlchemy connection (SQLite, and any
thread but the serving one), or on psycopg's asynchronous connection (PostgreSQL), so that the
loop serves other requests while the database answers (measured on two cores: half the CPU sat
idle while the loop waited for each answer).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select


@dataclass
class _Compiled:
    statement: Select  # held so that its id is not reused while this entry lives
    sql: str
    compiled: Any
    positional: tuple[str, ...] | None
    binders: tuple[tuple[str, Callable[[Any], Any]], ...]
    # Known after the first run: some drivers' converters depend on the type the cursor reports.
    converters: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None


_COMPILED: dict[tuple[str, int], _Compiled] = {}


def _compile(dialect: Dialect, statement: Select) -> _Compiled:
    key = (dialect.name, id(statement))
    found = _COMPILED.get(key)
    if found is not None and found.statement is statement:
        return found
    compiled = statement.compile(dialect=dialect)
    binders = []
    for name, bind in compiled.binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            binders.append((name, processor))
    found = _COMPILED[key] = _Compiled(statement, str(compiled), compiled, compiled.positiontup and tuple(
        compiled.positiontup), tuple(binders))
    return found


def _converters(dialect, statement: Select, description) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    converters = []
    for index, (column, described) in enumerate(zip(statement.selected_columns, description, strict=True)):
        processor = column.type.dialect_impl(dialect).result_processor(dialect, described[1])
        if processor is not None:
            converters.append((index, processor))
    return tuple(converters)


def _arguments(dialect: Dialect, statement: Select, params: dict[str, Any]) -> tuple[_Compiled, Any]:
    compiled = _compile(dialect, statement)
    values = compiled.compiled.construct_params(params)
    for name, bind in compiled.binders:
        values[name] = bind(values[name])
    return compiled, [values[name] for name in compiled.positional] if compiled.positional else values


def _converted(compiled: _Compiled, rows: list[tuple]) -> list[tuple]:
    if not compiled.converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for index, convert in compiled.converters:
            row[index] = convert(row[index])
        converted.append(tuple(row))
    return converted


def _error(dialect: Dialect, compiled: _Compiled, arguments: Any, exc: Exception, dead: bool) -> DBAPIError:
    return DBAPIError.instance(compiled.sql, arguments, exc, dialect.loaded_dbapi.Error, connection_invalidated=dead,
                               dialect=dialect)


def fetch(connection: Connection, statement: Select, params: dict[str, Any]) -> list[tuple]:
    """Every row of `statement` (built once and kept by the caller) with these parameters."""
    dialect = connection.dialect
    compiled, arguments = _arguments(dialect, statement, params)
    raw = connection.connection
    cursor = raw.cursor()
    # Listeners still hear of it (the tests count statements this way); ATA_SQL_ECHO does not.
    connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql, arguments, None, False)
    try:
        cursor.execute(compiled.sql, arguments)
        rows = cursor.fetchall()
        if compiled.converters is None:  # the cursor's description is built anew each time it is asked
            compiled.converters = _converters(dialect, statement, cursor.description)
    except dialect.loaded_dbapi.Error as exc:
        dead = dialect.is_disconnect(exc, raw.dbapi_connection, cursor)
        if dead:
            connection.invalidate(exc)
        raise _error(dialect, compiled, arguments, exc, dead) from exc
    finally:
        cursor.close()
    return _converted(compiled, rows)


class Reader(Protocol):
    """Where a read served on the event loop runs its statements (api/core/db.LoopReads)."""

    async def fetch(self, statement: Select, params: dict[str, Any]) -> list[tuple]: ...


class ConnectionReader:
    """On a SQLAlchemy connection: each statement runs to its end before the loop goes on."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    async def fetch(self, statement: Select, params: dict[str, Any]) -> list[tuple]:
        return fetch(self.connection, statement, params)


class AsyncReader:
    """On a psycopg AsyncConnection (PostgreSQL): the loop serves other requests while the
    database answers. The engine's listeners hear of each statement, as `fetch`'s do. One cursor
    serves every statement (a new one per statement cost a third as much again: 74 against 54 µs
    of CPU per query under uvloop)."""

    def __init__(self, connection: Any, engine: Engine) -> None:
        self.connection, self.engine = connection, engine
        self.cursor = connection.cursor()

    @property
    def broken(self) -> bool:
        return self.connection.closed or self.connection.broken

    async def fetch(self, statement: Select, params: dict[str, Any]) -> list[tuple]:
        dialect = self.engine.dialect
        compiled, arguments = _arguments(dialect, statement, params)
        cursor = self.cursor
        self.engine.dispatch.before_cursor_execute(None, cursor, compiled.sql, arguments, None, False)
        try:
            await cursor.execute(compiled.sql, arguments)
            rows = await cursor.fetchall()
            if compiled.converters is None:
                compiled.converters = _converters(dialect, statement, cursor.description)
        except dialect.loaded_dbapi.Error as exc:
            dead = self.broken or dialect.is_disconnect(exc, None, cursor)
            raise _error(dialect, compiled, arguments, exc, dead) from exc
        return _converted(compiled, rows)


async def fetch_first(reader: Reader, statement: Select, params: dict[str, Any]) -> Sequence[Any] | None:
    rows = await reader.fetch(statement, params)
    return rows[0] if rows else None
