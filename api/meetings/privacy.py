"""What the meetings record about a person: attendance, items led, actions owned, updates
written, interests declared; and the account email kept as the writer of minutes and uploader of documents."""

from typing import Any

from sqlmodel import Session, select

from api.audit import service as audit
from api.audit.privacy import Refs, ids_of
from api.meetings.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    Declaration,
    Document,
    Meeting,
    MinutesVersion,
)
from api.registry.models import Group


def personal_data(session: Session, person_id: int | None) -> dict[str, Any]:
    """Confidential records of groups the person has left are included: they are theirs."""
    if person_id is None:
        attended, led, owned, notes, declared = [], [], [], [], []
    else:
        attended = session.exec(
            select(Attendance, Meeting, Group).join(Meeting, Meeting.id == Attendance.meeting_id)
            .join(Group, Group.id == Meeting.group_id).where(Attendance.stakeholder_id == person_id)
            .order_by(Meeting.starts_at)
        ).all()
        led = session.exec(select(AgendaItem).where(AgendaItem.lead_id == person_id).order_by(AgendaItem.id)).all()
        owned = session.exec(select(Action).where(Action.owner_id == person_id).order_by(Action.id)).all()
        notes = session.exec(select(ActionUpdate).where(ActionUpdate.author_id == person_id)
                             .order_by(ActionUpdate.id)).all()
        declared = session.exec(select(Declaration).where(Declaration.stakeholder_id == person_id)
                                .order_by(Declaration.id)).all()
    return {
        "attendance": [{"meeting_id": m.id, "group_name": g.name, "starts_at": m.starts_at.isoformat(),
                        "status": a.status, "note": a.note} for a, m, g in attended],
        "agenda_items_led": [{"id": i.id, "meeting_id": i.meeting_id, "ref": i.ref, "title": i.title} for i in led],
        "actions_owned": [audit.snapshot(a) for a in owned],
        "action_updates_written": [audit.snapshot(n) for n in notes],
        "declarations_of_interest": [audit.snapshot(d) for d in declared],
    }


def refs(person_id: int) -> Refs:
    return [("attendance", ids_of(Attendance.id, Attendance.stakeholder_id, person_id)),
            ("declaration", ids_of(Declaration.id, Declaration.stakeholder_id, person_id))]


def anonymise(session: Session, *, account_email: str, label: str) -> None:
    """Who wrote minutes and uploaded documents is kept by account email: replaced too. The
    records themselves point at the person by id and stay, under the stakeholder's label."""
    for version in session.exec(select(MinutesVersion).where(MinutesVersion.written_by == account_email)):
        version.written_by = label
    for document in session.exec(select(Document).where(Document.uploaded_by == account_email)):
        document.uploaded_by = label
