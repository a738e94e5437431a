"""Indicators: metadata, and values read with server-side filters, cursor pages or a stream."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api.audit import service as audit
from api.authz import Subject
from api.core.errors import Conflict, NotFound
from api.core.pagination import PageParams, paginate
from api.indicators.compare import outcome
from api.indicators.models import Indicator, IndicatorValue
from api.indicators.trend import Point, recent_trend
from api.registry.models import Area


def get_indicator(session: Session, indicator_id: str) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound(f"There is no indicator with id '{indicator_id}'. GET /api/v1/indicators lists them.")
    return indicator


def list_indicators(session: Session, *, page: PageParams, theme: str | None = None):
    stmt = select(Indicator)
    if theme:
        stmt = stmt.where(Indicator.theme == theme)
    return paginate(session, stmt, order=[Indicator.id], page=page)


def all_indicators(session: Session) -> list[Indicator]:
    """Every indicator by theme and name (a few dozen), for the pages that list them all."""
    return list(session.exec(select(Indicator).order_by(Indicator.theme, Indicator.name)))


def create_indicator(session: Session, *, actor: Subject, data: dict[str, Any]) -> Indicator:
    if session.get(Indicator, data["id"]) is not None:
        raise Conflict(f"An indicator with id '{data['id']}' already exists.")
    return audit.add_entity(session, Indicator(**data), actor=actor, entity_type="indicator")


def update_indicator(session: Session, *, actor: Subject, indicator: Indicator, changes: dict[str, Any]) -> Indicator:
    return audit.change_entity(session, indicator, changes, actor=actor, entity_type="indicator")


def _values_query(indicator_ids: Sequence[str] | None, areas: Sequence[str] | None, period: str | None,
                  breakdown: str | None, modified_since: datetime | None):
    stmt = select(IndicatorValue, Area.name).join(Area, Area.gss_code == IndicatorValue.area_code)
    if indicator_ids:
        stmt = stmt.where(IndicatorValue.indicator_id.in_(indicator_ids))
    if areas:
        stmt = stmt.where(IndicatorValue.area_code.in_(areas))
    if period:
        stmt = stmt.where(IndicatorValue.period == period)
    if breakdown:
        stmt = stmt.where(IndicatorValue.breakdown == breakdown)
    if modified_since is not None:
        stmt = stmt.where(IndicatorValue.updated_at > modified_since)
    return stmt


def list_values(session: Session, *, page: PageParams, indicator_ids: Sequence[str] | None = None,
                areas: Sequence[str] | None = None, period: str | None = None, breakdown: str | None = None,
                modified_since: datetime | None = None):
    """Rows of (IndicatorValue, area name), in a stable order for cursor pages."""
    stmt = _values_query(indicator_ids, areas, period, breakdown, modified_since)
    return paginate(session, stmt, order=[IndicatorValue.id], page=page)


def latest_period(session: Session, indicator_id: str, area_code: str, breakdown: str) -> str | None:
    """The newest period with a value for the comparator (periods sort as text: 2021/22 < 2022/23)."""
    return session.exec(select(func.max(IndicatorValue.period)).where(
        IndicatorValue.indicator_id == indicator_id, IndicatorValue.area_code == area_code,
        IndicatorValue.breakdown == breakdown, IndicatorValue.value.is_not(None))).one()


def benchmark(session: Session, *, indicator: Indicator, comparator: str, period: str | None,
              breakdown: str) -> dict[str, Any]:
    """Every area's value in one period against the comparator's, in two queries."""
    period = period or latest_period(session, indicator.id, comparator, breakdown)
    rows = session.exec(
        select(IndicatorValue, Area.name).join(Area, Area.gss_code == IndicatorValue.area_code)
        .where(IndicatorValue.indicator_id == indicator.id, IndicatorValue.period == period,
               IndicatorValue.breakdown == breakdown)
        .order_by(IndicatorValue.area_code)
    ).all() if period else []
    base = next((v for v, _ in rows if v.area_code == comparator), None)
    area = session.get(Area, comparator)
    return {
        "indicator_id": indicator.id, "polarity": indicator.polarity, "period": period, "breakdown": breakdown,
        "comparator": {"area_code": comparator, "area_name": area.name if area else "",
                       "value": base.value if base else None},
        "items": [{"area_code": v.area_code, "area_name": name, "period": v.period, "value": v.value,
                   "lower_ci": v.lower_ci, "upper_ci": v.upper_ci,
                   "outcome": outcome(indicator.polarity, base.value if base else None, v.lower_ci, v.upper_ci)}
                  for v, name in rows if v.area_code != comparator],
    }


def trends(session: Session, *, indicator: Indicator, areas: Sequence[str] | None, breakdown: str) -> list[dict]:
    """Each area's recent trend (api/indicators/trend.py) from one query over its values."""
    stmt = (select(IndicatorValue, Area.name).join(Area, Area.gss_code == IndicatorValue.area_code)
            .where(IndicatorValue.indicator_id == indicator.id, IndicatorValue.breakdown == breakdown)
            .order_by(IndicatorValue.area_code, IndicatorValue.period))
    if areas:
        stmt = stmt.where(IndicatorValue.area_code.in_(areas))
    series: dict[str, tuple[str, list[Point]]] = {}
    for value, name in session.exec(stmt):
        series.setdefault(value.area_code, (name, []))[1].append(Point(
            value.period, value.value, value.lower_ci, value.upper_ci, value.count, value.denominator))
    items = []
    for code, (name, points) in series.items():
        result = recent_trend(points, polarity=indicator.polarity, unit=indicator.unit)
        items.append({"area_code": code, "area_name": name, "trend": result.trend, "judgement": result.judgement,
                      "method": result.method, "statistic": result.statistic, "p_value": result.p_value,
                      "periods": list(result.periods)})
    return items


