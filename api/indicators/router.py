"""HTTP for indicators: metadata, and values for partner systems (JSON pages or streamed CSV)."""

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import AwareDatetime

from api import authz
from api.authz import Subject
from api.core.errors import NotModified
from api.core.http import check_if_match, conditional_get, etag_of, http_date, if_none_match
from api.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, PageDep, set_next_link
from api.core.preparedroute import PreparedRoute
from api.core.rawreads import Reader
from api.core.responsecache import kept_when_whole
from api.core.schemas import SINGLE_LINE
from api.deps import SessionDep, admit, claims_for, refuse_nul_in_query, require
from api.indicators import csvw, importer, reading, service
from api.indicators.schemas import (
    Availability,
    Benchmark,
    IndicatorAreaAvailability,
    IndicatorCreate,
    IndicatorRead,
    IndicatorUpdate,
    Trends,
    ValueRead,
)

router = APIRouter(tags=["indicators"])

IndicatorReader = Annotated[Subject, Depends(require(authz.may_read_indicators))]
IndicatorManager = Annotated[Subject, Depends(require(authz.may_manage_indicators))]
IndicatorPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,40}$")]
# Caps on repeated filters, as Fingertips has: each one is a look-up, and the filters are part of
# the ETag, so an unbounded list is unbounded work for one request.
MAX_AREAS = 300
MAX_INDICATORS = 100
Areas = Annotated[list[Annotated[str, Query(pattern=r"^[EWSN]\d{8}$")]] | None,
                  Query(max_length=MAX_AREAS, description=f"GSS code (repeatable, at most {MAX_AREAS})")]
IndicatorIds = Annotated[list[Annotated[str, Query(pattern=r"^[A-Za-z0-9._-]{1,40}$")]] | None,
                         Query(max_length=MAX_INDICATORS,
                               description=f"Indicator id (repeatable, at most {MAX_INDICATORS})")]
Period = Annotated[str | None, Query(max_length=20), SINGLE_LINE]
Breakdown = Annotated[str | None, Query(max_length=80), SINGLE_LINE]
BreakdownOrPersons = Annotated[str, Query(max_length=80), SINGLE_LINE]
# With an offset (`Z`, `+00:00`): a time without one names no instant (422, not a guess).
ModifiedSince = Annotated[AwareDatetime | None,
                          Query(description="Only values changed after this time, with its offset, e.g. "
                                            "2026-01-01T00:00:00Z (incremental sync)")]
Format = Annotated[str, Query(pattern="^(json|csv|ndjson)$",
                              description="json (cursor pages), csv or ndjson (the whole result, streamed)")]
_HEADER = {"schema": {"type": "string"}}
CSV = {200: {"content": {"text/csv": {}, "application/x-ndjson": {}},
             "description": "JSON pages, or the whole result streamed as CSV (format=csv) or NDJSON (format=ndjson)",
             "headers": {
                 "ETag": {**_HEADER, "description": "The data's version: send it back as If-None-Match (304)"},
                 "Last-Modified": {**_HEADER, "description": "When the newest of these values changed"},
                 "Link": {**_HEADER, "description": 'rel="next" (the next JSON page) or rel="describedby" '
                                                    "(the CSV's CSVW metadata)"},
                 "RateLimit": {**_HEADER, "description": "A partner client's budget left in this window"},
             }},
       422: {"description": "A filter is not valid (`errors` says which): an `area` that is not a GSS code, "
                            f"more than {MAX_INDICATORS} `indicator` or {MAX_AREAS} `area` values, a `format` "
                            "other than json, csv or ndjson, a `modified_since` that is not a date-time, or "
                            "a `limit` outside 1-500"}}
UnknownIndicator = {404: {"description": "an `indicator` named does not exist"}}


@router.get("/indicators", response_model=Page[IndicatorRead])
def list_indicators(request: Request, response: Response, session: SessionDep, _: IndicatorReader, page: PageDep,
                    theme: Annotated[str | None, Query(max_length=120), SINGLE_LINE] = None):
    rows, cursor = service.list_indicators(session, page=page, theme=theme)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


@router.post("/indicators", response_model=IndicatorRead, status_code=201)
def create_indicator(body: IndicatorCreate, request: Request, response: Response, session: SessionDep,
                     actor: IndicatorManager):
    indicator = service.create_indicator(session, actor=actor, data=body.model_dump())
    response.headers["Location"] = str(request.url_for("get_indicator", indicator_id=indicator.id))
    return indicator


@router.get("/indicators/{indicator_id}", response_model=IndicatorRead)
def get_indicator(indicator_id: IndicatorPath, request: Request, response: Response, session: SessionDep,
                  _: IndicatorReader):
    indicator = service.get_indicator(session, indicator_id)
    conditional_get(request, response, indicator)
    return indicator


