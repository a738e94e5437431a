"""Outcomes: each Place's periodic update towards the 150,000 more-active target, and pilots."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.types import created_column, updated_column, version_column

_update_version = version_column()


class PlaceUpdate(SQLModel, table=True):
    """A Place's report for one period (e.g. `2024-Q1`): its plan's status and the people reached
    and made more active in that period (not cumulative)."""

    __tablename__ = "place_update"
    __mapper_args__ = {"version_id_col": _update_version}
    __table_args__ = (UniqueConstraint("place_code", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    place_code: str = Field(foreign_key="area.gss_code", max_length=9, index=True)
    period: str = Field(max_length=20)
    plan_status: str = Field(max_length=20)
    narrative: str = Field(default="", sa_type=Text)
    people_reached: int = Field(default=0)
    people_more_active: int = Field(default=0)
    version: int = Field(default=1, sa_column=_update_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


_pilot_version = version_column()


class Pilot(SQLModel, table=True):
    """A test-learn-scale pilot; `measures` are its reported outcome figures."""

    __tablename__ = "pilot"
    __mapper_args__ = {"version_id_col": _pilot_version}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    summary: str = Field(default="", sa_type=Text)
    pathway: str = Field(default="", max_length=100, index=True)
    status: str = Field(max_length=20, index=True)
    place_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    partner_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    measures: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1, sa_column=_pilot_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


class PilotStatusChange(SQLModel, table=True):
    __tablename__ = "pilot_status_change"

    id: int | None = Field(default=None, primary_key=True)
    pilot_id: int = Field(foreign_key="pilot.id", index=True)
    status: str = Field(max_length=20)
    changed_on: date
    note: str = Field(default="", max_length=500)


class Contribution(SQLModel, table=True):
    """What a stakeholder did towards the strategy, logged by themselves."""

    __tablename__ = "contribution"

    id: int | None = Field(default=None, primary_key=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="governance_group.id")
    place_code: str | None = Field(default=None, foreign_key="area.gss_code", max_length=9)
    kind: str = Field(max_length=20)
    description: str = Field(sa_type=Text)
    contributed_on: date = Field(index=True)
    people_reached: int = Field(default=0)
    hours: float = Field(default=0)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
