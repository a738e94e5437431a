"""Outcomes: each Place's periodic update towards the 150,000 more-active target."""

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.core.types import created_column, updated_column, version_column

PLAN_STATUSES = ("not_started", "in_development", "signed_off", "launched")

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