@router.patch("/indicators/{indicator_id}", response_model=IndicatorRead,
              responses={412: {"description": "If-Match does not match the current ETag"}})
def update_indicator(indicator_id: IndicatorPath, body: IndicatorUpdate, request: Request, response: Response,
                     session: SessionDep, actor: IndicatorManager):
    indicator = service.get_indicator(session, indicator_id)
    check_if_match(request, indicator)
    indicator = service.update_indicator(session, actor=actor, indicator=indicator, changes=body.changes())
    response.headers["ETag"] = etag_of(indicator)
    return indicator


ValuesReader = Annotated[dict[str, Any], Depends(claims_for(authz.may_read_indicators))]


async def _values(request: Request, claims: dict[str, Any], query: reading.ValueQuery,
                  csvw_url: Callable[[], str]) -> Response:
    """Shared by one indicator's data and the bulk /data, served on the event loop (no thread-pool
    hop): the credential and the data's validator in one round trip, then a 304, a cached body,
    or the rows read and kept for the next caller. Streams are read in the thread pool."""
    found, kept = await request.app.state.loop_reads.on_loop(partial(_read, request, claims, query))
    headers = {"ETag": found.etag, "Cache-Control": "private, max-age=300"}
    if found.newest is not None:
        headers["Last-Modified"] = http_date(found.newest)
    media_type = reading.MEDIA_TYPES[query.format]
    if query.format == "json":
        cursor, _, body = kept.partition(b"\n")
        if cursor:
            headers["Link"] = f'<{request.url.include_query_params(cursor=cursor.decode())}>; rel="next"'
        return Response(body, media_type=media_type, headers=headers)
    name = query.indicator_ids[0] if query.indicator_ids and len(query.indicator_ids) == 1 else "indicator-data"
    headers["Content-Disposition"] = f'attachment; filename="{name}.{query.format}"'
    if query.format == "csv":
        headers["Link"] = f'<{csvw_url()}>; rel="describedby"; type="{csvw.MEDIA_TYPE}"'
    if kept is not None:
        return Response(kept, media_type=media_type, headers=headers)
    stream = reading.STREAMS[query.format](request.app.state.engine, query)
    return StreamingResponse(kept_when_whole(stream, request.app.state.data_cache, found.key), media_type=media_type,
                             headers=headers)


async def _read(request: Request, claims: dict[str, Any], query: reading.ValueQuery, reader: Reader
                ) -> tuple[reading.Validator, bytes | None]:
    """The validator and, if it is kept or is a JSON page, the body (a JSON page's starts with its
    next cursor and a newline)."""
    version = await admit(request, reader, claims, authz.may_read_indicators, reading.validator_read(query))
    found = await reading.validator(reader, query, version)
    tags = {tag.removeprefix("W/") for tag in if_none_match(request)}
    if "*" in tags or found.etag.removeprefix("W/") in tags:
        raise NotModified(found.etag)
    cache = request.app.state.data_cache
    kept = cache.get(found.key)
    if kept is None and query.format == "json":
        body, cursor = await reading.json_page(reader, query)
        kept = (cursor or "").encode() + b"\n" + body
        cache.put(found.key, kept)
    return found, kept


async def indicator_data(indicator_id: IndicatorPath, request: Request, claims: ValuesReader,
                         limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, area: Areas = None, period: Period = None,
                         breakdown: Breakdown = None, modified_since: ModifiedSince = None, format: Format = "json"):
    """One indicator's values by area, period and breakdown. No rows is a 200 with no items."""
    query = reading.ValueQuery.of(indicator_ids=[indicator_id], areas=area, period=period, breakdown=breakdown,
                                  modified_since=modified_since, format=format, limit=limit, cursor=cursor)
    return await _values(request, claims, query,
                   lambda: str(request.url_for("indicator_csvw", indicator_id=indicator_id)))


async def bulk_data(request: Request, claims: ValuesReader, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None,
                    indicator: IndicatorIds = None, area: Areas = None, period: Period = None,
                    breakdown: Breakdown = None, modified_since: ModifiedSince = None, format: Format = "json"):
    """Values across indicators, for bulk pulls and incremental sync (`modified_since`)."""
    query = reading.ValueQuery.of(indicator_ids=indicator, areas=area, period=period, breakdown=breakdown,
                                  modified_since=modified_since, format=format, limit=limit, cursor=cursor)
    return await _values(request, claims, query, lambda: str(request.url_for("bulk_csvw")))


