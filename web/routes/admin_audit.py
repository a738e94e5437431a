"""The audit log for admins: who changed what and when, filtered, newest first, with each
change shown as the fields it changed (before and after)."""

import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session

from api import authz
from api.audit import service as audit
from api.audit.models import AuditEvent
from api.audit.schemas import ENTITY_TYPES
from api.auth import service as accounts
from api.authz import Subject
from api.core.pagination import PageParams
from api.core.types import LONDON
from api.deps import SessionDep
from web.auth import page_requires
from web.labels import AUDIT_TYPE_LABELS
from web.templating import is_fragment_request, long_date, render

router = APIRouter(prefix="/admin")

AuditReader = Annotated[Subject, Depends(page_requires(authz.may_read_audit_log))]
PAGE_SIZE = 50
LONGEST_VALUE = 300
# Every kind of record the services audit, as the filter offers them.
ENTITY_TYPE_CHOICES = {kind: AUDIT_TYPE_LABELS[kind] for kind in ENTITY_TYPES}

# The longest value each text filter can match (the audit_event columns' sizes).
LIMITS = {"entity_id": ("Record ID", 64), "action": ("Action", 40), "actor": ("Who", 254)}


def _shown(value: Any) -> str:
    """A recorded value as text (the template escapes it); long values are cut short."""
    if value is None or value == [] or value == {}:
        text = "(none)"
    elif isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, str):
        text = value or "(empty)"
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def _changes(event: AuditEvent) -> list[dict[str, str]]:
    """One row per field: what it was (updates, deletions) and what it became (creations, updates)."""
    before, after = event.before or {}, event.after or {}
    fields = sorted(set(before) | set(after), key=lambda key: (key != "id", key))
    return [{"field": key,
             "before": _shown(before.get(key)) if event.before is not None else "",
             "after": _shown(after.get(key)) if event.after is not None else ""} for key in fields]


def _actor_names(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    """"Name (email)" for the people behind a page of events, in one query."""
    ids = {int(e.actor_id) for e in events if e.actor_kind == "user" and (e.actor_id or "").isdigit()}
    return {str(account_id): f"{name} ({email})" if name else email
            for account_id, (email, name) in accounts.account_names(session, ids).items()}


def _who(event: AuditEvent, names: dict[str, str]) -> str:
    if event.actor_kind == "user":
        return names.get(event.actor_id or "", f"{event.actor_label} (account since removed)")
    if event.actor_kind == "client":
        return f"{event.actor_label} (partner client)"
    return "The system" if event.actor_kind == "system" else event.actor_label


def _check(session: Session, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The service's filters from what was typed, or a message for each field that is wrong."""
    errors: dict[str, str] = {}
    filters: dict[str, Any] = {}
    if form["entity_type"]:
        if form["entity_type"] in ENTITY_TYPES:
            filters["entity_type"] = form["entity_type"]
        else:
            errors["entity_type"] = "Select a type of record from the list"
    for field, (label, limit) in LIMITS.items():
        if len(form[field]) > limit:
            errors[field] = f"{label} must be {limit} characters or fewer"
        elif any(ord(c) < 32 or ord(c) == 127 for c in form[field]):
            errors[field] = f"{label} must not contain control characters"
    if form["entity_id"] and "entity_id" not in errors:
        filters["entity_id"] = form["entity_id"]
    if form["action"] and "action" not in errors:
        filters["action"] = form["action"]
    if form["since"]:
        try:
            day = date.fromisoformat(form["since"])
            if day.year < 2000:
                raise ValueError(day)
            filters["since"] = datetime(day.year, day.month, day.day, tzinfo=LONDON)
        except ValueError:
            errors["since"] = "Since must be a real date after 2000"
    if form["actor"] and "actor" not in errors:
        if "@" in form["actor"]:
            account = accounts.user_by_email(session, form["actor"])
            if account is None:
                errors["actor"] = "No account has this email address"
            else:
                filters["actor_id"] = str(account.id)
        else:
            filters["actor_id"] = form["actor"]  # a partner client's id (or an account number)
    return filters, errors


Text = Annotated[str, Query()]


@router.get("/audit")
def audit_log(request: Request, session: SessionDep, _: AuditReader,
              entity_type: Text = "", entity_id: Text = "", action: Text = "", actor: Text = "", since: Text = "",
              cursor: Annotated[str | None, Query(max_length=512)] = None):
    form = {"entity_type": entity_type.strip(), "entity_id": entity_id.strip(), "action": action.strip(),
            "actor": actor.strip(), "since": since.strip()}
    filters, errors = _check(session, form)
    events, next_cursor, names = [], None, {}
    if not errors:
        events, next_cursor = audit.list_events(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor), **filters)
        names = _actor_names(session, events)
    rows = [{"event": e, "when": long_date(e.occurred_at, "%H:%M:%S %Z"), "who": _who(e, names),
             "entity": AUDIT_TYPE_LABELS.get(e.entity_type, e.entity_type), "changes": _changes(e)} for e in events]
    query = {key: value for key, value in form.items() if value}
    return render(request, "pages/admin/audit.html", {
        "title": "Audit log", "nav": "admin", "form": form, "errors": errors, "rows": rows,
        "entity_types": ENTITY_TYPE_CHOICES, "query": query, "next_cursor": next_cursor, "older": bool(cursor),
        "fragment": is_fragment_request(request),
    }, status=422 if errors else 200, block="results")
