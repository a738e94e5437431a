"""Personal data (UK GDPR): a person's own export, and anonymising a stakeholder.

Other domains add what they hold about a person to `personal_data` as they arrive (outcomes:
contributions, next).
"""

from typing import Any

from sqlalchemy import String, cast, or_
from sqlmodel import Session, select

from api.audit import service as audit
from api.audit.models import AuditEvent
from api.auth.models import UserAccount
from api.authz import Subject
from api.core.security import hash_secret, new_secret
from api.meetings.models import Action, ActionUpdate, AgendaItem, Attendance, Document, Meeting, MinutesVersion
from api.registry import service as registry
from api.registry.models import Group, Stakeholder


def _events_about(session: Session, user: UserAccount | None, person: Stakeholder | None,
                  needles: list[str]) -> list[AuditEvent]:
    conditions = []
    if person is not None:
        conditions.append((AuditEvent.entity_type == "stakeholder") & (AuditEvent.entity_id == str(person.id)))
    if user is not None:
        conditions.append((AuditEvent.entity_type == "user") & (AuditEvent.entity_id == str(user.id)))
        conditions.append((AuditEvent.actor_kind == "user") & (AuditEvent.actor_id == str(user.id)))
    for needle in filter(None, needles):
        conditions.append(cast(AuditEvent.before, String).contains(needle))
        conditions.append(cast(AuditEvent.after, String).contains(needle))
        conditions.append(AuditEvent.actor_label == needle)
    if not conditions:
        return []
    return list(session.exec(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)))


def personal_data(session: Session, user: UserAccount) -> dict[str, Any]:
    person = session.get(Stakeholder, user.stakeholder_id) if user.stakeholder_id else None
    seats = registry.memberships_of(session, person.id) if person else []
    events = _events_about(session, user, person, [user.email])
    return {
        "account": audit.snapshot(user),
        "stakeholder": audit.snapshot(person) if person else None,
        "memberships": [audit.snapshot(m) | {"group_name": g.name} for m, g in seats],
        **(_meeting_records(session, person.id) if person else {}),
        "audit_events": [
            {"occurred_at": e.occurred_at.isoformat(), "action": e.action, "actor": e.actor_label,
             "entity_type": e.entity_type, "entity_id": e.entity_id, "before": e.before, "after": e.after}
            for e in events
        ],
    }


def _meeting_records(session: Session, person_id: int) -> dict[str, Any]:
    """What the meetings record about the person: attendance, items led, actions owned, updates
    written. Confidential records of groups the person has left are included: they are theirs."""
    attended = session.exec(
        select(Attendance, Meeting, Group).join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Group, Group.id == Meeting.group_id).where(Attendance.stakeholder_id == person_id)
        .order_by(Meeting.starts_at)
    ).all()
    led = session.exec(select(AgendaItem).where(AgendaItem.lead_id == person_id).order_by(AgendaItem.id)).all()
    owned = session.exec(select(Action).where(Action.owner_id == person_id).order_by(Action.id)).all()
    notes = session.exec(select(ActionUpdate).where(ActionUpdate.author_id == person_id)
                         .order_by(ActionUpdate.id)).all()
    return {
        "attendance": [{"meeting_id": m.id, "group_name": g.name, "starts_at": m.starts_at.isoformat(),
                        "status": a.status, "note": a.note} for a, m, g in attended],
        "agenda_items_led": [{"id": i.id, "meeting_id": i.meeting_id, "ref": i.ref, "title": i.title} for i in led],
        "actions_owned": [audit.snapshot(a) for a in owned],
        "action_updates_written": [audit.snapshot(n) for n in notes],
    }


def _scrub(value: Any, needles: list[str], label: str) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, label)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, needles, label) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, needles, label) for v in value]
    return value


def anonymise_stakeholder(session: Session, *, actor: Subject, person: Stakeholder) -> Stakeholder:
    """Replace the person's identity everywhere with a neutral label; their seats, and the
    minutes, decisions and actions that point at them, stay intact under that label."""
    label = f"Former stakeholder {person.id}"
    user = session.exec(select(UserAccount).where(UserAccount.stakeholder_id == person.id)).first()
    needles = sorted({n for n in (person.name, person.email, user.email if user else None) if n}, key=len,
                     reverse=True)
    for event in _events_about(session, user, person, needles):
        event.before = _scrub(event.before, needles, label)
        event.after = _scrub(event.after, needles, label)
        event.actor_label = _scrub(event.actor_label, needles, label)
    # Who wrote minutes and uploaded documents is kept by account email: replaced too.
    if user is not None:
        for version in session.exec(select(MinutesVersion).where(MinutesVersion.written_by == user.email)):
            version.written_by = label
        for document in session.exec(select(Document).where(Document.uploaded_by == user.email)):
            document.uploaded_by = label
    person.name, person.initials, person.email = label, "FS", None
    person.job_title, person.system_leader_level = None, None
    if user is not None:
        user.email = f"anonymised-{user.id}@invalid"
        user.password_hash = hash_secret(new_secret())
        user.is_active = False
        user.token_generation += 1
    session.flush()
    audit.record(session, actor=actor, action="stakeholder.anonymise", entity_type="stakeholder",
                 entity_id=person.id, after={"name": label})
    return person
