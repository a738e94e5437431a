"""Registry tables: areas, organisations, stakeholders, groups, memberships."""

from datetime import date, datetime

from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

from api.core.types import created_column, updated_column, version_column


class Area(SQLModel, table=True):
    """Reference geography (seeded by migration): Places, Active Partnership areas, ..."""

    __tablename__ = "area"

    gss_code: str = Field(primary_key=True, max_length=9)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=30, index=True)
    parent_code: str | None = Field(default=None, foreign_key="area.gss_code", max_length=9)


_org_version = version_column()


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    __mapper_args__ = {"version_id_col": _org_version}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    sector: str = Field(max_length=30, index=True)
    website: str | None = Field(default=None, max_length=300)
    place_code: str | None = Field(default=None, foreign_key="area.gss_code", max_length=9)
    version: int = Field(default=1, sa_column=_org_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


_person_version = version_column()


class Stakeholder(SQLModel, table=True):
    """A person (Popolo `Person`) taking part in the partnership's governance."""

    __tablename__ = "stakeholder"
    __mapper_args__ = {"version_id_col": _person_version}
    __table_args__ = (Index("ix_stakeholder_name_id", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    initials: str = Field(max_length=10)
    email: str | None = Field(default=None, max_length=254, unique=True)
    job_title: str | None = Field(default=None, max_length=200)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    place_code: str | None = Field(default=None, foreign_key="area.gss_code", max_length=9, index=True)
    system_leader_level: str | None = Field(default=None, max_length=30)
    version: int = Field(default=1, sa_column=_person_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


_group_version = version_column()


class Group(SQLModel, table=True):
    """A governance body: the Board, a thematic or working group, a Place group, ..."""

    __tablename__ = "governance_group"
    __mapper_args__ = {"version_id_col": _group_version}

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20, index=True)
    code: str | None = Field(default=None, max_length=12, unique=True)
    remit: str = Field(default="", sa_type=Text)
    parent_id: int | None = Field(default=None, foreign_key="governance_group.id", index=True)
    place_code: str | None = Field(default=None, foreign_key="area.gss_code", max_length=9)
    version: int = Field(default=1, sa_column=_group_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


_membership_version = version_column()


class Membership(SQLModel, table=True):
    """A person's seat on a group (Popolo `Membership`); ending sets end_date, never deletes."""

    __tablename__ = "membership"
    __mapper_args__ = {"version_id_col": _membership_version}
    __table_args__ = (
        # The database's own guard against two open-ended seats racing past the service check.
        Index(
            "uq_membership_open_seat",
            "stakeholder_id",
            "group_id",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
        Index("ix_membership_group_id_id", "group_id", "id"),
        Index("ix_membership_stakeholder_id_group_id", "stakeholder_id", "group_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id")
    group_id: int = Field(foreign_key="governance_group.id")
    role: str = Field(max_length=20)
    start_date: date
    end_date: date | None = Field(default=None)
    on_behalf_of_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    version: int = Field(default=1, sa_column=_membership_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())
