"""Personal data (UK GDPR): a person's own export, and anonymising a stakeholder.

Each domain says what it holds about a person (`personal_data`), which of its records are the
person's in the audit log (`refs`), and replaces the person's identity where it keeps it as text
(`anonymise`); this module composes them, above every domain, so that no domain reads
another's tables for privacy. A domain that starts holding personal data adds its part here.
"""

from typing import Any

from sqlmodel import Session

from api.audit import privacy as audit_privacy
from api.audit import service as audit
from api.auth import privacy as auth_privacy
from api.auth.models import UserAccount
from api.authz import Subject
from api.core.errors import Conflict
from api.mail import privacy as mail_privacy
from api.meetings import privacy as meetings_privacy
from api.outcomes import privacy as outcomes_privacy
from api.registry import privacy as registry_privacy
from api.registry import service as registry
from api.registry.models import Stakeholder


def _person_refs(person_id: int) -> audit_privacy.Refs:
    return [*registry_privacy.refs(person_id), *meetings_privacy.refs(person_id), *outcomes_privacy.refs(person_id)]


def personal_data(session: Session, user: UserAccount) -> dict[str, Any]:
    """Everything the service holds about the person, found by their ids only: their account,
    their stakeholder record and what points at it, the audit events of those records and of what
    they did, and failed sign-ins typed with their account's email while it has been theirs."""
    person = session.get(Stakeholder, user.stakeholder_id) if user.stakeholder_id else None
    person_id = person.id if person else None
    refs = auth_privacy.refs(user) + (_person_refs(person.id) if person else [])
    events = audit_privacy.own_events(session, refs=refs, user_id=user.id)
    failed = auth_privacy.failed_sign_ins(session, user, events)
    events = sorted({e.id: e for e in [*events, *failed]}.values(), key=lambda e: e.id)
    return (auth_privacy.personal_data(user) | registry_privacy.personal_data(session, person)
            | meetings_privacy.personal_data(session, person_id) | outcomes_privacy.personal_data(session, person_id)
            | mail_privacy.personal_data(session, person_id) | audit_privacy.personal_data(events))


def export_personal_data(session: Session, *, actor: Subject, user: UserAccount) -> dict[str, Any]:
    """The person's own download (UK GDPR right of access), recorded in the audit log; both doors
    call this (the API's GET /me/export and My account's download)."""
    data = personal_data(session, user)
    audit.record(session, actor=actor, action="privacy.export", entity_type="user", entity_id=user.id)
    return data


def anonymous_label(person: Stakeholder) -> str:
    """What an anonymised person is called everywhere (their id keeps two of them apart)."""
    return f"Former stakeholder {person.id}"


def anonymise_stakeholder(session: Session, *, actor: Subject, person: Stakeholder) -> Stakeholder:
    """Replace the person's identity everywhere with a neutral label; their seats, and the
    minutes, decisions and actions that point at them, stay intact under that label."""
    label = anonymous_label(person)
    user = auth_privacy.account_of(session, person.id)
    refs = _person_refs(person.id) + (auth_privacy.refs(user) if user else [])
    # The audit log first, while the records still hold the identity to look for.
    audit_privacy.anonymise(session, refs=refs, user_id=user.id if user else None, label=label,
                            needles=[*registry_privacy.identity(person), user.email if user else None])
    if user is not None:
        meetings_privacy.anonymise(session, account_email=user.email, label=label)
    mail_privacy.anonymise(session, person.id, label=label,
                           needles=[*registry_privacy.identity(person), user.email if user else None])
    registry_privacy.anonymise(person, label)
    if user is not None:
        auth_privacy.anonymise(user)
    session.flush()
    audit.record(session, actor=actor, action="stakeholder.anonymise", entity_type="stakeholder",
                 entity_id=person.id, after={"name": label})
    return person


# What the person's records are, in words: (key in the domains' personal_data, one, many).
_RECORD_WORDS = [
    ("memberships", "a membership of a group", "memberships of groups"),
    ("attendance", "attendance at a meeting", "attendances at meetings"),
    ("agenda_items_led", "an agenda item they lead", "agenda items they lead"),
    ("actions_owned", "an action they own", "actions they own"),
    ("action_updates_written", "an update on an action", "updates on actions"),
    ("declarations_of_interest", "a declaration of interest", "declarations of interest"),
    ("contributions", "a contribution", "contributions"),
    ("mail_messages", "an email sent to them", "emails sent to them"),
]


def records_of(session: Session, person: Stakeholder) -> list[str]:
    """What the service keeps that points at the person ("2 memberships of groups", "an
    account"), read through each domain's own `personal_data`: empty when the record could be
    deleted without leaving a gap in anyone's history."""
    found = (registry_privacy.personal_data(session, person) | meetings_privacy.personal_data(session, person.id)
             | outcomes_privacy.personal_data(session, person.id) | mail_privacy.personal_data(session, person.id))
    words = [(one if len(found[key]) == 1 else f"{len(found[key])} {many}")
             for key, one, many in _RECORD_WORDS if found.get(key)]
    if auth_privacy.account_of(session, person.id) is not None:
        words.append("an account")
    return words


def delete_stakeholder(session: Session, *, actor: Subject, person: Stakeholder) -> None:
    """Remove a person added in error, who has nothing on record; anyone with records is
    anonymised instead (`anonymise_stakeholder`), so that the history others read stays whole."""
    records = records_of(session, person)
    if records:
        raise Conflict(f"{person.name} has records that others rely on ({', '.join(records)}), so the person "
                       "cannot be deleted. Anonymise them instead.")
    registry.delete_stakeholder(session, actor=actor, stakeholder=person)
