"""HTTP for indicators: metadata, and values for partner systems (JSON pages or streamed CSV)."""

from datetime import datetime
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from api import authz
from api.authz import Subject
from api.core.errors import NotModified
from api.core.http import check_if_match, conditional_get, etag_of
from api.core.pagination import Page, PageDep, set_next_link
from api.deps import SessionDep, require
from api.indicators import importer, service
from api.indicators.schemas import Benchmark, IndicatorCreate, IndicatorRead, IndicatorUpdate, ValueRead
from api.meetings.documents import TooLarge

router = APIRouter(tags=["indicators"])

IndicatorReader = Annotated[Subject, Depends(require(authz.may_read_indicators))]
IndicatorManager = Annotated[Subject, Depends(require(authz.may_manage_indicators))]
IndicatorPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,40}$")]
Areas = Annotated[list[Annotated[str, Query(pattern=r"^[EWSN]\d{8}$")]] | None,
                  Query(description="GSS code (repeatable)")]
Period = Annotated[str | None, Query(max_length=20)]
Breakdown = Annotated[str | None, Query(max_length=80)]
ModifiedSince = Annotated[datetime | None, Query(description="Only values changed after this time (incremental sync)")]
Format = Annotated[str, Query(pattern="^(json|csv)$")]
CSV = {200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}}


@router.get("/indicators", response_model=Page[IndicatorRead])
def list_indicators(request: Request, response: Response, session: SessionDep, _: IndicatorReader, page: PageDep,
                    theme: Annotated[str | None, Query(max_length=120)] = None):
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


def _values(request: Request, response: Response, session, *, indicator_ids: list[str] | None, page, areas,
            period, breakdown, modified_since, format: str):
    """Shared by one indicator's data and the bulk /data: validators, then JSON or CSV."""
    count, newest = service.freshness(session, indicator_ids)
    tag = f'W/"{",".join(indicator_ids or ["all"])}.{count}.{newest.timestamp() if newest else 0}"'
    validators = {"ETag": tag, "Cache-Control": "private, max-age=300"}
    if newest is not None:
        validators["Last-Modified"] = format_datetime(newest, usegmt=True)
    if request.headers.get("if-none-match") == tag:
        raise NotModified(tag)
    filters = {"indicator_ids": indicator_ids, "areas": areas, "period": period, "breakdown": breakdown,
               "modified_since": modified_since}
    if format == "csv":
        name = indicator_ids[0] if indicator_ids and len(indicator_ids) == 1 else "indicator-data"
        return StreamingResponse(service.stream_csv(request.app.state.engine, **filters),
                                 media_type="text/csv; charset=utf-8",
                                 headers={**validators, "Content-Disposition": f'attachment; filename="{name}.csv"'})
    rows, cursor = service.list_values(session, page=page, **filters)
    set_next_link(request, response, cursor)
    response.headers.update(validators)
    return Page(items=[ValueRead(**service.value_row(v, name)) for v, name in rows], next_cursor=cursor)


@router.get("/indicators/{indicator_id}/data", response_model=Page[ValueRead], responses=CSV)
def indicator_data(indicator_id: IndicatorPath, request: Request, response: Response, session: SessionDep,
                   _: IndicatorReader, page: PageDep, area: Areas = None, period: Period = None,
                   breakdown: Breakdown = None, modified_since: ModifiedSince = None, format: Format = "json"):
    """One indicator's values by area, period and breakdown. No rows is a 200 with no items."""
    service.get_indicator(session, indicator_id)
    return _values(request, response, session, indicator_ids=[indicator_id], page=page, areas=area, period=period,
                   breakdown=breakdown, modified_since=modified_since, format=format)


@router.get("/data", response_model=Page[ValueRead], responses=CSV)
def bulk_data(request: Request, response: Response, session: SessionDep, _: IndicatorReader, page: PageDep,
              indicator: Annotated[list[Annotated[str, Query(pattern=r"^[A-Za-z0-9._-]{1,40}$")]] | None,
                                   Query(description="Indicator id (repeatable)")] = None,
              area: Areas = None, period: Period = None, breakdown: Breakdown = None,
              modified_since: ModifiedSince = None, format: Format = "json"):
    """Values across indicators, for bulk pulls and incremental sync (`modified_since`)."""
    for indicator_id in indicator or []:
        service.get_indicator(session, indicator_id)
    return _values(request, response, session, indicator_ids=indicator, page=page, areas=area, period=period,
                   breakdown=breakdown, modified_since=modified_since, format=format)


@router.post("/indicators/import", tags=["indicators"],
             responses={413: {"description": "larger than ATA_MAX_UPLOAD_MB"},
                        422: {"description": "problems found: `errors: [{line, column, msg}]`; nothing written"}})
def import_values(request: Request, session: SessionDep, actor: IndicatorManager,
                  file: Annotated[UploadFile, File(description="CSV of indicator values")]):
    """Validate every row, then write all or nothing: `{"rows_written", "warnings"}`."""
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"The file is larger than the limit of {request.app.state.settings.max_upload_mb} MB.")
    return importer.import_csv(session, actor=actor, data=data)


@router.get("/indicators/{indicator_id}/benchmark", response_model=Benchmark)
def benchmark(indicator_id: IndicatorPath, session: SessionDep, _: IndicatorReader,
              comparator: Annotated[str, Query(pattern=r"^[EWSN]\d{8}$")] = "E92000001",
              period: Period = None, breakdown: Annotated[str, Query(max_length=80)] = "Persons"):
    """Each area against the comparator (England by default) in one period (the comparator's
    latest by default): `better` / `similar` / `worse` by the 95% CI and the polarity, `lower` /
    `similar` / `higher` without a judgement, `not_compared` without the figures. See
    docs/indicator-methods.md."""
    indicator = service.get_indicator(session, indicator_id)
    return service.benchmark(session, indicator=indicator, comparator=comparator, period=period,
                             breakdown=breakdown)
