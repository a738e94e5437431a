"""Who may do what in one group: the caller's roles there, and the checks built on them.

The rules themselves are in api/authz.py; this module only looks up the facts they need.
"""

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from api import authz
from api.audit import service as audit
from api.authz import Subject
from api.core.errors import Forbidden
from api.core.types import today
from api.registry.models import Membership


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
    on = today()
    stmt = select(Membership.role).where(
        Membership.group_id == group_id,
        Membership.stakeholder_id == subject.stakeholder_id,
        Membership.start_date <= on,
        or_(Membership.end_date.is_(None), Membership.end_date > on),
    )
    return frozenset(session.exec(stmt).all())


def access_to(session: Session, subject: Subject, group_id: int) -> GroupAccess:
    return GroupAccess(subject=subject, group_id=group_id, roles=roles_in(session, subject, group_id))


def roles_by_group(session: Session, subject: Subject) -> dict[int, frozenset[str]]:
    """The caller's current roles in every group, in one query (for lists across groups)."""
    if subject.stakeholder_id is None:
        return {}
    on = today()
    stmt = select(Membership.group_id, Membership.role).where(
        Membership.stakeholder_id == subject.stakeholder_id,
        Membership.start_date <= on,
        or_(Membership.end_date.is_(None), Membership.end_date > on),
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


def deny(session: Session, access: GroupAccess, what: str) -> Forbidden:
    """The refusal, audited in its own transaction (the request's own is rolled back)."""
    audit.record_denial(session.get_bind(), actor=access.subject, rule="may_manage_group_business",
                        target=f"group {access.group_id}: {what}")
    return Forbidden("Only the group's chair, vice chair or secretary (or an admin) can do this.")


def ensure_manager(session: Session, access: GroupAccess, what: str) -> None:
    if not access.may_manage:
        raise deny(session, access, what)
