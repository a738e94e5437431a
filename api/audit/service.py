"""Recording and reading the audit log."""

from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, Select
from sqlmodel import Session, SQLModel, select

from api.audit.models import AuditEvent
from api.audit.schemas import EntityType
from api.authz import Subject
from api.core.pagination import PageParams, paginate

# Set by the request middleware, so every event of one request can be tied together.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_NOT_AUDITED = {"created_at", "updated_at"}
M = TypeVar("M", bound=SQLModel)


def snapshot(entity: SQLModel) -> dict[str, Any]:
    """The entity's column values as JSON-ready data."""
    values = {}
    for key in entity.__class__.model_fields:
        if key in _NOT_AUDITED or key.endswith("_hash"):
            continue
        value = getattr(entity, key)
        if isinstance(value, date | datetime):
            value = value.isoformat()
        values[key] = value
    return values


def record(
    session: Session,
    *,
    actor: Subject,
    action: str,
    entity_type: EntityType,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        changed.discard("version")
        # Keep only what changed (and the id), so the log reads as a diff.
        before = {k: before.get(k) for k in changed}
        after = {k: after.get(k) for k in changed}
    event = AuditEvent(
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        request_id=request_id_var.get(),
    )
    session.add(event)
    session.flush()
    return event


def record_denial(engine: Engine, *, actor: Subject, rule: str, target: str) -> None:
    """A refused request, written in its own transaction: the request's own is rolled back."""
    with Session(engine) as session:
        record(session, actor=actor, action="authz.denied", entity_type="route", entity_id=target[:64],
               after={"rule": rule, "target": target[:500]})
        session.commit()


def list_events(
    session: Session,
    *,
    page: PageParams,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    actor_id: str | None = None,
    since: datetime | None = None,
) -> tuple[list[AuditEvent], str | None]:
    stmt = select(AuditEvent)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    return paginate(session, stmt, order=[AuditEvent.id], page=page, descending=True)


def events_for(session: Session, *, entity_type: EntityType, entity_ids, limit: int = 50) -> list[AuditEvent]:
    """The latest events about any of several records of one type (newest first), in one query.
    `entity_ids` may be a list or a subquery of ids."""
    ids = entity_ids if isinstance(entity_ids, Select) else [str(i) for i in entity_ids]
    stmt = (select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_(ids))
            .order_by(AuditEvent.id.desc()).limit(limit))
    return list(session.exec(stmt))


def add_entity(session: Session, entity: M, *, actor: Subject, entity_type: EntityType) -> M:
    """Insert and audit (`<type>.create` with the new values)."""
    session.add(entity)
    session.flush()
    record(session, actor=actor, action=f"{entity_type}.create", entity_type=entity_type,
                 entity_id=entity.id, after=snapshot(entity))
    return entity


def change_entity(session: Session, entity: M, changes: dict[str, Any], *, actor: Subject,
                  entity_type: EntityType) -> M:
    """Apply `changes` and audit before/after; a change that changes nothing writes nothing."""
    before = snapshot(entity)
    for key, value in changes.items():
        setattr(entity, key, value)
    after = snapshot(entity)
    if after == before:
        return entity
    session.flush()
    record(session, actor=actor, action=f"{entity_type}.update", entity_type=entity_type,
                 entity_id=entity.id, before=before, after=snapshot(entity))
    return entity


def remove_entity(session: Session, entity: M, *, actor: Subject, entity_type: EntityType) -> None:
    before = snapshot(entity)
    session.delete(entity)
    session.flush()
    record(session, actor=actor, action=f"{entity_type}.delete", entity_type=entity_type,
                 entity_id=before["id"], before=before)
