"""Public shapes of indicators and their values (Fingertips field names where they exist)."""

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from api.core.schemas import MULTI_LINE, SINGLE_LINE, PatchModel, ReadModel, RequestModel, Text200
from api.indicators.compare import Outcome
from api.indicators.models import Indicator
from api.indicators.trend import Judgement, Trend

Unit = Literal["percent", "count", "rate"]
Polarity = Literal["higher_is_better", "lower_is_better", "no_judgement"]
CiMethod = Literal["wilson", "byar", "given"]
IndicatorId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{1,40}$")]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), MULTI_LINE]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SINGLE_LINE]
PUBLISHED = ("Open data: the indicator and its values are readable by anyone, without credentials, at the "
             "Fingertips-compatible /fingertips/api/. Only admins change it.")


class IndicatorCreate(RequestModel):
    id: IndicatorId
    name: Text200
    definition: LongText = ""
    theme: Short = ""
    unit: Unit
    multiplier: Annotated[float, Field(gt=0, le=1_000_000)] = 100
    polarity: Polarity
    frequency: Short = "annual"
    geography: Short = ""
    breakdowns: Annotated[list[Short], Field(max_length=50)] = []
    source: Short = ""
    numerator_definition: LongText = ""
    denominator_definition: LongText = ""
    ci_method: CiMethod = "given"
    published: Annotated[bool, Field(description=PUBLISHED)] = False


class IndicatorUpdate(PatchModel):
    table: ClassVar = Indicator
    name: Text200 | None = None
    definition: LongText | None = None
    theme: Short | None = None
    unit: Unit | None = None
    multiplier: Annotated[float, Field(gt=0, le=1_000_000)] | None = None
    polarity: Polarity | None = None
    frequency: Short | None = None
    geography: Short | None = None
    breakdowns: Annotated[list[Short], Field(max_length=50)] | None = None
    source: Short | None = None
    numerator_definition: LongText | None = None
    denominator_definition: LongText | None = None
    ci_method: CiMethod | None = None
    published: bool | None = None


class IndicatorRead(ReadModel):
    id: str
    name: str
    definition: str
    theme: str
    unit: Unit
    multiplier: float
    polarity: Polarity
    frequency: str
    geography: str
    breakdowns: list[str]
    source: str
    numerator_definition: str
    denominator_definition: str
    ci_method: CiMethod
    published: Annotated[bool, Field(description=PUBLISHED)]
    last_updated: datetime | None


class ValueRead(ReadModel):
    indicator_id: str
    area_code: str
    area_name: str
    period: str
    breakdown: str
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    lower_ci_998: float | None
    upper_ci_998: float | None
    count: float | None
    denominator: float | None
    note: str
    updated_at: datetime


VALUE_COLUMNS = list(ValueRead.model_fields)


class ComparatorRead(ReadModel):
    area_code: str
    area_name: str
    value: float | None


class BenchmarkItem(ReadModel):
    area_code: str
    area_name: str
    period: str
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    outcome: Outcome


class Benchmark(ReadModel):
    indicator_id: str
    polarity: Polarity
    period: str | None
    breakdown: str
    comparator: ComparatorRead
    items: list[BenchmarkItem]


class TrendItem(ReadModel):
    area_code: str
    area_name: str
    trend: Trend
    judgement: Judgement
    method: Literal["chi_squared_for_trend", "weighted_least_squares"] | None
    statistic: float | None
    p_value: float | None
    periods: list[str]


class Trends(ReadModel):
    indicator_id: str
    polarity: Polarity
    breakdown: str
    items: list[TrendItem]


class IndicatorAvailability(ReadModel):
    indicator_id: str
    first_period: str
    latest_period: str
    periods: list[str]
    breakdowns: list[str]
    areas: int
    values: int


class AreaAvailability(ReadModel):
    area_code: str
    area_name: str
    breakdown: str
    first_period: str
    latest_period: str
    periods: int


class Availability(ReadModel):
    items: list[IndicatorAvailability]


class IndicatorAreaAvailability(ReadModel):
    indicator_id: str
    items: list[AreaAvailability]


# Descriptions of the CSV columns, for the CSVW metadata document.
COLUMN_NOTES = {
    "indicator_id": ("string", "The indicator's id (GET /api/v1/indicators/{id})."),
    "area_code": ("string", "The area's GSS code."),
    "area_name": ("string", "The area's name."),
    "period": ("string", "The time period, e.g. 2022/23."),
    "breakdown": ("string", "The population breakdown, e.g. Persons, Female, IMD decile 1."),
    "value": ("double", "The value, in the indicator's unit (per multiplier)."),
    "lower_ci": ("double", "Lower 95% confidence limit."),
    "upper_ci": ("double", "Upper 95% confidence limit."),
    "lower_ci_998": ("double", "Lower 99.8% confidence limit."),
    "upper_ci_998": ("double", "Upper 99.8% confidence limit."),
    "count": ("double", "The numerator (count of events or people)."),
    "denominator": ("double", "The denominator (population)."),
    "note": ("string", "A note on the value, e.g. that it is synthetic demo data."),
    "updated_at": ("dateTime", "When this value last changed (UTC)."),
}


class IndicatorHeadline(ReadModel):
    indicator_id: str
    name: str
    unit: Unit
    polarity: Polarity
    area_code: str
    period: str
    breakdown: str
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    comparator_code: str
    comparator_value: float | None
    outcome: Outcome
    note: str
