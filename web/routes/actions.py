"""The action log (filters, paging, CSV) and posting an update to an action, inline with htmx
or as a plain form."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from pydantic import ValidationError

from api import authz
from api.authz import Subject
from api.core.db import savepoint
from api.core.errors import InvalidInput
from api.core.pagination import PageParams
from api.core.schemas import SINGLE_LINE, Id
from api.deps import SessionDep
from api.meetings import actions
from api.meetings.schemas import ActionNoteCreate, ActionSort, ActionStatus
from api.meetings.summary import action_rows, one_action
from api.registry import service as registry
from api.registry.models import Group
from web.auth import GroupBusinessViewer, ReaderChangingGroupBusiness
from web.forms import BlankOrId, field_errors, safe_next
from web.labels import ACTION_OWNER_LABELS, ACTION_SORT_LABELS, ACTION_STATUS_LABELS, OwnerFilter
from web.templating import is_fragment_request, render

router = APIRouter()

PAGE_SIZE = 25
OWNER_CHOICES = list(ACTION_OWNER_LABELS.items())
# "" (either status) comes last: the log opens on open actions.
STATUS_CHOICES = [*ACTION_STATUS_LABELS.items(), ("", "Open or closed")]
# The status filter: one status, or "" for either (the form's last option).
StatusFilter = ActionStatus | Literal[""]


def _filters(subject: Subject, owner: str, group: int | None, status: str, overdue: bool) -> dict:
    return {"owner_id": subject.stakeholder_id or -1 if owner == "me" else None, "group_id": group,
            "status": status or None, "overdue": overdue or None}


@router.get("/actions")
def action_log(request: Request, session: SessionDep, subject: GroupBusinessViewer,
               owner: OwnerFilter = "all",
               group: BlankOrId = None,
               status: StatusFilter = "open",
               overdue: bool = False, cursor: Annotated[str | None, Query(max_length=512)] = None,
               sort: ActionSort = "group"):
    filters = _filters(subject, owner, group, status, overdue)
    rows, next_cursor = actions.list_actions(session, subject=subject, page=PageParams(limit=PAGE_SIZE, cursor=cursor),
                                             sort=sort, **filters)
    groups = registry.all_groups(session)
    query = {"owner": owner, "status": status, **({"group": group} if group else {}),
             **({"overdue": "true"} if overdue else {})}
    return render(request, "pages/actions/index.html", {
        "title": "Action log", "nav": "actions", "items": action_rows(session, rows), "next_cursor": next_cursor,
        "groups": groups, "group_names": {g.id: g.name for g in groups},
        "query": {**query, **({"sort": sort} if sort != "group" else {})}, "sorts": ACTION_SORT_LABELS, "sort": sort,
        "owner_options": OWNER_CHOICES, "status_options": STATUS_CHOICES,
        "group_options": [(g.id, g.name) for g in groups], "sort_options": list(ACTION_SORT_LABELS.items()),
        "owner": owner, "group": group, "status": status, "overdue": overdue,
        "csv_url": request.url_for("action_log_csv").include_query_params(**query), "next": "/actions",
    })


@router.get("/actions.csv")
def action_log_csv(request: Request, subject: GroupBusinessViewer,
                   owner: OwnerFilter = "all",
                   group: BlankOrId = None,
                   status: StatusFilter = "",
                   overdue: bool = False):
    """The filtered log as CSV (every page), streamed."""
    return StreamingResponse(actions.export_csv(request.app.state.engine, subject=subject,
                                                **_filters(subject, owner, group, status, overdue)),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="action-log.csv"'})


@router.get("/actions/{action_id}")
def action_page(action_id: Id, request: Request, session: SessionDep, subject: GroupBusinessViewer):
    """One action with its latest update and, for its owner and the officers, the update form."""
    action, access = actions.get_action(session, subject=subject, action_id=action_id)
    group = session.get(Group, action.group_id)
    return render(request, "pages/actions/detail.html", {
        "title": f"Action {action.number}", "nav": "actions", "action": one_action(session, action),
        "may_update": authz.may_update_action(subject, access.roles, action.owner_id),
        "group_name": group.name if group else "", "errors": {}, "text": "", "notice": None,
        "next": f"/actions/{action.id}"})


@router.post("/actions/{action_id}/updates")
def post_update(action_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
                text: Annotated[str, Form(max_length=20000)] = "", close: Annotated[str, Form(max_length=5)] = "",
                next: Annotated[str, Form(max_length=500), SINGLE_LINE] = "/"):
    """An update from the owner (or an officer), optionally closing the action. htmx gets the
    action's card back; a plain form goes back where it came from."""
    action, access = actions.get_action(session, subject=subject, action_id=action_id)
    errors = {}
    try:
        note = ActionNoteCreate(text=text, close=bool(close))
        with savepoint(session):
            actions.add_update(session, access=access, action=action, text=note.text, on=None, close=note.close)
    except (ValidationError, InvalidInput) as error:
        errors = field_errors(error, {"text": "Update"})
    target = safe_next(next)
    if errors or is_fragment_request(request):
        # htmx swaps the card in place; without JavaScript a page shows the form again, text kept.
        group = session.get(Group, action.group_id)
        notice = None if errors else ("Action closed." if action.status == "closed" else "Update posted.")
        template = "partials/action.html" if is_fragment_request(request) else "pages/actions/detail.html"
        return render(request, template, {
            "title": f"{'Error: ' if errors else ''}Update action {action.number}", "nav": "actions",
            "action": one_action(session, action),
            "may_update": authz.may_update_action(subject, access.roles, action.owner_id),
            # After a success the form is empty again; after a mistake it keeps what was typed.
            "group_name": group.name if group else "", "errors": errors, "text": text if errors else "",
            "notice": notice, "next": target}, status=422 if errors else 200)
    done = "closed" if close else "updated"
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}done={done}", status_code=303)
