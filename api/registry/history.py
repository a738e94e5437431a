"""A group's membership history: the audit trail of its seats read as the changes people make
(added, ended, role changed, changed, removed), so that no page has to interpret audit diffs."""

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import String, cast
from sqlmodel import Session, select

from api.audit import service as audit
from api.audit.models import AuditEvent
from api.registry.models import Membership, Stakeholder

# The seat's fields a history reports, in the order it reports them.
FIELDS = ("role", "start_date", "end_date", "on_behalf_of_id")
_DATES = frozenset({"start_date", "end_date"})
ChangeKind = Literal["added", "ended", "role_changed", "changed", "removed"]


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any  # always None for an addition: there was nothing before
    after: Any


@dataclass(frozen=True)
class MembershipChange:
    event: AuditEvent
    kind: ChangeKind
    person: str
    fields: list[FieldChange]


def _value(field: str, value: Any) -> Any:
    """Dates come back from the audit's JSON as text; anything unreadable is passed on as it is."""
    if field in _DATES and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _change(event: AuditEvent, person: str) -> MembershipChange:
    before, after = event.before or {}, event.after or {}
    if event.action == "membership.create":
        fields = [FieldChange(f, None, _value(f, after[f])) for f in FIELDS if after.get(f) is not None]
        return MembershipChange(event, "added", person, fields)
    if event.action != "membership.update":
        return MembershipChange(event, "removed", person, [])
    changed = [f for f in FIELDS if f in after or f in before]
    if after.get("end_date") and not before.get("end_date"):
        kind: ChangeKind = "ended"
    elif changed == ["role"]:
        kind = "role_changed"
    else:
        kind = "changed"
    fields = [FieldChange(f, _value(f, before.get(f)), _value(f, after.get(f))) for f in changed]
    return MembershipChange(event, kind, person, fields)


def for_group(session: Session, group_id: int, *, limit: int = 50) -> list[MembershipChange]:
    """The group's latest membership changes, newest first, in two queries."""
    seat_ids = select(cast(Membership.id, String)).where(Membership.group_id == group_id)
    events = audit.events_for(session, entity_type="membership", entity_ids=seat_ids, limit=limit)
    if not events:
        return []
    names = dict(session.exec(
        select(Membership.id, Stakeholder.name).join(Stakeholder, Stakeholder.id == Membership.stakeholder_id)
        .where(Membership.group_id == group_id)).all())
    return [_change(event, names.get(int(event.entity_id or 0), "")) for event in events]
