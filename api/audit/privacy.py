"""What the audit log holds about a person: the events that are theirs, found by ids only, and
anonymising the events that name them.

The audit log cannot know which rows of other domains are the person's, so each domain names
them as `Refs` (an entity type and a query of ids); `api/privacy.py` gathers them."""

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, or_
from sqlmodel import Session, select

from api.audit.models import AuditEvent
from api.audit.schemas import EntityType

Refs = list[tuple[EntityType, Select]]


def ids_of(column, owner_column, owner_id: int) -> Select:
    """The ids of a person's rows of one table, as the audit log holds them (text)."""
    return select(cast(column, String)).where(owner_column == owner_id)


def _about(refs: Refs, user_id: int | None) -> list[ColumnElement[bool]]:
    conditions = [(AuditEvent.entity_type == kind) & AuditEvent.entity_id.in_(ids) for kind, ids in refs]
    if user_id is not None:
        conditions.append((AuditEvent.actor_kind == "user") & (AuditEvent.actor_id == str(user_id)))
    return conditions


def own_events(session: Session, *, refs: Refs, user_id: int) -> list[AuditEvent]:
    """The person's own events: what they did (as the actor) and what was done to the records
    `refs` names. Never by matching their email or name in the text of events: that finds other
    people's records (`ctim@` is inside `victim@`) and group records that merely mention them
    (draft or confidential minutes)."""
    return list(session.exec(select(AuditEvent).where(or_(*_about(refs, user_id))).order_by(AuditEvent.id)))


def personal_data(events: list[AuditEvent]) -> dict[str, Any]:
    return {"audit_events": [
        {"occurred_at": e.occurred_at.isoformat(), "action": e.action, "actor": e.actor_label,
         "entity_type": e.entity_type, "entity_id": e.entity_id, "before": e.before, "after": e.after}
        for e in events
    ]}


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


def anonymise(session: Session, *, refs: Refs, user_id: int | None, needles: list[str | None], label: str) -> None:
    """Replace each needle (the person's names and addresses) with `label` wherever it stands
    whole in an event. The query over-finds (a name inside a longer one, or events of the
    person's records that do not name them); `_scrub` changes only whole matches."""
    whole = sorted({n for n in needles if n}, key=len, reverse=True)
    conditions = _about(refs, user_id)
    for needle in whole:
        conditions.append(cast(AuditEvent.before, String).contains(needle))
        conditions.append(cast(AuditEvent.after, String).contains(needle))
        conditions.append(AuditEvent.actor_label == needle)
    if not conditions:
        return
    for event in session.exec(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)):
        event.before = _scrub(event.before, whole, label)
        event.after = _scrub(event.after, whole, label)
        event.actor_label = _scrub(event.actor_label, whole, label)
