"""HTTP for the Fingertips-compatible door at /fingertips/api: published indicators as open data.

Fingertips' own paths, parameters and shapes, so that fingertips_py and fingertipsR work against
this service by changing only their base URL. No credentials; every request counts against its
address's budget (ATA_OPEN_DATA_RATE_LIMIT a minute, shared through Redis when ATA_REDIS_URL is
set). The rules (what is published, how breakdowns and areas map) are in api/indicators/fingertips.py.
It reads only, so it opens plain sessions on the engine instead of the request transaction.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlmodel import Session

from api.auth.throttle import take_address_quota
from api.indicators import fingertips


def _budget(request: Request) -> None:
    take_address_quota(request)


def _session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


router = APIRouter(tags=["fingertips"], dependencies=[Depends(_budget)])
# scope="function": closed before the (streamed) response is sent, which reads on a connection of its own.
ReadSession = Annotated[Session, Depends(_session, scope="function")]

_BUDGET = {429: {"description": "This address has spent its request budget (ATA_OPEN_DATA_RATE_LIMIT a minute); "
                                "wait for Retry-After seconds"},
           503: {"description": "The database is busy or unavailable; try again after Retry-After seconds"}}
_UNKNOWN = {404: {"description": "An indicator named is not published (or does not exist), or the area type is "
                                 "not one this service has"}}
_INVALID = {422: {"description": "The parameters are not what Fingertips accepts; `errors` says which"}}
_CSV = {200: {"content": {"text/csv": {}}, "description": "CSV with Fingertips' columns"}}
_JSON = {200: {"content": {"application/json": {}}, "description": "Fingertips' JSON"}}

IndicatorIds = Annotated[str, Query(max_length=1400, description="Comma-separated indicator ids (whole numbers), "
                                                                 f"at most {fingertips.MAX_INDICATORS}")]
AreaTypeId = Annotated[int, Query(ge=0, le=100_000, description="A Fingertips area type id (GET area_types)")]


@router.get("/api/all_data/csv/by_indicator_id", response_class=StreamingResponse,
            responses={**_CSV, **_UNKNOWN, **_INVALID, **_BUDGET})
def all_data_csv(request: Request, session: ReadSession, indicator_ids: IndicatorIds,
                 child_area_type_id: AreaTypeId,
                 parent_area_type_id: AreaTypeId = fingertips.DEFAULT_PARENT):
    """Every value of the indicators for England, the parent area type's areas and the child area
    type's areas, as Fingertips' data CSV (its columns, in its order), streamed."""
    data = fingertips.data_request(session, ids=fingertips.indicator_ids(indicator_ids),
                                   child_area_type_id=child_area_type_id, parent_area_type_id=parent_area_type_id)
    return StreamingResponse(fingertips.stream_data_csv(request.app.state.engine, data),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="indicators-data.csv"'})


@router.get("/api/indicator_metadata/by_indicator_id", response_class=JSONResponse,
            responses={**_JSON, **_UNKNOWN, **_INVALID, **_BUDGET})
def indicator_metadata(session: ReadSession, indicator_ids: IndicatorIds):
    """The indicators' metadata as Fingertips gives it: an object keyed by each id (as text)."""
    return JSONResponse(fingertips.metadata(session, fingertips.indicator_ids(indicator_ids)))


@router.get("/api/indicator_metadata/csv/by_indicator_id", response_class=Response,
            responses={**_CSV, **_UNKNOWN, **_INVALID, **_BUDGET})
def indicator_metadata_csv(session: ReadSession, indicator_ids: IndicatorIds):
    """The indicators' metadata as Fingertips' metadata CSV."""
    text = fingertips.metadata_csv(session, fingertips.indicator_ids(indicator_ids))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="indicators-metadata.csv"'})


@router.get("/api/areas/by_area_type", response_class=JSONResponse,
            responses={**_JSON, **_UNKNOWN, **_INVALID, **_BUDGET})
def areas_by_area_type(request: Request, area_type_id: AreaTypeId):
    """The areas of one area type: `[{Code, Name, Short, AreaTypeId}]`."""
    return JSONResponse(fingertips.areas_of_type(request.app.state.engine, area_type_id))


@router.get("/api/area_types", response_class=JSONResponse, responses={**_JSON, **_BUDGET})
def area_types():
    """The area types this service has, numbered and named as Fingertips numbers and names them."""
    return JSONResponse(fingertips.area_types())


@router.get("/api/ages", response_class=JSONResponse, responses={**_JSON, **_BUDGET})
def ages(request: Request):
    """`[{Id, Name}]`: "All ages" (1) and the age bands published indicators use."""
    return JSONResponse(fingertips.ages(request.app.state.engine))


@router.get("/api/sexes", response_class=JSONResponse, responses={**_JSON, **_BUDGET})
def sexes():
    """`[{Id, Name}]`: Persons (4), Male (1), Female (2), as Fingertips numbers them."""
    return JSONResponse(fingertips.SEXES)


@router.get("/api/area_types/parent_area_types", response_class=JSONResponse, responses={**_JSON, **_BUDGET})
def parent_area_types():
    """Each area type with the parent area types a data request may name (England first, the default)."""
    return JSONResponse(fingertips.parent_area_types())


@router.get("/api/available_data", response_class=JSONResponse, responses={**_JSON, **_INVALID, **_BUDGET})
def available_data(request: Request, area_type_id: Annotated[int | None, Query(ge=0, le=100_000)] = None,
                   indicator_id: Annotated[int | None, Query(ge=0, le=999_999_999_999)] = None):
    """Which published indicators have values for which area types: `[{IndicatorId, AreaTypeId}]`."""
    return JSONResponse(fingertips.available_data(request.app.state.engine, area_type_id=area_type_id,
                                                  indicator_id=indicator_id))


@router.get("", response_class=JSONResponse, responses={**_JSON, **_BUDGET})
def about():
    """What this door is (fingertipsR checks that the address above its API answers)."""
    return JSONResponse({"name": "All Together Active: published indicators, Fingertips-compatible",
                         "api": "/fingertips/api/", "openapi": "/api/v1/openapi.json"})
