"""Indicator pages: the tartan rug and each indicator's chart with its table (Places and pilots
have their own modules, web/routes/places.py and pilots.py). Charts are server-rendered SVG beside tables."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from api import authz
from api.authz import Subject
from api.core.pagination import PageParams
from api.deps import SessionDep
from api.indicators import service as indicators
from api.registry import service as registry
from api.registry.models import Area
from web import charts
from web.auth import page_requires
from web.labels import OUTCOME_LABELS, TREND_LABELS
from web.templating import render

router = APIRouter()

IndicatorViewer = Annotated[Subject, Depends(page_requires(authz.may_read_indicators))]
SUBREGION = indicators.SUBREGION


@router.get("/indicators")
def indicators_page(request: Request, session: SessionDep, subject: IndicatorViewer,
                    place: Annotated[str | None, Query(pattern=r"^[EWSN]\d{8}$")] = None):
    """The tartan rug: on a wide screen every area in one table; on a phone one area at a time
    (`place`, chosen with a plain GET form), each indicator a card."""
    columns = [a for a in [session.get(Area, SUBREGION), *registry.list_areas(session, kind="place")] if a]
    rug = indicators.rug(session, areas=[a.gss_code for a in columns])
    listed = indicators.all_indicators(session)
    chosen = next((a for a in columns if a.gss_code == place), columns[0] if columns else None)
    return render(request, "pages/outcomes/indicators.html", {
        "title": "Indicators", "nav": "indicators", "rug": rug, "columns": columns, "chosen": chosen,
        "area_options": [(a.gss_code, a.name) for a in columns],
        "outcome_labels": OUTCOME_LABELS, "indicators": listed,
        "may_manage": authz.may_manage_indicators(subject)})


@router.get("/indicators/{indicator_id}")
def indicator_page(request: Request, session: SessionDep, subject: IndicatorViewer,
                   indicator_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,40}$")],
                   area: Annotated[str | None, Query(pattern=r"^[EWSN]\d{8}$")] = None):
    indicator = indicators.get_indicator(session, indicator_id)
    rows, _ = indicators.list_values(session, page=PageParams(limit=500, cursor=None), indicator_ids=[indicator.id],
                                     breakdown=indicator.breakdowns[0] if indicator.breakdowns else None)
    areas = sorted({(v.area_code, name) for v, name in rows}, key=lambda a: (a[0] != SUBREGION, a[1]))
    chosen = area or (areas[0][0] if areas else None)
    periods = sorted({v.period for v, _ in rows})
    series = {name: sorted((v.period, v.value) for v, _ in rows if v.area_code == code)
              for code, name in areas if code in {chosen, indicators.ENGLAND}}
    benchmark = indicators.benchmark(session, indicator=indicator, comparator=indicators.ENGLAND, period=None,
                                     breakdown=indicator.breakdowns[0] if indicator.breakdowns else "Persons")
    trends = {t["area_code"]: t for t in indicators.trends(session, indicator=indicator, areas=None,
                                                           breakdown=benchmark["breakdown"])}
    table = {code: {v.period: v for v, _ in rows if v.area_code == code} for code, _ in areas}
    return render(request, "pages/outcomes/indicator.html", {
        "title": indicator.name, "nav": "indicators", "indicator": indicator, "areas": areas, "chosen": chosen,
        "chart": charts.lines(series, periods), "periods": periods, "table": table, "benchmark": benchmark,
        "trends": trends, "outcome_labels": OUTCOME_LABELS, "trend_labels": TREND_LABELS,
        "may_manage": authz.may_manage_indicators(subject)})
