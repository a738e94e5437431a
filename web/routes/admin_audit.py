"""The audit log for admins: who changed what and when, filtered, newest first, with each
change shown as the fields it changed (before and after)."""

import json
import re
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
from api.dashboards.record_names import RecordName, record_names
from api.deps import SessionDep
from web.auth import page_requires
from web.labels import (
    ACTION_STATUS_LABELS,
    AUDIT_ACTION_LABELS,
    AUDIT_CHANGE_LABELS,
    AUDIT_FIELD_LABELS,
    AUDIT_TYPE_LABELS,
    AUDIT_VERBS,
    CONTRIBUTION_KIND_LABELS,
    GROUP_KIND_LABELS,
    MEETING_STATUS_LABELS,
    MINUTES_STATUS_LABELS,
    PILOT_STATUS_LABELS,
    PLAN_LABELS,
    ROLE_LABELS,
    SECTOR_LABELS,
    VENUE_KIND_LABELS,
)
from web.templating import is_fragment_request, long_date, render

router = APIRouter(prefix="/admin")

AuditReader = Annotated[Subject, Depends(page_requires(authz.may_read_audit_log))]
PAGE_SIZE = 50
LONGEST_VALUE = 300
Names = dict[tuple[str, str], RecordName]
# Every kind of record the services audit, as the filter offers them.
ENTITY_TYPE_CHOICES = {kind: AUDIT_TYPE_LABELS[kind] for kind in ENTITY_TYPES}

# The longest value each text filter can match (the audit_event columns' sizes).
LIMITS = {"entity_id": ("Record ID", 64), "action": ("Action", 40), "actor": ("Who", 254)}


# Fields whose values are keys of other records, and the kind of record they name.
REF_FIELDS = {"stakeholder_id": "stakeholder", "owner_id": "stakeholder", "lead_id": "stakeholder",
              "group_id": "group", "parent_id": "group", "organisation_id": "organisation",
              "on_behalf_of_id": "organisation", "meeting_id": "meeting", "approved_at_meeting_id": "meeting",
              "agenda_item_id": "agenda_item", "place_code": "area", "series_id": "meeting_series"}
# Fields whose values are lists of keys (a pilot's Places and partners).
LIST_REF_FIELDS = {"place_codes": "area", "partner_ids": "organisation"}
# Words for stored values, by field (and, for "status" and "kind", by the type of record).
VALUE_WORDS = {"role": ROLE_LABELS, "sector": SECTOR_LABELS, "plan_status": PLAN_LABELS,
               "venue_kind": VENUE_KIND_LABELS, ("status", "action"): ACTION_STATUS_LABELS,
               ("status", "meeting"): MEETING_STATUS_LABELS, ("status", "pilot"): PILOT_STATUS_LABELS,
               ("kind", "group"): GROUP_KIND_LABELS, ("kind", "contribution"): CONTRIBUTION_KIND_LABELS}
# What an event's record is, when the log names it by another record (minutes by their meeting).
NAMED_BY = {"minutes": "meeting", "attendance": "meeting"}
# Bookkeeping the services record that tells an admin nothing.
HIDDEN_FIELDS = {"id", "version", "sequence", "token_generation", "feed_generation"}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _cut(text: str) -> str:
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def _field_label(field: str) -> str:
    return AUDIT_FIELD_LABELS.get(field) or field.replace("_", " ").capitalize()


