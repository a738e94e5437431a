"""The Fingertips-compatible door's rules: which indicators it serves, and Fingertips' shapes.

Only published indicators with a numeric id are served (Fingertips' indicator ids are integers):
anything else is answered exactly as an unknown id is. Areas are typed as Fingertips types them
(`AREA_TYPES`); breakdowns become Fingertips' Sex, Age and Category Type/Category; the data CSV
has Fingertips' own columns, in its order, with the recent trend and the comparisons with England
and the subnational parent computed by the service's own methods (api/indicators/trend.py and
compare.py) while the rows stream: one query, tuples, flat memory.

Sources for the shapes: Fingertips' published API (fingertips.phe.org.uk/api) and its exporter's
header (PholioVisualisation's CsvBuilderIndicatorDataHeaderWriter), and what fingertips_py and
fingertipsR read from them.
"""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, case, select
from sqlmodel import Session
from sqlmodel import select as select_models

from api.core.errors import InvalidInput, NotFound
from api.core.spreadsheet import CsvChunks
from api.indicators.compare import outcome
from api.indicators.models import Indicator, IndicatorValue
from api.indicators.service import ENGLAND, SUBREGION
from api.indicators.trend import Point, recent_trend
from api.registry.models import Area

MAX_INDICATORS = 100
DEFAULT_PARENT = 15


@dataclass(frozen=True)
class AreaType:
    id: int
    name: str
    short_name: str
    kind: str  # our Area.kind
    parents: tuple[int, ...]  # the parent area types a data request may name


# Fingertips' own numbers and names. The nine Places are unitary authorities and metropolitan
# districts, so they are both upper- and lower-tier authorities in each of Fingertips' vintages
# (4/21-3/23 and from 4/23); the subregion is the NHS Cheshire and Merseyside ICB.
AREA_TYPES: dict[int, AreaType] = {t.id: t for t in (
    AreaType(15, "England", "England", "country", (15,)),
    AreaType(221, "Integrated Care Boards", "ICBs", "subregion", (15,)),
    AreaType(401, "Lower tier local authorities (4/21-3/23)", "Districts & UAs (2021/22-2022/23)", "place",
             (15, 221)),
    AreaType(402, "Upper tier local authorities (4/21-3/23)", "Counties & UAs (2021/22-2022/23)", "place",
             (15, 221)),
    AreaType(501, "Lower tier local authorities (post 4/23)", "Districts & UAs (from Apr 2023)", "place", (15, 221)),
    AreaType(502, "Upper tier local authorities (post 4/23)", "Counties & UAs (from Apr 2023)", "place", (15, 221)),
)}
TYPES_OF_KIND: dict[str, list[int]] = {}
for _type in AREA_TYPES.values():
    TYPES_OF_KIND.setdefault(_type.kind, []).append(_type.id)

SEXES = [{"Id": 4, "Name": "Persons"}, {"Id": 1, "Name": "Male"}, {"Id": 2, "Name": "Female"}]
SEX_IDS = {sex["Name"]: sex["Id"] for sex in SEXES}
ALL_AGES = {"Id": 1, "Name": "All ages"}
# An age band as breakdowns name them: "16+", "16-64", "65+ yrs", "Aged 16 to 24", "75 and over".
_AGE = re.compile(r"^(aged? )?\d{1,3}( ?(\+|-|\u2013|to) ?(\d{1,3})?)?( and over)?( ?(yrs|years))?$", re.IGNORECASE)
FALLBACK_CATEGORY_TYPE = "Breakdown"

