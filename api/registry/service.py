"""Registry rules: areas, organisations, stakeholders, groups and memberships.

Plain functions over a Session; they flush, never commit (the request commits once).
"""

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import exists, func, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, select

from api.audit import service as audit
from api.authz import Subject
from api.core.errors import Conflict, InvalidInput, NotFound, invalid_field
from api.core.pagination import PageParams, paginate
from api.core.types import today
from api.registry.current import current_on, not_ended_on
from api.registry.models import Area, Group, Membership, Organisation, Stakeholder
from api.registry.schemas import GROUP_KINDS, ROLES

M = TypeVar("M", bound=SQLModel)

_HONORIFICS = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "cllr", "sir", "dame", "rev"}


# Shared helpers -----------------------------------------------------------------------------

def _check_references(session: Session, values: dict[str, Any]) -> None:
    """Foreign keys named in a request body must exist: a 422 naming the field, not a 500."""
    errors = []
    if values.get("organisation_id") is not None and session.get(Organisation, values["organisation_id"]) is None:
        errors.append({"loc": ["body", "organisation_id"], "msg": "no organisation with this id"})
    if values.get("on_behalf_of_id") is not None and session.get(Organisation, values["on_behalf_of_id"]) is None:
        errors.append({"loc": ["body", "on_behalf_of_id"], "msg": "no organisation with this id"})
    if values.get("stakeholder_id") is not None and session.get(Stakeholder, values["stakeholder_id"]) is None:
        errors.append({"loc": ["body", "stakeholder_id"], "msg": "no stakeholder with this id"})
    if values.get("parent_id") is not None and session.get(Group, values["parent_id"]) is None:
        errors.append({"loc": ["body", "parent_id"], "msg": "no group with this id"})
    if values.get("place_code") is not None:
        area = session.get(Area, values["place_code"])
        if area is None or area.kind != "place":
            errors.append({"loc": ["body", "place_code"], "msg": "not the GSS code of one of the nine Places"})
    if errors:
        raise InvalidInput("The request names records that do not exist.", errors=errors)


def _check_unique(session: Session, model: type[M], values: dict[str, Any], fields: Sequence[str],
                  *, exclude_id: int | None = None, what: str) -> None:
    for field in fields:
        value = values.get(field)
        if value is None:
            continue
        column = getattr(model, field)
        same = func.lower(column) == value.lower() if isinstance(value, str) else column == value
        stmt = select(model.id).where(same)
        if exclude_id is not None:
            stmt = stmt.where(model.id != exclude_id)
        if session.exec(stmt).first() is not None:
            raise Conflict(f"A {what} with {field} '{value}' already exists.")


def _name_filter(column, q: str | None):
    if not q:
        return literal(True)
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


# Areas --------------------------------------------------------------------------------------

def list_areas(session: Session, *, kind: str | None = None) -> list[Area]:
    stmt = select(Area).order_by(Area.kind, Area.name)
    if kind:
        stmt = stmt.where(Area.kind == kind)
    return list(session.exec(stmt))


def place_names(session: Session) -> dict[str, str]:
    """Every Place's name by GSS code, in one query."""
    return dict(session.exec(select(Area.gss_code, Area.name).where(Area.kind == "place")).all())


def get_place(session: Session, gss_code: str) -> Area:
    area = session.get(Area, gss_code)
    if area is None or area.kind != "place":
        raise NotFound(f"No Place with GSS code {gss_code}.")
    return area


# Organisations ------------------------------------------------------------------------------

def list_organisations(session: Session, *, page: PageParams, sector: str | None = None,
                       place_code: str | None = None, q: str | None = None):
    stmt = select(Organisation).where(_name_filter(Organisation.name, q))
    if sector:
        stmt = stmt.where(Organisation.sector == sector)
    if place_code:
        stmt = stmt.where(Organisation.place_code == place_code)
    return paginate(session, stmt, order=[Organisation.name, Organisation.id], page=page)