def _shown(value: Any, field: str = "", entity_type: str = "", names: Names | None = None) -> str:
    """A recorded value in words (the template escapes it): names for keys, dates as dates,
    vocabularies in their words; long values are cut short."""
    if value is None or value == [] or value == {}:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field in REF_FIELDS and names is not None and isinstance(value, int | str):
        found = names.get((REF_FIELDS[field], str(value)))
        if found is not None and REF_FIELDS[field] == "meeting":
            return _cut(_meeting_words(found))
        if found is not None and found.name:
            return _cut(found.name)
    if field in LIST_REF_FIELDS and isinstance(value, list) and names is not None:
        return _cut(", ".join(_name_or(names, LIST_REF_FIELDS[field], key, str(key)) for key in value))
    words = VALUE_WORDS.get(field) or VALUE_WORDS.get((field, entity_type))
    if words and value in words:
        return words[value]
    if (field, entity_type) == ("status", "minutes") and value in MINUTES_STATUS_LABELS:
        return MINUTES_STATUS_LABELS[value].capitalize()
    if isinstance(value, str):
        if _DAY.match(value):
            return long_date(date.fromisoformat(value))
        if _MOMENT.match(value):
            try:
                return long_date(datetime.fromisoformat(value), "%H:%M")
            except ValueError:
                pass
        return _cut(value or "(empty)")
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"{len(value)} entries" if len(value) != 1 else "1 entry"
    if isinstance(value, int | float):
        return f"{value:,}"
    return _cut(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _changes(event: AuditEvent, names: Names) -> list[dict[str, str]]:
    """One row per field: what it was (updates, deletions) and what it became (creations, updates)."""
    before, after = event.before or {}, event.after or {}
    fields = sorted((set(before) | set(after)) - HIDDEN_FIELDS, key=_field_label)
    return [{"field": _field_label(key),
             "before": _shown(before.get(key), key, event.entity_type, names) if event.before is not None else "",
             "after": _shown(after.get(key), key, event.entity_type, names) if event.after is not None else ""}
            for key in fields]


def _action_words(event: AuditEvent) -> str:
    """"Membership ended", "Minutes approved", "Account disabled": the event in words."""
    before, after = event.before or {}, event.after or {}
    if event.action == "membership.update":
        if after.get("end_date") and not before.get("end_date"):
            return AUDIT_ACTION_LABELS["membership.end"]
        if set(after) == {"role"}:
            return AUDIT_ACTION_LABELS["membership.role"]
    for field, value in after.items():
        named = AUDIT_CHANGE_LABELS.get((event.action, field, value)) if isinstance(value, str | bool) else None
        if named:
            return named
    if event.action in AUDIT_ACTION_LABELS:
        return AUDIT_ACTION_LABELS[event.action]
    kind, _, verb = event.action.partition(".")
    if kind in AUDIT_TYPE_LABELS and verb in AUDIT_VERBS:
        return f"{AUDIT_TYPE_LABELS[kind]} {AUDIT_VERBS[verb]}"
    return event.action


def _name_or(names: Names, kind: str, key: Any, default: str) -> str:
    found = names.get((kind, str(key))) if key is not None else None
    return found.name if found is not None and found.name else default


def _meeting_words(found: RecordName) -> str:
    day = long_date(found.at)
    return f"{found.group} meeting on {day}" if not found.name else f"{found.name} ({found.group}), {day}"


def _record(event: AuditEvent, names: Names) -> str | None:
    """The record in words ("Tomasz Whitfield's membership of Age Well"), from the record as it
    is now or, once it is gone, from what the log kept of it; None when there is nothing to name."""
    kind = NAMED_BY.get(event.entity_type, event.entity_type)
    if event.entity_id is None:
        return None
    found = names.get((kind, event.entity_id))
    kept = event.after or event.before or {}
    if kind == "membership":
        person = found.name if found else _name_or(names, "stakeholder", kept.get("stakeholder_id"), "")
        group = found.group if found else _name_or(names, "group", kept.get("group_id"), "")
        return f"{person}'s membership of {group}" if person and group else None
    if found is None:
        return None
    if kind == "meeting":
        words = _meeting_words(found)
        return f"Minutes of the {words}" if event.entity_type == "minutes" else words
    if kind == "action":
        return f"Action {found.detail} of {found.group}: {_cut(found.name or '')}"
    if kind in ("agenda_item", "decision"):
        what = "Decision on" if kind == "decision" else "Agenda item"
        return f"{what} {found.name or ''} ({found.group} meeting on {long_date(found.at)})".replace("  ", " ")
    if kind == "place_update":
        return f"{found.name}'s update for {found.detail}"
    if kind == "contribution":
        return f"{found.name}'s contribution"
    if kind == "user":
        return f"{found.name} ({found.detail})" if found.name != found.detail else found.name
    return found.name


def _refs(events: list[AuditEvent]) -> set[tuple[str, str]]:
    """Every record a page of events names: each event's own, and those its values refer to."""
    refs = set()
    for event in events:
        if event.entity_id is not None:
            refs.add((NAMED_BY.get(event.entity_type, event.entity_type), event.entity_id))
        for values in (event.before or {}, event.after or {}):
            for field, value in values.items():
                if field in REF_FIELDS and isinstance(value, int | str) and not isinstance(value, bool):
                    refs.add((REF_FIELDS[field], str(value)))
                elif field in LIST_REF_FIELDS and isinstance(value, list):
                    refs.update((LIST_REF_FIELDS[field], str(key)) for key in value)
    return refs


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
    # Every record named on the page, in one query (api/dashboards/record_names.py).
    records = record_names(session, _refs(events)) if events else {}
    rows = [{"event": e, "when": long_date(e.occurred_at, "%H:%M:%S %Z"), "who": _who(e, names),
             "action": _action_words(e), "entity": AUDIT_TYPE_LABELS.get(e.entity_type, e.entity_type),
             "record": _record(e, records), "changes": _changes(e, records)} for e in events]
    query = {key: value for key, value in form.items() if value}
    return render(request, "pages/admin/audit.html", {
        "title": "Audit log", "nav": "admin", "form": form, "errors": errors, "rows": rows,
        "entity_types": ENTITY_TYPE_CHOICES, "query": query, "next_cursor": next_cursor, "older": bool(cursor),
        "fragment": is_fragment_request(request),
    }, status=422 if errors else 200, block="results")
