"""Personal data (UK GDPR): a person's own export, and anonymising a stakeholder.

Other domains add what they hold about a person to `personal_data` as they arrive.
"""

import re
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, or_
from sqlmodel import Session, select

from api.audit import service as audit
from api.audit.models import AuditEvent
from api.auth.models import UserAccount
from api.authz import Subject
from api.core.security import hash_secret, new_secret
from api.meetings.models import Action, ActionUpdate, AgendaItem, Attendance, Document, Meeting, MinutesVersion
from api.outcomes.models import Contribution
from api.registry import service as registry
from api.registry.models import Group, Membership, Stakeholder


def _events_about(session: Session, user: UserAccount | None, person: Stakeholder | None,
                  needles: list[str]) -> list[AuditEvent]:
    """For anonymising only: every event that may hold the person's identity anywhere in its
    text. It over-finds (a name inside a longer one); `_scrub` replaces only whole matches."""
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


def _ids_of(column, owner_column, owner_id: int):
    """The ids of the person's rows of one table, as the audit log holds them (text)."""
    return select(cast(column, String)).where(owner_column == owner_id)


def _own_events(session: Session, user: UserAccount, person: Stakeholder | None) -> list[AuditEvent]:
    """The audit events that are the person's own, found by ids only: what they did (as the
    actor), and what was done to their account, their stakeholder record, their seats in
    groups, their attendance and their contributions. Never by matching their email or name
    in the text of events: that finds other people's records (`ctim@` is inside `victim@`)
    and group records that merely mention them (draft or confidential minutes)."""
    conditions = [
        (AuditEvent.actor_kind == "user") & (AuditEvent.actor_id == str(user.id)),
        (AuditEvent.entity_type == "user") & (AuditEvent.entity_id == str(user.id)),
    ]
    if person is not None:
        conditions += [
            (AuditEvent.entity_type == "stakeholder") & (AuditEvent.entity_id == str(person.id)),
            (AuditEvent.entity_type == "membership")
            & AuditEvent.entity_id.in_(_ids_of(Membership.id, Membership.stakeholder_id, person.id)),
            (AuditEvent.entity_type == "attendance")
            & AuditEvent.entity_id.in_(_ids_of(Attendance.id, Attendance.stakeholder_id, person.id)),
            (AuditEvent.entity_type == "contribution")
            & AuditEvent.entity_id.in_(_ids_of(Contribution.id, Contribution.stakeholder_id, person.id)),
        ]
    events = list(session.exec(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)))
    failed = _failed_sign_ins(session, user, _email_held_since(user, events))
    return sorted({e.id: e for e in [*events, *failed]}.values(), key=lambda e: e.id)


def _email_held_since(user: UserAccount, events: list[AuditEvent]) -> datetime | None:
    """When the account took its current email: its latest own event that set it (creation or
    a change), else the account's creation."""
    email = user.email.lower()
    setting = [e.occurred_at for e in events
               if e.entity_type == "user" and e.entity_id == str(user.id) and e.action in ("user.create", "user.update")
               and isinstance(e.after, dict) and str(e.after.get("email") or "").lower() == email]
    return max(setting) if setting else user.created_at


def _failed_sign_ins(session: Session, user: UserAccount, since: datetime | None) -> list[AuditEvent]:
    """Failed sign-ins typed with exactly the account's email, while the account has held it.

    A failed attempt is recorded against the address typed, not an account (there may be none),
    so it is matched by that address, but only exactly (as sign-in compares it: trimmed and in
    lower case), never as part of a longer address; and only from when this account took the
    address, because before then an attempt with it was against someone else or no one. They
    are included because they are attempts on this person's account, which they are entitled to
    see (and may want to report); the record holds only the address typed and the channel."""
    typed = AuditEvent.after["username"].as_string()
    stmt = select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed",
                                    typed == user.email.strip().lower())
    if since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    return list(session.exec(stmt.order_by(AuditEvent.id)))


def personal_data(session: Session, user: UserAccount) -> dict[str, Any]:
    """Everything the service holds about the person, found by their ids (see `_own_events`)."""
    person = session.get(Stakeholder, user.stakeholder_id) if user.stakeholder_id else None
    seats = registry.memberships_of(session, person.id) if person else []
    events = _own_events(session, user, person)
    contributions = session.exec(select(Contribution).where(Contribution.stakeholder_id == person.id)
                                 .order_by(Contribution.contributed_on, Contribution.id)).all() if person else []
    return {
        "account": audit.snapshot(user),
        "stakeholder": audit.snapshot(person) if person else None,
        "memberships": [audit.snapshot(m) | {"group_name": g.name} for m, g in seats],
        **(_meeting_records(session, person.id) if person else {}),
        "contributions": [audit.snapshot(c) for c in contributions],
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


def _whole(needle: str) -> re.Pattern[str]:
    """The needle as a whole name or address, not inside a longer one: anonymising
    `ctim@example.org` must leave `victim@example.org` (and `ctim@example.org.uk`) alone."""
    return re.compile(rf"(?<![\w.+-]){re.escape(needle)}(?![\w-]|\.\w)", re.IGNORECASE)


def _scrub(value: Any, needles: list[str], label: str) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = _whole(needle).sub(label, value)
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