DATA_COLUMNS = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type", "Sex",
    "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit",
    "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles", "Time period Sortable", "New data",
    "Compared to goal",
]
METADATA_COLUMNS = [
    "Indicator ID", "Indicator", "Definition", "Rationale", "Data source", "Indicator production",
    "Indicator source", "Methodology", "Standard population/values", "Confidence interval details",
    "Source of numerator", "Definition of numerator", "Source of denominator", "Definition of denominator",
    "Disclosure control", "Caveats", "Copyright", "Data re-use", "Links", "Indicator number", "Notes", "Frequency",
    "Rounding", "Data quality", "Indicator Content", "Specific rationale", "Impact of COVID-19", "Unit",
    "Value type", "Year type", "Polarity", "Date updated",
]
_OUTCOMES = {"better": "Better", "similar": "Similar", "worse": "Worse", "higher": "Higher", "lower": "Lower",
             "not_compared": "Not compared"}
_TRENDS = {"no_significant_change": "No significant change", "cannot_be_calculated": "Cannot be calculated"}
_POLARITIES = {"higher_is_better": "RAG - High is good", "lower_is_better": "RAG - Low is good",
               "no_judgement": "No judgement"}
_VALUE_TYPES = {"percent": "Proportion", "count": "Count", "rate": "Crude rate"}
_CI_METHODS = {"wilson": "Wilson Score method", "byar": "Byar's method", "given": "As supplied by the source"}
UNKNOWN = ("No published indicator has the id {ids}. Only published indicators with a numeric id are served here "
           "(GET /fingertips/api/available_data lists them).")


# -- parameters ----------------------------------------------------------------------------------

def indicator_ids(raw: str) -> list[str]:
    """Fingertips' comma list of integer ids (at most 100), normalised and without repeats."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts:
        raise InvalidInput("indicator_ids is required: a comma-separated list of indicator ids.",
                           errors=[{"loc": ["query", "indicator_ids"], "msg": "no indicator id given"}])
    if not all(part.isascii() and part.isdigit() and len(part) <= 12 for part in parts):
        raise InvalidInput("Fingertips indicator ids are whole numbers.",
                           errors=[{"loc": ["query", "indicator_ids"], "msg": "not a list of whole numbers"}])
    ids = list(dict.fromkeys(str(int(part)) for part in parts))
    if len(ids) > MAX_INDICATORS:
        raise InvalidInput(f"At most {MAX_INDICATORS} indicator ids a request.",
                           errors=[{"loc": ["query", "indicator_ids"], "msg": f"more than {MAX_INDICATORS} ids"}])
    return ids


def area_type(area_type_id: int) -> AreaType:
    found = AREA_TYPES.get(area_type_id)
    if found is None:
        known = ", ".join(str(i) for i in AREA_TYPES)
        raise NotFound(f"There is no area type {area_type_id} here; the area types are {known}.")
    return found


def _parent_type(child: AreaType, parent_area_type_id: int) -> AreaType:
    parent = area_type(parent_area_type_id)
    if parent.id not in child.parents:
        allowed = ", ".join(str(i) for i in child.parents)
        raise InvalidInput(f"Area type {parent.id} is not a parent of area type {child.id}; use {allowed}.",
                           errors=[{"loc": ["query", "parent_area_type_id"], "msg": f"one of {allowed}"}])
    return parent


def published(session: Session, ids: Sequence[str]) -> dict[str, Indicator]:
    """The indicators named, all published; 404 (the same for unknown and unpublished) otherwise."""
    found = {i.id: i for i in session.exec(
        select_models(Indicator).where(Indicator.id.in_(ids), Indicator.published.is_(True)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(UNKNOWN.format(ids=", ".join(missing)))
    return found


# -- breakdowns ----------------------------------------------------------------------------------

def sex_age_category(breakdown: str) -> tuple[str, str, str, str]:
    """(Sex, Age, Category Type, Category) for one of our breakdowns: Persons, Male and Female are
    sexes; an age band is an age; anything else is a category (of type "Type: Category" when
    named so, else of the type "Breakdown"), for persons of all ages."""
    if breakdown in SEX_IDS:
        return breakdown, ALL_AGES["Name"], "", ""
    if _AGE.match(breakdown.strip()):
        return "Persons", breakdown, "", ""
    kind, separator, category = breakdown.partition(": ")
    if separator and kind and category:
        return "Persons", ALL_AGES["Name"], kind, category
    return "Persons", ALL_AGES["Name"], FALLBACK_CATEGORY_TYPE, breakdown


def sortable_period(period: str) -> int:
    """Fingertips' "Time period Sortable": year * 10000 + quarter * 100 (2021/22 -> 20210000)."""
    year = re.search(r"\d{4}", period)
    if year is None:
        return 0
    quarter = re.search(r"\bQ([1-4])\b", period)
    return int(year.group()) * 10000 + (int(quarter.group(1)) * 100 if quarter else 0)


