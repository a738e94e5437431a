"""Indicator metadata (Fingertips-style) and values by area, period and breakdown."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from api.core.types import UTCDateTime, created_column, updated_column, version_column

_indicator_version = version_column()


class Indicator(SQLModel, table=True):
    __tablename__ = "indicator"
    __mapper_args__ = {"version_id_col": _indicator_version}

    # The source's own id (e.g. a Fingertips indicator id or a Beacon number), as text.
    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=300)
    definition: str = Field(default="", sa_type=Text)
    theme: str = Field(default="", max_length=120)
    unit: str = Field(max_length=20)
    # Values are shown per this many (100 for a percentage, 100,000 for a rate...).
    multiplier: float = Field(default=100)
    polarity: str = Field(max_length=30)
    frequency: str = Field(default="annual", max_length=40)
    geography: str = Field(default="", max_length=200)
    breakdowns: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="", max_length=300)
    numerator_definition: str = Field(default="", sa_type=Text)
    denominator_definition: str = Field(default="", sa_type=Text)
    ci_method: str = Field(default="given", max_length=20)
    last_updated: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Open data: readable without credentials at the Fingertips-compatible door (/fingertips/api).
    published: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    version: int = Field(default=1, sa_column=_indicator_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


class IndicatorValue(SQLModel, table=True):
    __tablename__ = "indicator_value"
    __table_args__ = (
        UniqueConstraint("indicator_id", "area_code", "period", "breakdown"),
        # One indicator, all areas, one period (the tartan rug and the benchmark).
        Index("ix_indicator_value_indicator_period_area", "indicator_id", "period", "area_code"),
        # An indicator's newest change (its data's ETag): one seek, not a scan of its values.
        Index("ix_indicator_value_indicator_updated_at", "indicator_id", "updated_at"),
        # Incremental sync: what changed since.
        Index("ix_indicator_value_updated_at_id", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: str = Field(foreign_key="indicator.id", max_length=40)
    area_code: str = Field(foreign_key="area.gss_code", max_length=9)
    period: str = Field(max_length=20)
    breakdown: str = Field(default="Persons", max_length=80)
    value: float | None = Field(default=None)
    lower_ci: float | None = Field(default=None)
    upper_ci: float | None = Field(default=None)
    lower_ci_998: float | None = Field(default=None)
    upper_ci_998: float | None = Field(default=None)
    count: float | None = Field(default=None)
    denominator: float | None = Field(default=None)
    note: str = Field(default="", max_length=300)
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())
