"""Public shapes of the registry resources."""

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import StringConstraints, model_validator

from api.core.schemas import (
    MULTI_LINE,
    SINGLE_LINE,
    Email,
    GssCode,
    Id,
    OptionalText200,
    PatchModel,
    ReadModel,
    RequestModel,
    Text200,
)
from api.registry.models import Group, Membership, Organisation, Stakeholder

AreaKind = Literal["place", "active_partnership", "subregion", "country"]
Sector = Literal[
    "public", "health_care", "education", "sport", "leisure", "vcfse", "private", "community", "academic"
]
SystemLeaderLevel = Literal["subregional_champion", "local_champion", "ambassador"]
GroupKind = Literal["board", "thematic", "working", "place", "partnership"]
Role = Literal["chair", "vice_chair", "secretary", "member", "observer"]
# The tuples for lists and checks are read off the types, so a new value is added in one place.
AREA_KINDS: tuple[AreaKind, ...] = get_args(AreaKind)
SECTORS: tuple[Sector, ...] = get_args(Sector)
SYSTEM_LEADER_LEVELS: tuple[SystemLeaderLevel, ...] = get_args(SystemLeaderLevel)
GROUP_KINDS: tuple[GroupKind, ...] = get_args(GroupKind)
ROLES: tuple[Role, ...] = get_args(Role)

Initials = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z][A-Za-z.\-']{0,9}$")]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
GroupCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z][A-Z0-9]{1,11}$")]
Remit = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), MULTI_LINE]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300, pattern=r"^https?://[^\s]+$"),
                SINGLE_LINE]


class AreaRead(ReadModel):
    gss_code: str
    name: str
    kind: AreaKind
    parent_code: str | None


# Organisations ------------------------------------------------------------------------------

class OrganisationCreate(RequestModel):
    name: Text200
    sector: Sector
    website: Url | None = None
    place_code: GssCode | None = None


class OrganisationUpdate(PatchModel):
    table: ClassVar = Organisation
    name: Text200 | None = None
    sector: Sector | None = None
    website: Url | None = None
    place_code: GssCode | None = None


class OrganisationRead(ReadModel):
    id: int
    name: str
    sector: Sector
    website: str | None
    place_code: str | None
    created_at: datetime
    updated_at: datetime


# Stakeholders -------------------------------------------------------------------------------

class StakeholderCreate(RequestModel):
    name: Text200
    initials: Initials | None = None
    email: Email | None = None
    job_title: OptionalText200 = None
    organisation_id: Id | None = None
    place_code: GssCode | None = None
    system_leader_level: SystemLeaderLevel | None = None


class StakeholderUpdate(PatchModel):
    table: ClassVar = Stakeholder
    name: Text200 | None = None
    initials: Initials | None = None
    email: Email | None = None
    job_title: OptionalText200 = None
    organisation_id: Id | None = None
    place_code: GssCode | None = None
    system_leader_level: SystemLeaderLevel | None = None


class StakeholderRead(ReadModel):
    id: int
    name: str
    initials: str
    email: str | None
    job_title: str | None
    organisation_id: int | None
    place_code: str | None
    system_leader_level: SystemLeaderLevel | None
    created_at: datetime
    updated_at: datetime


# Groups -------------------------------------------------------------------------------------

class GroupCreate(RequestModel):
    name: Text200
    slug: Slug | None = None
    kind: GroupKind
    code: GroupCode | None = None
    remit: Remit = ""
    parent_id: Id | None = None
    place_code: GssCode | None = None


class GroupUpdate(PatchModel):
    table: ClassVar = Group
    name: Text200 | None = None
    slug: Slug | None = None
    kind: GroupKind | None = None
    code: GroupCode | None = None
    remit: Remit | None = None
    parent_id: Id | None = None
    place_code: GssCode | None = None


class GroupRead(ReadModel):
    id: int
    slug: str
    name: str
    kind: GroupKind
    code: str | None
    remit: str
    parent_id: int | None
    place_code: str | None
    member_count: int = 0
    created_at: datetime
    updated_at: datetime


# Memberships --------------------------------------------------------------------------------

def _end_not_before_start(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError("end_date cannot be before start_date")


class MembershipCreate(RequestModel):
    stakeholder_id: Id
    role: Role = "member"
    start_date: date | None = None
    end_date: date | None = None
    on_behalf_of_id: Id | None = None

    @model_validator(mode="after")
    def _dates(self) -> "MembershipCreate":
        _end_not_before_start(self.start_date, self.end_date)
        return self


class MembershipUpdate(PatchModel):
    table: ClassVar = Membership
    role: Role | None = None
    start_date: date | None = None
    end_date: date | None = None
    on_behalf_of_id: Id | None = None

    @model_validator(mode="after")
    def _dates(self) -> "MembershipUpdate":
        _end_not_before_start(self.start_date, self.end_date)
        return self


class MembershipRead(ReadModel):
    id: int
    stakeholder_id: int
    stakeholder_name: str
    group_id: int
    role: Role
    start_date: date
    end_date: date | None
    on_behalf_of_id: int | None
    is_current: bool
    created_at: datetime
    updated_at: datetime
