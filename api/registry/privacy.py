"""What the registry holds about a person: their stakeholder record and their seats in groups."""

from typing import Any

from sqlmodel import Session

from api.audit import service as audit
from api.audit.privacy import Refs, ids_of
from api.registry import service
from api.registry.models import Membership, Stakeholder


def personal_data(session: Session, person: Stakeholder | None) -> dict[str, Any]:
    seats = service.memberships_of(session, person.id) if person else []
    return {
        "stakeholder": audit.snapshot(person) if person else None,
        "memberships": [audit.snapshot(m) | {"group_name": g.name} for m, g in seats],
    }


def refs(person_id: int) -> Refs:
    return [("stakeholder", ids_of(Stakeholder.id, Stakeholder.id, person_id)),
            ("membership", ids_of(Membership.id, Membership.stakeholder_id, person_id))]


def identity(person: Stakeholder) -> list[str | None]:
    """What names the person in text others wrote (for `api.audit.privacy.anonymise`)."""
    return [person.name, person.email]


def anonymise(person: Stakeholder, label: str) -> None:
    """The record stays (seats and meeting records point at it) under the neutral label."""
    person.name, person.initials, person.email = label, "FS", None
    person.job_title, person.system_leader_level = None, None
