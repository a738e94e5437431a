"""Group facts and visibility: who is a member or an officer of a group, what a caller may see,
and the refusal every rule answers with.

The rules themselves are in api/authz.py; this module looks up the facts they need (the caller's
current roles, from the registry's memberships) and holds the few rules that cannot be decided
without asking the database (`may_report_for`). It sits above the registry, whose memberships it
reads, and below every domain that asks it.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, literal, or_
from sqlmodel import Session, select

from api import authz
from api.audit import service as audit
from api.authz import Subject
from api.core.errors import Forbidden
from api.core.types import today
from api.registry.current import current_on
from api.registry.models import Group, Membership


@dataclass(frozen=True)
class GroupAccess:
    subject: Subject
    group_id: int
    roles: frozenset[str]

    @property
    def may_manage(self) -> bool:
        return authz.may_manage_group_business(self.subject, self.roles)

    @property
    def sees_members_only(self) -> bool:
        return authz.may_see_members_only(self.subject, self.roles)

    @property
    def members_of(self) -> set[int]:
        """`member_groups` as far as this group's records go, without asking the database again."""
        return {self.group_id} if self.sees_members_only else set()


def roles_in(session: Session, subject: Subject, group_id: int) -> frozenset[str]:
    if subject.stakeholder_id is None:
        return frozenset()
    stmt = select(Membership.role).where(
        Membership.group_id == group_id,
        Membership.stakeholder_id == subject.stakeholder_id,
        current_on(today()),
    )
    return frozenset(session.exec(stmt).all())


def access_to(session: Session, subject: Subject, group_id: int) -> GroupAccess:
    return GroupAccess(subject=subject, group_id=group_id, roles=roles_in(session, subject, group_id))


def roles_by_group(session: Session, subject: Subject) -> dict[int, frozenset[str]]:
    """The caller's current roles in every group, in one query (for lists across groups)."""
    if subject.stakeholder_id is None:
        return {}
    stmt = select(Membership.group_id, Membership.role).where(
        Membership.stakeholder_id == subject.stakeholder_id,
        current_on(today()),
    )
    found: dict[int, set[str]] = {}
    for group_id, role in session.exec(stmt).all():
        found.setdefault(group_id, set()).add(role)
    return {group_id: frozenset(roles) for group_id, roles in found.items()}


def member_groups(session: Session, subject: Subject, roles: dict[int, frozenset[str]] | None = None) -> set[int]:
    """Groups whose members-only material (drafts, confidential items) the caller may see;
    `roles` from `roles_by_group` when the caller already has them."""
    if roles is None:
        roles = roles_by_group(session, subject)
    return {group_id for group_id, held in roles.items() if authz.may_see_members_only(subject, held)}


def visible_to(subject: Subject, member_groups: set[int], members_only, group_column):
    """SQL: true for the records the caller may see, given `members_only` (a column or condition,
    true for a group's members-only material) and the record's group: open records, and the
    members-only ones of the groups whose members-only material the caller may see (admins see
    all)."""
    if subject.is_admin:
        return literal(True)
    return or_(members_only.is_not(True), group_column.in_(member_groups))


# Rules that need the database ------------------------------------------------------------------

def may_report_for(session: Session, subject: Subject, place_code: str) -> bool:
    """Admins, and the officers of a group that belongs to the Place (its implementation group)."""
    if subject.is_admin:
        return True
    roles = roles_by_group(session, subject)
    groups = session.exec(select(Group.id).where(Group.place_code == place_code)).all()
    return any(authz.may_manage_group_business(subject, roles.get(group_id, frozenset())) for group_id in groups)


# Refusals ---------------------------------------------------------------------------------------

def refuse(bind: Engine | Connection, *, subject: Subject, rule: str, target: str, message: str) -> Forbidden:
    """The 403 for a broken rule, audited first in a transaction of its own, because the
    request's own is rolled back with the refusal. Every door and service refuses through here, so
    that every refusal leaves the same trace: the rule's name and what was asked for."""
    audit.record_denial(bind, actor=subject, rule=rule, target=target)
    return Forbidden(message)


def deny(session: Session, access: GroupAccess, what: str) -> Forbidden:
    return refuse(session.get_bind(), subject=access.subject, rule="may_manage_group_business",
                  target=f"group {access.group_id}: {what}",
                  message="Only the group's chair, vice chair or secretary (or an admin) can do this.")


def ensure_manager(session: Session, access: GroupAccess, what: str) -> None:
    if not access.may_manage:
        raise deny(session, access, what)
