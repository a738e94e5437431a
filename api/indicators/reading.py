"""Indicator values for partner systems, read as tuples and written straight to bytes.

The partner API's hot path (GET /api/v1/indicators/{id}/data and /api/v1/data): no ORM object
and no validated model per row, JSON by orjson, and a validator cheap enough to read on every
request (a few index seeks, in the same round trip as the caller's credential: api/deps.admit)
that names the data's version, so that a response can be cached under it
(api/core/responsecache.py) and served again until the data changes.

The validator of a set of indicators: how many of them exist, the sum of their row versions
and their newest `last_updated` (an import that writes anything bumps both, api/indicators/
importer.py, whatever the clocks of the instances say), and each one's newest value change
(which moves with any write to its values, however made).
"""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

import orjson
from sqlalchemy import Engine, bindparam, func, select

from api.core.db import Read
from api.core.errors import NotFound
from api.core.pagination import decode_keys, encode_cursor
from api.core.rawreads import Reader, fetch
from api.core.spreadsheet import CsvChunks
from api.core.types import UTCDateTime
from api.indicators.models import Indicator, IndicatorValue
from api.indicators.schemas import VALUE_COLUMNS
from api.registry.models import Area

# The id (for keyset order) and then the API's columns, in VALUE_COLUMNS order.
_SELECTED = (IndicatorValue.id, IndicatorValue.indicator_id, IndicatorValue.area_code, Area.name,
             IndicatorValue.period, IndicatorValue.breakdown, IndicatorValue.value, IndicatorValue.lower_ci,
             IndicatorValue.upper_ci, IndicatorValue.lower_ci_998, IndicatorValue.upper_ci_998,
             IndicatorValue.count, IndicatorValue.denominator, IndicatorValue.note, IndicatorValue.updated_at)
_NAMES = tuple(VALUE_COLUMNS)
STREAM_BATCH = 5000
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


@dataclass(frozen=True)
class ValueQuery:
    """A request for values, normalised: the same rows asked in another order of parameters,
    or with an id or area named twice, is the same query (and the same cache entry)."""

    indicator_ids: tuple[str, ...] | None
    areas: tuple[str, ...] | None
    period: str | None
    breakdown: str | None
    modified_since: datetime | None
    format: str
    limit: int
    cursor: str | None

    @classmethod
    def of(cls, *, indicator_ids: Sequence[str] | None, areas: Sequence[str] | None, period: str | None,
           breakdown: str | None, modified_since: datetime | None, format: str, limit: int,
           cursor: str | None) -> "ValueQuery":
        streamed = format != "json"  # a stream is the whole result: no page size, no cursor
        return cls(tuple(sorted(set(indicator_ids))) if indicator_ids else None,
                   tuple(sorted(set(areas))) if areas else None, period or None, breakdown or None,
                   modified_since, format, 0 if streamed else limit, None if streamed else cursor)

    def text(self) -> str:
        since = self.modified_since.isoformat() if self.modified_since else ""
        return orjson.dumps([self.indicator_ids, self.areas, self.period, self.breakdown, since, self.format,
                             self.limit, self.cursor]).decode()


@dataclass(frozen=True)
class Validator:
    key: str  # the cache key: the query and the data's version, hashed
    newest: datetime | None  # when the newest of these values changed (Last-Modified)

    @property
    def etag(self) -> str:
        return f'W/"{self.key}"'


def validator_read(query: ValueQuery) -> Read:
    """The validator's columns, to read beside the caller's credential (api/deps.admit)."""
    ids = query.indicator_ids or ()
    return Read(shape=("indicator values", len(ids)), columns=partial(_validator_columns, len(ids)),
                params={f"v{n}": indicator_id for n, indicator_id in enumerate(ids)})


def _validator_columns(count: int) -> list[Any]:
    """Scalar subqueries naming the version of the data of `count` indicators (0: all of them)."""
    ids = [bindparam(f"v{n}") for n in range(count)]
    columns = []
    for aggregate in (func.count(), func.coalesce(func.sum(Indicator.version), 0), func.max(Indicator.last_updated)):
        stmt = select(aggregate).select_from(Indicator)
        columns.append((stmt.where(Indicator.id.in_(ids)) if ids else stmt).scalar_subquery())
    # One index seek each (ix_indicator_value_indicator_updated_at, or _updated_at_id for all).
    if ids:
        columns += [select(func.max(IndicatorValue.updated_at)).where(IndicatorValue.indicator_id == i)
                    .scalar_subquery() for i in ids]
    else:
        columns.append(select(func.max(IndicatorValue.updated_at)).scalar_subquery())
    return columns


@lru_cache(maxsize=128)
def _known(count: int):
    return select(Indicator.id).where(Indicator.id.in_([bindparam(f"v{n}") for n in range(count)]))