def availability(session: Session, *, indicator_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    """Per indicator: which periods, breakdowns and how many areas have values (three grouped queries)."""
    def grouped(key, *aggregates):
        stmt = select(IndicatorValue.indicator_id, *key, *aggregates)
        if indicator_ids:
            stmt = stmt.where(IndicatorValue.indicator_id.in_(indicator_ids))
        return session.exec(stmt.group_by(IndicatorValue.indicator_id, *key)).all()

    found: dict[str, dict[str, Any]] = {}
    for indicator_id, period, count in grouped([IndicatorValue.period], func.count(IndicatorValue.id)):
        entry = found.setdefault(indicator_id, {"indicator_id": indicator_id, "periods": [], "breakdowns": [],
                                                "areas": 0, "values": 0})
        entry["periods"].append(period)
        entry["values"] += count
    for indicator_id, breakdown in grouped([IndicatorValue.breakdown]):
        found[indicator_id]["breakdowns"].append(breakdown)
    for indicator_id, areas in grouped([], func.count(func.distinct(IndicatorValue.area_code))):
        found[indicator_id]["areas"] = areas
    for entry in found.values():
        entry["periods"].sort()
        entry["breakdowns"].sort()
        entry["first_period"], entry["latest_period"] = entry["periods"][0], entry["periods"][-1]
    return [found[key] for key in sorted(found)]


def area_availability(session: Session, *, indicator_id: str) -> list[dict[str, Any]]:
    """One indicator's coverage per area and breakdown: first and latest period, how many."""
    stmt = (select(IndicatorValue.area_code, Area.name, IndicatorValue.breakdown, func.min(IndicatorValue.period),
                   func.max(IndicatorValue.period), func.count(IndicatorValue.id))
            .join(Area, Area.gss_code == IndicatorValue.area_code)
            .where(IndicatorValue.indicator_id == indicator_id)
            .group_by(IndicatorValue.area_code, Area.name, IndicatorValue.breakdown)
            .order_by(IndicatorValue.area_code, IndicatorValue.breakdown))
    return [{"area_code": code, "area_name": name, "breakdown": breakdown, "first_period": first,
             "latest_period": latest, "periods": count}
            for code, name, breakdown, first, latest, count in session.exec(stmt)]


SUBREGION, ENGLAND = "E54000008", "E92000001"


def headlines(session: Session, *, area: str = SUBREGION, comparator: str = ENGLAND) -> list[dict[str, Any]]:
    """Each indicator's latest value for the area (every breakdown), beside the comparator's in
    the same period, judged as the benchmark is; two queries."""
    newest = (select(IndicatorValue.indicator_id, func.max(IndicatorValue.period).label("period"))
              .where(IndicatorValue.area_code == area, IndicatorValue.value.is_not(None))
              .group_by(IndicatorValue.indicator_id).subquery())
    rows = session.exec(
        select(IndicatorValue, Indicator)
        .join(newest, (newest.c.indicator_id == IndicatorValue.indicator_id)
              & (newest.c.period == IndicatorValue.period))
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(IndicatorValue.area_code == area)
        .order_by(IndicatorValue.indicator_id, IndicatorValue.breakdown)).all()
    bases = {(v.indicator_id, v.period, v.breakdown): v.value for v in session.exec(
        select(IndicatorValue).where(IndicatorValue.area_code == comparator,
                                     IndicatorValue.indicator_id.in_({v.indicator_id for v, _ in rows} or {""}),
                                     IndicatorValue.period.in_({v.period for v, _ in rows} or {""})))}
    items = []
    for value, indicator in rows:
        base = bases.get((value.indicator_id, value.period, value.breakdown))
        items.append({"indicator_id": indicator.id, "name": indicator.name, "unit": indicator.unit,
                      "polarity": indicator.polarity, "area_code": area, "period": value.period,
                      "breakdown": value.breakdown, "value": value.value, "lower_ci": value.lower_ci,
                      "upper_ci": value.upper_ci, "comparator_code": comparator, "comparator_value": base,
                      "outcome": outcome(indicator.polarity, base, value.lower_ci, value.upper_ci),
                      "note": value.note})
    return items


def rug(session: Session, *, areas: Sequence[str], comparator: str = ENGLAND,
        breakdown: str = "Persons") -> list[dict[str, Any]]:
    """The tartan rug: every indicator with a comparator value, in the comparator's latest
    period, each area's value judged against it; one query whatever the size."""
    newest = (select(IndicatorValue.indicator_id, func.max(IndicatorValue.period).label("period"))
              .where(IndicatorValue.area_code == comparator, IndicatorValue.breakdown == breakdown,
                     IndicatorValue.value.is_not(None))
              .group_by(IndicatorValue.indicator_id).subquery())
    found: dict[str, dict[str, Any]] = {}
    for value, indicator in session.exec(
            select(IndicatorValue, Indicator)
            .join(newest, (newest.c.indicator_id == IndicatorValue.indicator_id)
                  & (newest.c.period == IndicatorValue.period))
            .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
            .where(IndicatorValue.breakdown == breakdown, IndicatorValue.area_code.in_([comparator, *areas]))
            .order_by(Indicator.theme, Indicator.name)):
        row = found.setdefault(indicator.id, {"indicator": indicator, "period": value.period, "comparator": None,
                                              "cells": {}})
        if value.area_code == comparator:
            row["comparator"] = value
        else:
            row["cells"][value.area_code] = value
    for row in found.values():
        base = row["comparator"].value if row["comparator"] else None
        row["cells"] = {code: {"value": v.value, "lower_ci": v.lower_ci, "upper_ci": v.upper_ci,
                               "outcome": outcome(row["indicator"].polarity, base, v.lower_ci, v.upper_ci)}
                        for code, v in row["cells"].items()}
    return list(found.values())