# -- lists ---------------------------------------------------------------------------------------

def area_types() -> list[dict[str, Any]]:
    return [{"Id": t.id, "Name": t.name, "ShortName": t.short_name, "Short": t.short_name, "Class": None,
             "IsSearchable": True, "CanBeDisplayedOnMap": t.kind != "country"} for t in AREA_TYPES.values()]


def areas_of_type(engine: Engine, area_type_id: int) -> list[dict[str, Any]]:
    kind = area_type(area_type_id)
    with Session(engine) as session:
        rows = session.connection().execute(
            select(Area.gss_code, Area.name).where(Area.kind == kind.kind).order_by(Area.name)).all()
    return [{"Code": code, "Name": name, "Short": name, "AreaTypeId": kind.id} for code, name in rows]


def ages(engine: Engine) -> list[dict[str, Any]]:
    """"All ages" (Fingertips' id 1) and the age bands published indicators' values use, numbered
    from 1000 in name order (Fingertips' own numbers for them are not known here)."""
    return [ALL_AGES] + [{"Id": 1000 + n, "Name": name} for n, name in enumerate(_published_age_bands(engine))]


def _published_age_bands(engine: Engine) -> list[str]:
    with Session(engine) as session:
        breakdowns = session.connection().execute(
            select(IndicatorValue.breakdown).distinct().join(Indicator, Indicator.id == IndicatorValue.indicator_id)
            .where(Indicator.published.is_(True))).scalars().all()
    return sorted(b for b in breakdowns if _AGE.match(b.strip()))


def available_data(engine: Engine, *, area_type_id: int | None = None,
                   indicator_id: int | None = None) -> list[dict[str, Any]]:
    """Which published numeric indicators have values for which area types (one grouped query):
    `[{IndicatorId, AreaTypeId}]`, the two fields Fingertips gives and its clients read."""
    stmt = (select(IndicatorValue.indicator_id, Area.kind)
            .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
            .join(Area, Area.gss_code == IndicatorValue.area_code)
            .where(Indicator.published.is_(True))
            .group_by(IndicatorValue.indicator_id, Area.kind))
    if indicator_id is not None:
        stmt = stmt.where(IndicatorValue.indicator_id == str(indicator_id))
    with Session(engine) as session:
        rows = session.connection().execute(stmt).all()
    found = set()
    for found_id, kind in rows:
        if not (found_id.isascii() and found_id.isdigit()):
            continue  # Fingertips' ids are integers: a non-numeric id cannot be asked for here
        for type_id in TYPES_OF_KIND.get(kind, []):
            if area_type_id is None or type_id == area_type_id:
                found.add((int(found_id), type_id))
    return [{"IndicatorId": i, "AreaTypeId": t} for i, t in sorted(found)]


def parent_area_types() -> list[dict[str, Any]]:
    """Each area type with the parent types a data request may name (the first is the default)."""
    def brief(t: AreaType) -> dict[str, Any]:
        return {"Id": t.id, "Name": t.name, "ShortName": t.short_name}

    return [{**brief(t), "ParentAreaTypes": [brief(AREA_TYPES[p]) for p in t.parents]} for t in AREA_TYPES.values()]


# -- metadata ------------------------------------------------------------------------------------

