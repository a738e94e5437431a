"""What the outcomes hold about a person: the contributions they logged. They point at the
person by id only, so anonymising the stakeholder record covers them (nothing to replace here)."""

from typing import Any

from sqlmodel import Session, select

from api.audit import service as audit
from api.audit.privacy import Refs, ids_of
from api.outcomes.models import Contribution


def personal_data(session: Session, person_id: int | None) -> dict[str, Any]:
    contributions = [] if person_id is None else session.exec(
        select(Contribution).where(Contribution.stakeholder_id == person_id)
        .order_by(Contribution.contributed_on, Contribution.id)).all()
    return {"contributions": [audit.snapshot(c) for c in contributions]}


def refs(person_id: int) -> Refs:
    return [("contribution", ids_of(Contribution.id, Contribution.stakeholder_id, person_id))]