async def validator(reader: Reader, query: ValueQuery, row: Sequence[Any]) -> Validator:
    """The validator from the columns of `validator_columns`; 404 if an indicator named does not exist."""
    count, versions, last_updated, *changes = row
    if query.indicator_ids and count != len(query.indicator_ids):
        read = validator_read(query)
        known = {found for found, in await reader.fetch(_known(len(query.indicator_ids)), read.params)}
        missing = next(i for i in query.indicator_ids if i not in known)
        raise NotFound(f"There is no indicator with id '{missing}'. GET /api/v1/indicators lists them.")
    stamps = [stamp for stamp in changes if stamp is not None]
    version = orjson.dumps([count, versions, last_updated, changes], option=orjson.OPT_UTC_Z)
    digest = hashlib.sha256(query.text().encode() + b"\0" + version).hexdigest()[:40]
    return Validator(key=digest, newest=max(stamps, default=None))


def _params(query: ValueQuery, **more: Any) -> tuple[tuple, dict[str, Any]]:
    """The shape of `query`'s SELECT (which filters, how many values each) and its parameters."""
    ids, areas = query.indicator_ids or (), query.areas or ()
    params = {**{f"i{n}": v for n, v in enumerate(ids)}, **{f"a{n}": v for n, v in enumerate(areas)},
              "period": query.period, "breakdown": query.breakdown, "since": query.modified_since, **more}
    shape = (len(ids), len(areas), *(params[name] is not None for name in ("period", "breakdown", "since", "after")))
    return shape, params


@lru_cache(maxsize=256)
def _select(shape: tuple):
    """The SELECT of values for a shape from `_params`, built once: built per request, a
    statement costs more than running it."""
    ids, areas, period, breakdown, since, after = shape
    stmt = select(*_SELECTED).join(Area, Area.gss_code == IndicatorValue.area_code)
    if ids:
        stmt = stmt.where(IndicatorValue.indicator_id.in_([bindparam(f"i{n}") for n in range(ids)]))
    if areas:
        stmt = stmt.where(IndicatorValue.area_code.in_([bindparam(f"a{n}") for n in range(areas)]))
    if period:
        stmt = stmt.where(IndicatorValue.period == bindparam("period"))
    if breakdown:
        stmt = stmt.where(IndicatorValue.breakdown == bindparam("breakdown"))
    if since:
        stmt = stmt.where(IndicatorValue.updated_at > bindparam("since", type_=UTCDateTime()))
    if after:
        stmt = stmt.where(IndicatorValue.id > bindparam("after"))
    return stmt.order_by(IndicatorValue.id).limit(bindparam("limit"))


async def json_page(reader: Reader, query: ValueQuery) -> tuple[bytes, str | None]:
    """One page as the API's JSON (`{"items": [...], "next_cursor": ...}`), and its next cursor."""
    after = decode_keys(query.cursor, [int])[0] if query.cursor else None
    shape, params = _params(query, after=after, limit=query.limit + 1)
    rows = await reader.fetch(_select(shape), params)
    cursor = encode_cursor([rows[query.limit - 1][0]]) if len(rows) > query.limit else None
    items = [dict(zip(_NAMES, row[1:], strict=True)) for row in rows[:query.limit]]
    return orjson.dumps({"items": items, "next_cursor": cursor}, option=orjson.OPT_UTC_Z), cursor


def _batches(engine: Engine, query: ValueQuery) -> Iterator[list[Any]]:
    """Every matching row, in keyset batches, each read on a connection taken for it alone (a
    slow reader of a long stream holds no connection between batches); memory stays flat."""
    after = None
    while True:
        shape, params = _params(query, after=after, limit=STREAM_BATCH)
        with engine.connect() as connection:
            rows = fetch(connection, _select(shape), params)
        if rows:
            yield rows
        if len(rows) < STREAM_BATCH:
            return
        after = rows[-1][0]


def stream_csv(engine: Engine, query: ValueQuery) -> Iterator[bytes]:
    """The values as CSV in the API's column order, formula-like cells neutralised."""
    out = CsvChunks()
    out.row(VALUE_COLUMNS)
    yield out.take().encode()
    for rows in _batches(engine, query):
        out.rows(row[1:] for row in rows)
        yield out.take().encode()


def stream_ndjson(engine: Engine, query: ValueQuery) -> Iterator[bytes]:
    """The values as newline-delimited JSON, one object per line, the fields of the JSON pages."""
    for rows in _batches(engine, query):
        yield b"".join(orjson.dumps(dict(zip(_NAMES, row[1:], strict=True)), option=orjson.OPT_UTC_Z) + b"\n"
                       for row in rows)


STREAMS = {"csv": stream_csv, "ndjson": stream_ndjson}