def organisation_names(session: Session, organisation_ids: Iterable[int | None]) -> dict[int, str]:
    """Names for a page of records that point at organisations: one query even when none does,
    so that a page's statements do not depend on what it lists."""
    ids = sorted({i for i in organisation_ids if i is not None})
    return dict(session.exec(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def organisation_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every organisation by name, for a form's list of them."""
    return list(session.exec(select(Organisation.id, Organisation.name).order_by(Organisation.name)).all())


def sectors_in_use(session: Session) -> list[str]:
    """The sectors at least one organisation is in (for a filter that offers no empty choice)."""
    return list(session.exec(select(Organisation.sector).distinct().order_by(Organisation.sector)))


def people_counts(session: Session, organisation_ids: Sequence[int]) -> dict[int, int]:
    """People in the directory per organisation, in one query for a whole page of organisations."""
    ids = sorted({i for i in organisation_ids if i is not None})
    if not ids:
        return {}
    stmt = (
        select(Stakeholder.organisation_id, func.count(Stakeholder.id))
        .where(Stakeholder.organisation_id.in_(ids))
        .group_by(Stakeholder.organisation_id)
    )
    return dict(session.exec(stmt).all())


def people_of(session: Session, organisation_id: int) -> list[Stakeholder]:
    return list(session.exec(select(Stakeholder).where(Stakeholder.organisation_id == organisation_id)
                             .order_by(Stakeholder.name, Stakeholder.id)))


@dataclass
class OrganisationSeat:
    membership: Membership
    person: Stakeholder
    group: Group
    on_behalf_of: str | None  # the organisation the seat is held for, when not the person's own


def organisation_seats(session: Session, organisation_id: int) -> list[OrganisationSeat]:
    """Current seats held by the organisation's people or on its behalf, by group then role then
    name, in one query."""
    behalf = aliased(Organisation)
    stmt = (
        select(Membership, Stakeholder, Group, behalf.name)
        .join(Stakeholder, Stakeholder.id == Membership.stakeholder_id)
        .join(Group, Group.id == Membership.group_id)
        .outerjoin(behalf, behalf.id == Membership.on_behalf_of_id)
        .where(or_(Membership.on_behalf_of_id == organisation_id, Stakeholder.organisation_id == organisation_id))
        .where(current_on(today()))
    )
    seats = [OrganisationSeat(m, p, g, None if m.on_behalf_of_id in (None, p.organisation_id) else name)
             for m, p, g, name in session.exec(stmt).all()]
    seats.sort(key=lambda s: (s.group.name.lower(), ROLE_ORDER.get(s.membership.role, 99), s.person.name.lower()))
    return seats


def create_organisation(session: Session, *, actor: Subject, data: dict[str, Any]) -> Organisation:
    _check_references(session, data)
    _check_unique(session, Organisation, data, ["name"], what="organisation")
    return audit.add_entity(session, Organisation(**data), actor=actor, entity_type="organisation")


def update_organisation(session: Session, *, actor: Subject, organisation: Organisation,
                        changes: dict[str, Any]) -> Organisation:
    _check_references(session, changes)
    _check_unique(session, Organisation, changes, ["name"], exclude_id=organisation.id, what="organisation")
    return audit.change_entity(session, organisation, changes, actor=actor, entity_type="organisation")


def delete_organisation(session: Session, *, actor: Subject, organisation: Organisation) -> None:
    people = session.exec(select(func.count()).where(Stakeholder.organisation_id == organisation.id)).one()
    seats = session.exec(select(func.count()).where(Membership.on_behalf_of_id == organisation.id)).one()
    if people or seats:
        raise Conflict(
            f"{organisation.name} is still referenced by {people} stakeholder(s) and {seats} membership(s); "
            "move or end those first."
        )
    audit.remove_entity(session, organisation, actor=actor, entity_type="organisation")


# Stakeholders -------------------------------------------------------------------------------

def initials_for(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower().rstrip(".") not in _HONORIFICS]
    letters = "".join(w[0].upper() for w in words if w[0].isalpha())
    return (letters or name[:1].upper() or "X")[:10]


def _current_member_of(group_id: int):
    return exists().where(
        Membership.stakeholder_id == Stakeholder.id,
        Membership.group_id == group_id,
        current_on(today()),
    )


def list_stakeholders(session: Session, *, page: PageParams, organisation_id: int | None = None,
                      place_code: str | None = None, group_id: int | None = None,
                      system_leader_level: str | None = None, q: str | None = None):
    stmt = select(Stakeholder).where(_name_filter(Stakeholder.name, q))
    if organisation_id is not None:
        stmt = stmt.where(Stakeholder.organisation_id == organisation_id)
    if place_code:
        stmt = stmt.where(Stakeholder.place_code == place_code)
    if group_id is not None:
        stmt = stmt.where(_current_member_of(group_id))
    if system_leader_level:
        stmt = stmt.where(Stakeholder.system_leader_level == system_leader_level)
    return paginate(session, stmt, order=[Stakeholder.name, Stakeholder.id], page=page)


def names_of(session: Session, stakeholder_ids: Sequence[int]) -> dict[int, str]:
    """Names for a page of records that point at people, in one query."""
    ids = sorted({i for i in stakeholder_ids if i is not None})
    if not ids:
        return {}
    return dict(session.exec(select(Stakeholder.id, Stakeholder.name).where(Stakeholder.id.in_(ids))).all())


def person_choices(session: Session) -> list[tuple[int, str, str | None]]:
    """(id, name, email) of everyone in the directory by name, for a form's list of people."""
    return list(session.exec(select(Stakeholder.id, Stakeholder.name, Stakeholder.email)
                             .order_by(Stakeholder.name, Stakeholder.id)).all())


def stakeholder_by_email(session: Session, email: str) -> Stakeholder | None:
    return session.exec(select(Stakeholder).where(func.lower(Stakeholder.email) == email.strip().lower())).first()


def create_stakeholder(session: Session, *, actor: Subject, data: dict[str, Any]) -> Stakeholder:
    _check_references(session, data)
    _check_unique(session, Stakeholder, data, ["email"], what="stakeholder")
    data = {**data, "initials": data.get("initials") or initials_for(data["name"])}
    return audit.add_entity(session, Stakeholder(**data), actor=actor, entity_type="stakeholder")


def update_stakeholder(session: Session, *, actor: Subject, stakeholder: Stakeholder,
                       changes: dict[str, Any]) -> Stakeholder:
    _check_references(session, changes)
    _check_unique(session, Stakeholder, changes, ["email"], exclude_id=stakeholder.id, what="stakeholder")
    return audit.change_entity(session, stakeholder, changes, actor=actor, entity_type="stakeholder")


def delete_stakeholder(session: Session, *, actor: Subject, stakeholder: Stakeholder) -> None:
    """The removal alone: api/privacy.delete_stakeholder first checks that no domain keeps a
    record of the person (memberships are only one kind), and both doors call that."""
    audit.remove_entity(session, stakeholder, actor=actor, entity_type="stakeholder")


# Groups -------------------------------------------------------------------------------------

def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80].strip("-") or "group"


def list_groups(session: Session, *, page: PageParams, kind: str | None = None,
                parent_id: int | None = None, q: str | None = None):
    stmt = select(Group).where(_name_filter(Group.name, q))
    if kind:
        stmt = stmt.where(Group.kind == kind)
    if parent_id is not None:
        stmt = stmt.where(Group.parent_id == parent_id)
    return paginate(session, stmt, order=[Group.name, Group.id], page=page)


def all_groups(session: Session) -> list[Group]:
    """The whole structure (a few hundred rows at most), for the tree views."""
    return list(session.exec(select(Group).order_by(Group.name, Group.id)))


def member_counts(session: Session, group_ids: Sequence[int]) -> dict[int, int]:
    """Current members per group, in one query for a whole page of groups."""
    if not group_ids:
        return {}
    stmt = (
        select(Membership.group_id, func.count(func.distinct(Membership.stakeholder_id)))
        .where(Membership.group_id.in_(group_ids))
        .where(current_on(today()))
        .group_by(Membership.group_id)
    )
    return dict(session.exec(stmt).all())


def get_group_by_slug(session: Session, slug: str) -> Group:
    group = session.exec(select(Group).where(Group.slug == slug)).first()
    if group is None:
        raise NotFound(f"No group called '{slug}'.")
    return group


@dataclass
class GroupNode:
    group: Group
    members: int
    children: list["GroupNode"] = dataclasses.field(default_factory=list)


def group_tree(session: Session) -> list[GroupNode]:
    """The governance structure as nested nodes (roots first), with current member counts, in
    two queries."""
    groups = all_groups(session)
    counts = member_counts(session, [g.id for g in groups])
    nodes = {g.id: GroupNode(group=g, members=counts.get(g.id, 0)) for g in groups}
    roots: list[GroupNode] = []
    # The partnership first, then the other kinds as GROUP_KINDS lists them (boards, thematic and
    # working groups, Place groups); by name within each.
    order = {kind: i for i, kind in enumerate(sorted(GROUP_KINDS, key=lambda kind: kind != "partnership"))}
    for node in sorted(nodes.values(), key=lambda n: (order.get(n.group.kind, 9), n.group.name.lower())):
        parent = nodes.get(node.group.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}


@dataclass
class Seat:
    membership: Membership
    person: Stakeholder
    organisation_name: str | None


def group_roster(session: Session, group_id: int, *, ended: bool = False) -> list[Seat]:
    """Seats not yet ended, current or still to start (or, with `ended`, the ended ones) ordered
    by role then name, in one query.
    The organisation shown is the one the seat is held on behalf of, else the person's own."""
    org = aliased(Organisation)
    stmt = (
        select(Membership, Stakeholder, org.name)
        .join(Stakeholder, Stakeholder.id == Membership.stakeholder_id)
        .outerjoin(org, org.id == func.coalesce(Membership.on_behalf_of_id, Stakeholder.organisation_id))
        .where(Membership.group_id == group_id)
    )
    is_open = not_ended_on(today())
    stmt = stmt.where(~is_open if ended else is_open)
    seats = [Seat(m, p, o) for m, p, o in session.exec(stmt).all()]
    if ended:
        seats.sort(key=lambda s: (s.membership.end_date, s.person.name), reverse=True)
    else:
        seats.sort(key=lambda s: (ROLE_ORDER.get(s.membership.role, 99), s.person.name.lower()))
    return seats


def ancestors_of(session: Session, group: Group) -> list[Group]:
    """The chain of parent groups, top first (for breadcrumbs)."""
    ids = _ancestor_ids(session, group.id) - {group.id}
    if not ids:
        return []
    by_id = {g.id: g for g in session.exec(select(Group).where(Group.id.in_(ids)))}
    chain, current = [], by_id.get(group.parent_id)
    while current is not None:
        chain.append(current)
        current = by_id.get(current.parent_id)
    return chain[::-1]


def children_of(session: Session, group_id: int) -> list[Group]:
    return list(session.exec(select(Group).where(Group.parent_id == group_id).order_by(Group.name)))


def _ancestor_ids(session: Session, group_id: int) -> set[int]:
    """The group and every group above it, walked with one recursive query."""
    ancestors = select(Group.id, Group.parent_id).where(Group.id == group_id).cte(recursive=True)
    parent = select(Group.id, Group.parent_id).join(ancestors, Group.id == ancestors.c.parent_id)
    ancestors = ancestors.union(parent)
    return set(session.exec(select(ancestors.c.id)).all())


def create_group(session: Session, *, actor: Subject, data: dict[str, Any]) -> Group:
    data = {**data, "slug": data.get("slug") or slugify(data["name"])}
    _check_references(session, data)
    _check_unique(session, Group, data, ["slug", "name", "code"], what="group")
    return audit.add_entity(session, Group(**data), actor=actor, entity_type="group")


def update_group(session: Session, *, actor: Subject, group: Group, changes: dict[str, Any]) -> Group:
    _check_references(session, changes)
    _check_unique(session, Group, changes, ["slug", "name", "code"], exclude_id=group.id, what="group")
    parent_id = changes.get("parent_id")
    if parent_id is not None and group.id in _ancestor_ids(session, parent_id):
        raise invalid_field("parent_id", "a group cannot sit below itself or one of its own subgroups")
    return audit.change_entity(session, group, changes, actor=actor, entity_type="group")


# Memberships --------------------------------------------------------------------------------

def _check_no_overlap(session: Session, *, stakeholder_id: int, group_id: int, start: date,
                      end: date | None, exclude_id: int | None = None) -> None:
    """One person holds at most one seat on a group at any time (periods are [start, end))."""
    stmt = select(Membership).where(
        Membership.stakeholder_id == stakeholder_id,
        Membership.group_id == group_id,
        not_ended_on(start),
    )
    if end is not None:
        stmt = stmt.where(Membership.start_date < end)
    if exclude_id is not None:
        stmt = stmt.where(Membership.id != exclude_id)
    clash = session.exec(stmt).first()
    if clash is not None:
        until = f"until {clash.end_date.isoformat()}" if clash.end_date else "with no end date"
        raise Conflict(
            f"This person already has a membership of this group (id {clash.id}, from "
            f"{clash.start_date.isoformat()} {until}) overlapping those dates; end or change that one first."
        )


def list_memberships(session: Session, *, group_id: int, page: PageParams, include_ended: bool = False,
                     role: str | None = None, stakeholder_id: int | None = None):
    """Rows of (Membership, stakeholder name)."""
    stmt = (
        select(Membership, Stakeholder.name)
        .join(Stakeholder, Stakeholder.id == Membership.stakeholder_id)
        .where(Membership.group_id == group_id)
    )
    if not include_ended:
        stmt = stmt.where(not_ended_on(today()))
    if role:
        stmt = stmt.where(Membership.role == role)
    if stakeholder_id is not None:
        stmt = stmt.where(Membership.stakeholder_id == stakeholder_id)
    return paginate(session, stmt, order=[Membership.id], page=page)


def create_membership(session: Session, *, actor: Subject, group: Group, data: dict[str, Any]) -> Membership:
    data = {**data, "group_id": group.id, "start_date": data.get("start_date") or today()}
    if data.get("end_date") is not None and data["end_date"] < data["start_date"]:
        raise invalid_field("end_date", "end_date cannot be before start_date")
    _check_references(session, data)
    _check_no_overlap(session, stakeholder_id=data["stakeholder_id"], group_id=group.id,
                      start=data["start_date"], end=data.get("end_date"))
    return audit.add_entity(session, Membership(**data), actor=actor, entity_type="membership")


def update_membership(session: Session, *, actor: Subject, membership: Membership,
                      changes: dict[str, Any]) -> Membership:
    start = changes.get("start_date", membership.start_date)
    end = changes.get("end_date", membership.end_date)
    if end is not None and end < start:
        raise invalid_field("end_date", "end_date cannot be before start_date")
    _check_references(session, changes)
    _check_no_overlap(session, stakeholder_id=membership.stakeholder_id, group_id=membership.group_id,
                      start=start, end=end, exclude_id=membership.id)
    return audit.change_entity(session, membership, changes, actor=actor, entity_type="membership")


def stakeholder_name(session: Session, stakeholder_id: int) -> str:
    return session.exec(select(Stakeholder.name).where(Stakeholder.id == stakeholder_id)).one()


def memberships_of(session: Session, stakeholder_id: int) -> list[tuple[Membership, Group]]:
    """A person's seats (current and ended) with their groups, in one query."""
    stmt = (
        select(Membership, Group)
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.stakeholder_id == stakeholder_id)
        .order_by(Membership.start_date.desc(), Membership.id)
    )
    return list(session.exec(stmt).all())
