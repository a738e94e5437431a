"""Public shapes of Place updates and the strategy dashboard."""

import datetime as dt
from datetime import date, datetime
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import Field, StringConstraints, model_validator

from api.core.schemas import MULTI_LINE, SINGLE_LINE, Id, PatchModel, ReadModel, RequestModel
from api.indicators.schemas import IndicatorHeadline
from api.outcomes.models import Contribution, Pilot

PlanStatus = Literal["not_started", "in_development", "signed_off", "launched"]
# Read off the types, so a new value is added in one place.
PLAN_STATUSES: tuple[PlanStatus, ...] = get_args(PlanStatus)
# 2024-Q1, 2024-03 or 2023/24: periods that sort correctly as text.
Period = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2])|/\d{2})$")]


class PlaceUpdateCreate(RequestModel):
    period: Period
    plan_status: PlanStatus
    narrative: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000), MULTI_LINE] = ""
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
    indicator_headlines: list[IndicatorHeadline] = Field(
        description="Each indicator's latest value for Cheshire and Merseyside beside England's")


PilotStatus = Literal["testing", "learning", "scaling", "closed"]
PILOT_STATUSES: tuple[PilotStatus, ...] = get_args(PilotStatus)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SINGLE_LINE]
Gss = Annotated[str, StringConstraints(pattern=r"^[EWSN]\d{8}$")]
Short40 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), SINGLE_LINE]
Pathway = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), SINGLE_LINE]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000), MULTI_LINE]
StatusNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), MULTI_LINE]
Partners = Annotated[list[Id], Field(max_length=100)]


class Measure(RequestModel):
    name: Name
    value: float
    unit: Short40 = ""
    baseline: float | None = None
    period: Short40 = ""


Measures = Annotated[list[Measure], Field(max_length=50)]


class PilotCreate(RequestModel):
    name: Name
    summary: Summary = ""
    pathway: Pathway = ""
    status: PilotStatus = "testing"
    place_codes: Annotated[list[Gss], Field(max_length=20)] = []
    partner_ids: Partners = []
    measures: Measures = []


class PilotUpdate(PatchModel):
    """Only the fields sent change; a new `status` is recorded in the history with `status_note`.
    Every field is required on the pilot, so none may be sent as null: `[]` clears a list."""

    table: ClassVar = Pilot
    # Lists kept in other tables (or JSON): not columns of the pilot, but never null either.
    not_nullable: ClassVar = frozenset({"place_codes", "partner_ids", "measures"})
    name: Name | None = None
    summary: Summary | None = None
    pathway: Pathway | None = None
    status: PilotStatus | None = None
    status_note: StatusNote = ""
    place_codes: Annotated[list[Gss], Field(max_length=20)] | None = None
    partner_ids: Partners | None = None
    measures: Measures | None = None


class StatusChangeRead(ReadModel):
    status: PilotStatus
    changed_on: date
    note: str


class PilotRead(ReadModel):
    id: int
    name: str
    summary: str
    pathway: str
    status: PilotStatus
    place_codes: list[str]
    partner_ids: list[int]
    measures: list[dict]
    status_history: list[StatusChangeRead] = []


ContributionKind = Literal["event", "programme", "training", "campaign", "partnership", "advocacy", "research",
                           "other"]
CONTRIBUTION_KINDS: tuple[ContributionKind, ...] = get_args(ContributionKind)


class ContributionCreate(RequestModel):
    stakeholder_id: Id | None = Field(
        default=None, description="Admins may log for someone else; otherwise it is you")
    group_id: Id | None = None
    place_code: Gss | None = None
    kind: ContributionKind
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), MULTI_LINE]
    date: dt.date
    people_reached: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    hours: Annotated[float, Field(ge=0, le=10_000)] = 0


class ContributionUpdate(PatchModel):
    """Only the fields sent change; `null` clears the group or the Place."""

    table: ClassVar = Contribution
    not_nullable: ClassVar = frozenset({"date"})
    group_id: Id | None = None
    place_code: Gss | None = None
    kind: ContributionKind | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
                           MULTI_LINE] | None = None
    date: dt.date | None = None
    people_reached: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    hours: Annotated[float, Field(ge=0, le=10_000)] | None = None


class ContributionRead(ReadModel):
    id: int
    stakeholder_id: int
    group_id: int | None
    place_code: str | None
    kind: ContributionKind
    description: str
    date: dt.date
    people_reached: int
    hours: float


class ContributionSummary(ReadModel):
    logged: int
    people_reached: int
    hours: float
    by_kind: dict[str, int]
    actions_owned: int
    actions_closed: int
    agenda_items_led: int
    meetings_attended: int
