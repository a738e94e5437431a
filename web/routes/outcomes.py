"""Outcomes pages: progress to the 150,000 target by Place, pilots, and indicators (the tartan
rug and each indicator's chart with its table). Charts are server-rendered SVG beside tables."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from api import authz
from api.authz import Subject
from api.core.pagination import PageParams
from api.deps import SessionDep
from api.indicators import service as indicators
from api.outcomes import service as outcomes
from api.registry import service as registry
from api.registry.models import Area
from web import charts
from web.auth import page_requires
from web.labels import OUTCOME_LABELS, PLAN_LABELS, TREND_LABELS
from web.templating import render

router = APIRouter()

OutcomesViewer = Annotated[Subject, Depends(page_requires(authz.may_read_outcomes))]
IndicatorViewer = Annotated[Subject, Depends(page_requires(authz.may_read_indicators))]
SUBREGION = indicators.SUBREGION


@router.get("/places")
def places_page(request: Request, session: SessionDep, _: OutcomesViewer):
    progress = outcomes.strategy(session)
    by_place, height = charts.bars([(p["place_name"], p["people_more_active"]) for p in progress["by_place"]])
    over_time = charts.lines({"Cumulative people more active": [
        (p["period"], p["cumulative"]) for p in progress["over_time"]]}, [p["period"] for p in progress["over_time"]])
    latest = {u.place_code: u for u, _ in outcomes.list_updates(session, page=PageParams(limit=500, cursor=None),
                                                                latest=True)[0]}
    total_bar, _ = charts.bars([("Total", progress["people_more_active"])], scale_to=progress["target"], width=560)
    return render(request, "pages/outcomes/places.html", {
        "title": "Places and progress", "nav": "places", "progress": progress, "bars": by_place,
        "bars_height": height, "over_time": over_time, "latest": latest, "plan_labels": PLAN_LABELS,
        "total_bar": total_bar[0]})


@router.get("/pilots")
def pilots_page(request: Request, session: SessionDep, _: OutcomesViewer):
    pilots, _ = outcomes.list_pilots(session, page=PageParams(limit=200, cursor=None))
    places = registry.place_names(session)
    return render(request, "pages/outcomes/pilots.html", {
        "title": "Pilots", "nav": "pilots", "pilots": pilots, "places": places,
        "by_status": outcomes.pilots_by_status(session)})


@router.get("/indicators")
def indicators_page(request: Request, session: SessionDep, _: IndicatorViewer):
    columns = [session.get(Area, SUBREGION), *registry.list_areas(session, kind="place")]
    rug = indicators.rug(session, areas=[a.gss_code for a in columns if a])
    listed = indicators.all_indicators(session)
    return render(request, "pages/outcomes/indicators.html", {
        "title": "Indicators", "nav": "indicators", "rug": rug, "columns": [a for a in columns if a],
        "outcome_labels": OUTCOME_LABELS, "indicators": listed})


@router.get("/indicators/{indicator_id}")
def indicator_page(request: Request, session: SessionDep, _: IndicatorViewer,
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
        "trends": trends, "outcome_labels": OUTCOME_LABELS, "trend_labels": TREND_LABELS})
