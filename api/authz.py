"""Every "may this subject do that" rule, in one place.

Subjects are people (bearer tokens or web sessions for their accounts), partner clients
(client-credentials tokens with scopes) and the system (CLI, demo loader). Nobody else: without
credentials the API answers 401 and the web pages send you to sign in.
"""

from dataclasses import dataclass, field
from typing import Literal

SubjectKind = Literal["anonymous", "user", "client", "system"]


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    label: str
    id: str | None = None
    is_admin: bool = False
    scopes: frozenset[str] = field(default_factory=frozenset)
    stakeholder_id: int | None = None


SYSTEM_SUBJECT = Subject(kind="system", label="system", is_admin=True)


PARTNER_SCOPES = ("indicators:read", "outcomes:read", "registry:read")


def is_person(subject: Subject) -> bool:
    """Pages about "me" need a signed-in person (partner clients and open access have no "me")."""
    return subject.kind == "user"


def may_read_registry(subject: Subject) -> bool:
    """People see the registry (the dashboard exists for transparency across groups)."""
    return subject.is_admin or subject.kind in ("user", "system")


def may_read_bodies(subject: Subject) -> bool:
    """Areas, organisations and groups: people, and partner clients granted `registry:read`
    (which never reaches people's records)."""
    return may_read_registry(subject) or (subject.kind == "client" and "registry:read" in subject.scopes)


def may_manage_accounts(subject: Subject) -> bool:
    return subject.is_admin


def may_manage_registry(subject: Subject) -> bool:
    """Organisations, stakeholders, groups and memberships change only by an admin."""
    return subject.is_admin


def may_read_audit_log(subject: Subject) -> bool:
    return subject.is_admin
