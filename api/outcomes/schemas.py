"""Public shapes of Place updates and the strategy dashboard."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from api.core.schemas import ReadModel, RequestModel

PlanStatus = Literal["not_started", "in_development", "signed_off", "launched"]
# 2024-Q1, 2024-03 or 2023/24: periods that sort correctly as text.
Period = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2])|/\d{2})$")]


class PlaceUpdateCreate(RequestModel):
    period: Period
    plan_status: PlanStatus
    narrative: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)] = ""
    people_reached: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    people_more_active: Annotated[int, Field(ge=0, le=10_000_000)] = 0

    @model_validator(mode="after")
    def _more_active_were_reached(self) -> "PlaceUpdateCreate":
        if self.people_more_active > self.people_reached:
            raise ValueError("people_more_active cannot exceed people_reached")
        return self


class PlaceUpdateRead(ReadModel):
    id: int
    place_code: str
    place_name: str
    period: str
    plan_status: PlanStatus
    narrative: str
    people_reached: int
    people_more_active: int
    created_at: datetime
    updated_at: datetime


class PlaceProgress(ReadModel):
    place_code: str
    place_name: str
    people_more_active: int
    people_reached: int
    latest_period: str | None
    plan_status: PlanStatus | None


class PeriodProgress(ReadModel):
    period: str
    people_more_active: int
    cumulative: int


class StrategyDashboard(ReadModel):
    target: int
    people_more_active: int
    share_of_target: float
    derivation: str
    by_place: list[PlaceProgress]
    over_time: list[PeriodProgress]
    counts: dict[str, int]
    pilots_by_status: dict[str, int]
