"""Public shapes of indicators and their values (Fingertips field names where they exist)."""

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from api.core.schemas import PatchModel, ReadModel, RequestModel, Text200

Unit = Literal["percent", "count", "rate"]
Polarity = Literal["higher_is_better", "lower_is_better", "no_judgement"]
CiMethod = Literal["wilson", "byar", "given"]
IndicatorId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{1,40}$")]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


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


class IndicatorUpdate(PatchModel):
    not_nullable: ClassVar = frozenset({"name", "unit", "polarity", "multiplier", "ci_method"})
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
    outcome: Literal["better", "similar", "worse", "not_compared", "higher", "lower"]


class Benchmark(ReadModel):
    indicator_id: str
    polarity: Polarity
    period: str | None
    breakdown: str
    comparator: ComparatorRead
    items: list[BenchmarkItem]