def _unit(indicator: Indicator) -> dict[str, Any]:
    label = "%" if indicator.unit == "percent" else ("per 100,000" if indicator.unit == "rate" else "")
    return {"Id": None, "Value": indicator.multiplier, "Label": label}


def metadata(session: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Fingertips' indicator metadata JSON, keyed by the id as text (what fingertips_py reads)."""
    indicators = published(session, ids)
    result = {}
    for indicator_id in ids:
        i = indicators[indicator_id]
        result[indicator_id] = {
            "IndicatorId": int(i.id),
            "Descriptive": {"Name": i.name, "NameLong": i.name, "Definition": i.definition, "DataSource": i.source,
                            "Frequency": i.frequency, "Rationale": "", "IndicatorContent": i.theme,
                            "DefinitionOfNumerator": i.numerator_definition,
                            "DefinitionOfDenominator": i.denominator_definition},
            "Unit": _unit(i),
            "ValueType": {"Id": None, "Name": _VALUE_TYPES.get(i.unit, i.unit)},
            "ConfidenceIntervalMethod": {"Id": None, "Name": _CI_METHODS.get(i.ci_method, i.ci_method)},
            "Polarity": _POLARITIES.get(i.polarity, i.polarity),
            "YearType": {"Id": None, "Name": i.frequency},
            "DataChange": {"LastUploadedAt": i.last_updated.isoformat() if i.last_updated else None},
        }
    return result


def metadata_csv(session: Session, ids: Sequence[str]) -> str:
    indicators = published(session, ids)
    out = CsvChunks()
    out.row(METADATA_COLUMNS)
    for indicator_id in ids:
        i = indicators[indicator_id]
        values = {"Indicator ID": int(i.id), "Indicator": i.name, "Definition": i.definition, "Data source": i.source,
                  "Confidence interval details": _CI_METHODS.get(i.ci_method, i.ci_method),
                  "Definition of numerator": i.numerator_definition,
                  "Definition of denominator": i.denominator_definition, "Frequency": i.frequency,
                  "Indicator Content": i.theme, "Unit": _unit(i)["Label"],
                  "Value type": _VALUE_TYPES.get(i.unit, i.unit), "Year type": i.frequency,
                  "Polarity": _POLARITIES.get(i.polarity, i.polarity),
                  "Date updated": i.last_updated.date().isoformat() if i.last_updated else ""}
        out.row(values.get(column, "") for column in METADATA_COLUMNS)
    return out.take()


# -- data ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DataRequest:
    indicators: dict[str, Indicator]
    ids: list[str]
    child: AreaType
    parent: AreaType

    @property
    def header(self) -> list[str]:
        """Fingertips' columns; the subnational comparison is named after the parent area type
        ("Compared to percentiles" under England)."""
        columns = list(DATA_COLUMNS)
        if self.parent.id != 15:
            columns[22] = f"Compared to {self.parent.short_name} value or percentiles"
        return columns


def data_request(session: Session, *, ids: list[str], child_area_type_id: int,
                 parent_area_type_id: int) -> DataRequest:
    """Checks everything before a byte is streamed: 404 for an unknown area type or indicator."""
    child = area_type(child_area_type_id)
    parent = _parent_type(child, parent_area_type_id)
    return DataRequest(indicators=published(session, ids), ids=ids, child=child, parent=parent)


_COLUMNS = (IndicatorValue.indicator_id, IndicatorValue.area_code, Area.name, Area.kind, IndicatorValue.breakdown,
            IndicatorValue.period, IndicatorValue.value, IndicatorValue.lower_ci, IndicatorValue.upper_ci,
            IndicatorValue.lower_ci_998, IndicatorValue.upper_ci_998, IndicatorValue.count,
            IndicatorValue.denominator, IndicatorValue.note)


def _rows_query(request: DataRequest):
    """England first, then the parent type's areas, then the child type's, as Fingertips lists
    them; each series (indicator, area, breakdown) together, in period order."""
    kinds = list(dict.fromkeys(["country", request.parent.kind, request.child.kind]))
    rank = case({"country": 0, "subregion": 1}, value=Area.kind, else_=2)
    return (select(*_COLUMNS).join(Area, Area.gss_code == IndicatorValue.area_code)
            .where(IndicatorValue.indicator_id.in_(request.ids), Area.kind.in_(kinds))
            .order_by(IndicatorValue.indicator_id, rank, Area.name, IndicatorValue.area_code,
                      IndicatorValue.breakdown, IndicatorValue.period))


def _trend_text(points: list[Point], indicator: Indicator) -> str:
    result = recent_trend(points, polarity=indicator.polarity, unit=indicator.unit)
    if result.trend in _TRENDS:
        return _TRENDS[result.trend]
    direction = result.trend.capitalize()
    return f"{direction} & {result.judgement.replace('_', ' ')}" if result.judgement else direction


def _series(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    """Consecutive rows of one indicator, area and breakdown."""
    current: list[tuple] = []
    for row in rows:
        if current and (row[0], row[1], row[4]) != (current[0][0], current[0][1], current[0][4]):
            yield current
            current = []
        current.append(row)
    if current:
        yield current


def data_rows(request: DataRequest, rows: Iterable[tuple]) -> Iterator[list[Any]]:
    """Fingertips' CSV rows from our value tuples (ordered by `_rows_query`)."""
    england: dict[tuple[str, str, str], float | None] = {}
    parent_values: dict[tuple[str, str, str], float | None] = {}
    names = {"country": AREA_TYPES[15].short_name, "subregion": AREA_TYPES[221].short_name,
             request.child.kind: request.child.short_name}
    if request.parent.kind != request.child.kind:
        names[request.parent.kind] = request.parent.short_name
    for series in _series(rows):
        indicator_id, code, name, kind, breakdown = series[0][:5]
        indicator = request.indicators[indicator_id]
        sex, age, category_type, category = sex_age_category(breakdown)
        if kind == "country":
            parent_code = parent_name = ""
        elif kind == request.parent.kind:
            parent_code, parent_name = ENGLAND, "England"
        else:
            parent_code, parent_name = ((ENGLAND, "England") if request.parent.id == 15
                                        else (SUBREGION, "NHS Cheshire and Merseyside"))
        trend = _trend_text([Point(r[5], r[6], r[7], r[8], r[11], r[12]) for r in series], indicator)
        for n, (_, _, _, _, _, period, value, lower, upper, lower998, upper998, count, denominator, note) \
                in enumerate(series):
            key = (indicator_id, breakdown, period)
            if kind == "country":
                england[key] = value
            elif kind == request.parent.kind and request.parent.id != 15:
                parent_values[key] = value
            compared = _OUTCOMES[outcome(indicator.polarity, england.get(key), lower, upper)] \
                if kind != "country" else ""
            compared_parent = _OUTCOMES[outcome(indicator.polarity, parent_values.get(key), lower, upper)] \
                if request.parent.id != 15 and kind == request.child.kind and kind != request.parent.kind else ""
            yield [int(indicator_id), indicator.name, parent_code, parent_name, code, name, names[kind], sex, age,
                   category_type, category, period, value, lower, upper, lower998, upper998, count, denominator,
                   note, trend if n == len(series) - 1 else "", compared, compared_parent, sortable_period(period),
                   "", ""]


def stream_data_csv(engine: Engine, request: DataRequest, *, batch: int = 2000) -> Iterator[str]:
    """The CSV, streamed from one query read in batches on a connection of its own (the response
    is sent after the request's session has closed)."""
    out = CsvChunks()
    out.row(request.header)
    yield out.take()
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=batch).execute(_rows_query(request))
        pending = 0
        for row in data_rows(request, result):
            out.row(row)
            pending += 1
            if pending >= batch:
                yield out.take()
                pending = 0
    yield out.take()