def add_data_routes(router: APIRouter, prefix: str) -> None:
    """Partner systems' data reads, the busiest routes: added by the application to its own
    router ahead of every other route (api/main.py), not included with the rest, because FastAPI
    walks an included router's routes, and each router it includes, on every request (behind a
    few hundred others, a cached read spent a fifth of its time being matched). As
    PreparedRoutes, their parameters are checked in one call (api/core/preparedroute.py)."""
    options = {"methods": ["GET"], "response_model": Page[ValueRead], "tags": ["indicators"],
               "dependencies": [Depends(refuse_nul_in_query)], "route_class_override": PreparedRoute}
    router.add_api_route(f"{prefix}/indicators/{{indicator_id}}/data", indicator_data, responses=CSV, **options)
    router.add_api_route(f"{prefix}/data", bulk_data, responses={**CSV, **UnknownIndicator}, **options)


CSVW = {200: {"content": {csvw.MEDIA_TYPE: {}}, "description": "CSVW table metadata (W3C CSV on the Web)"}}


def _csvw(request: Request, csv_url: str, title: str) -> JSONResponse:
    return JSONResponse(csvw.metadata(csv_url, title), media_type=csvw.MEDIA_TYPE,
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/indicators/{indicator_id}/data/csvw", responses=CSVW, response_class=JSONResponse)
def indicator_csvw(indicator_id: IndicatorPath, request: Request, session: SessionDep, _: IndicatorReader):
    """Describes the columns of `?format=csv` for this indicator (CSVW); the CSV links here."""
    indicator = service.get_indicator(session, indicator_id)
    url = str(request.url_for("indicator_data", indicator_id=indicator_id).include_query_params(format="csv"))
    return _csvw(request, url, indicator.name)


@router.get("/data/csvw", responses=CSVW, response_class=JSONResponse)
def bulk_csvw(request: Request, _: IndicatorReader):
    """Describes the columns of `/data?format=csv` (CSVW); the CSV links here."""
    return _csvw(request, str(request.url_for("bulk_data").include_query_params(format="csv")), "Indicator values")


@router.get("/data/availability", response_model=Availability, responses=UnknownIndicator)
def data_availability(session: SessionDep, _: IndicatorReader, indicator: IndicatorIds = None):
    """Which indicators have data: their periods, breakdowns, and how many areas and values."""
    for indicator_id in indicator or []:
        service.get_indicator(session, indicator_id)
    return Availability(items=service.availability(session, indicator_ids=indicator))


@router.get("/indicators/{indicator_id}/availability", response_model=IndicatorAreaAvailability)
def indicator_availability(indicator_id: IndicatorPath, session: SessionDep, _: IndicatorReader):
    """For one indicator: each area and breakdown with data, its first and latest period, how many."""
    service.get_indicator(session, indicator_id)
    return IndicatorAreaAvailability(indicator_id=indicator_id,
                                     items=service.area_availability(session, indicator_id=indicator_id))


@router.get("/indicators/{indicator_id}/trend", response_model=Trends)
def trend(indicator_id: IndicatorPath, session: SessionDep, _: IndicatorReader, area: Areas = None,
          breakdown: BreakdownOrPersons = "Persons"):
    """Each area's recent trend over its last five points: `increasing` / `decreasing` /
    `no_significant_change` (99.9% level) / `cannot_be_calculated`, with `getting_better` or
    `getting_worse` by polarity. See docs/indicator-methods.md."""
    indicator = service.get_indicator(session, indicator_id)
    return Trends(indicator_id=indicator.id, polarity=indicator.polarity, breakdown=breakdown,
                  items=service.trends(session, indicator=indicator, areas=area, breakdown=breakdown))


@router.post("/indicators/import", tags=["indicators"],
             responses={413: {"description": "larger than ATA_MAX_UPLOAD_MB"},
                        422: {"description": "problems found: `errors: [{line, column, msg}]`; nothing written"}})
def import_values(request: Request, session: SessionDep, actor: IndicatorManager,
                  file: Annotated[UploadFile, File(description="CSV of indicator values")],
                  dry_run: Annotated[bool, Query(description="check only: count what would be written, write "
                                                             "nothing")] = False):
    """Validate every row, then write all or nothing: `{"rows_written", "warnings"}`."""
    data = importer.read_upload(file.file, max_mb=request.app.state.settings.max_upload_mb)
    return importer.import_csv(session, actor=actor, data=data, dry_run=dry_run)


@router.get("/indicators/{indicator_id}/benchmark", response_model=Benchmark)
def benchmark(indicator_id: IndicatorPath, session: SessionDep, _: IndicatorReader,
              comparator: Annotated[str, Query(pattern=r"^[EWSN]\d{8}$")] = "E92000001",
              period: Period = None, breakdown: BreakdownOrPersons = "Persons"):
    """Each area against the comparator (England by default) in one period (the comparator's
    latest by default): `better` / `similar` / `worse` by the 95% CI and the polarity, `lower` /
    `similar` / `higher` without a judgement, `not_compared` without the figures. See
    docs/indicator-methods.md."""
    indicator = service.get_indicator(session, indicator_id)
    return service.benchmark(session, indicator=indicator, comparator=comparator, period=period,
                             breakdown=breakdown)
