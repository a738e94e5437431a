"""Cursor (keyset) pagination: the one way lists are paged, never OFFSET."""

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Select, and_, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session

from api.core.errors import BadRequest
from api.core.schemas import has_control_characters

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class PageParams(BaseModel):
    limit: int
    cursor: str | None


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=512, description="Opaque cursor from next_cursor")]


async def _page_params(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(_page_params)]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


# A cursor comes back from the client, so its values are input like any other: they must fit the
# columns they are compared with (every integer column is PostgreSQL `integer`), and text must be
# text the database can hold. Otherwise PostgreSQL fails the query where SQLite would not.
_INT_RANGE = range(-(2**31), 2**31)


def _typed(value: Any, kind: type) -> Any:
    # Dates travel as ISO strings; anything else must already have its JSON type.
    if kind is int and (isinstance(value, bool) or (isinstance(value, int) and value not in _INT_RANGE)):
        raise ValueError(value)
    if isinstance(value, str) and has_control_characters(value, multiline=True):
        raise ValueError(value)
    if value is not None and kind in (date, datetime):
        if not isinstance(value, str):
            raise ValueError(value)
        parsed = kind.fromisoformat(value)
        if kind is datetime and parsed.tzinfo is None:
            raise ValueError(value)
        if kind is datetime:
            try:
                parsed.astimezone(UTC)  # as it will be stored and compared (year 1 at +01:00 is not)
            except OverflowError as exc:
                raise ValueError(value) from exc
        return parsed
    if value is not None and not isinstance(value, kind):
        raise ValueError(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not valid; start again without one.") from exc
    if not isinstance(values, list) or len(values) != len(types):
        raise BadRequest("The cursor is not valid; start again without one.")
    try:
        return [_typed(value, kind) for value, kind in zip(values, types, strict=True)]
    except ValueError as exc:
        raise BadRequest("The cursor is not valid; start again without one.") from exc


def decode_keys(cursor: str, types: Sequence[type]) -> list[Any]:
    """`decode_cursor` for keys that are never NULL (400 if one is)."""
    values = decode_cursor(cursor, types)
    if any(value is None for value in values):
        raise BadRequest("The cursor is not valid; start again without one.")
    return values


def _beyond(columns: Sequence[InstrumentedAttribute], values: Sequence[Any], descending: bool):
    """Rows strictly after `values` in the listing order (keys are NOT NULL).

    A row-value comparison, which both SQLite (3.15+) and PostgreSQL answer from an index
    on the same columns.
    """
    left = columns[0] if len(columns) == 1 else tuple_(*columns)
    right = values[0] if len(columns) == 1 else tuple_(*values)
    return left < right if descending else left > right


def _beyond_nulls_last(columns: Sequence[InstrumentedAttribute], values: Sequence[Any]):
    """`_beyond`, ascending, where the first key may be NULL and NULLs sort last (a due date)."""
    first, rest = columns[0], columns[1:]
    after_rest = _beyond(rest, values[1:], False)
    if values[0] is None:
        return and_(first.is_(None), after_rest)
    return or_(first > values[0], and_(first == values[0], after_rest), first.is_(None))


def paginate(
    session: Session,
    stmt: Select,
    *,
    order: Sequence[InstrumentedAttribute],
    page: PageParams,
    descending: bool = False,
    first_nullable: bool = False,
) -> tuple[list[Any], str | None]:
    """One page of `stmt`, ordered by `order` (the last column unique), and the next cursor.

    `stmt` selects one entity, or an entity followed by extra columns (rows are then
    returned whole and the entity is the first element). `first_nullable`: the first key may be
    NULL (ascending only); those rows come last, the same on SQLite and PostgreSQL.
    """
    if first_nullable and (descending or len(order) < 2):
        raise ValueError("a nullable first key needs ascending order and a unique key after it")
    types = [column.type.python_type for column in order]
    if page.cursor:
        values = decode_cursor(page.cursor, types) if first_nullable else decode_keys(page.cursor, types)
        stmt = stmt.where(_beyond_nulls_last(order, values) if first_nullable else _beyond(order, values, descending))
    ordering = [column.desc() for column in order] if descending else list(order)
    if first_nullable:
        ordering[0] = order[0].asc().nulls_last()
    result = session.execute(stmt.order_by(*ordering).limit(page.limit + 1))
    single = len(stmt.column_descriptions) == 1
    rows = list(result.scalars() if single else result.all())
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    last = rows[-1] if single else rows[-1][0]
    return rows, encode_cursor([getattr(last, column.key) for column in order])


def set_next_link(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'
