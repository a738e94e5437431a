"""Recording a meeting on its page: agenda items, attendance (one click per person), minutes
per item and their approval, decisions and actions; for the group's chair, vice chair and
secretary, and admins (the rule is `authz.may_manage_group_business`, via api/access.py).

Every form works without JavaScript (303 back to the page, or the page again with 422 and the
typed text kept); with htmx only the changed section comes back, with a message for the page's
live region.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.access import ensure_manager
from api.authz import Subject
from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput, NotFound, ProblemError
from api.core.schemas import MULTI_LINE, Id
from api.deps import SessionDep
from api.meetings import actions, agenda, attendance, decisions, minutes, service
from api.meetings.models import AgendaItem
from api.meetings.schemas import (
    ATTENDANCE_STATUSES,
    ActionCreate,
    AgendaItemCreate,
    AgendaItemUpdate,
    DecisionCreate,
)
from web.auth import ReaderChangingGroupBusiness
from web.forms import field_errors, form_id
from web.routes.meetings import NOTICES, editor_context
from web.templating import is_fragment_request, render

router = APIRouter()

Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=2_000)]
MINUTE_LIMIT = 100_000

# Which sections an htmx answer swaps: the one changed, and those whose forms list agenda items.
SECTIONS = {"agenda": ("agenda", "decisions", "actions"), "decisions": ("decisions",), "actions": ("actions",),
            "attendance": ("attendance",)}
ANCHORS = {"agenda": "agenda-heading", "decisions": "decisions-heading", "actions": "actions-heading",
           "attendance": "attendance-heading"}


class FormProblem(Exception):
    """Field errors found before calling a service: {field id: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form has errors")
        self.errors = errors


def _officer_access(session, subject: Subject, meeting_id: int, what: str):
    """The meeting and the caller's access, refusing (403, audited) anyone who may not manage it."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    ensure_manager(session, access, what)
    return meeting, access


def _mapped(error: ProblemError | ValidationError, fields: dict[str, tuple[str, str]], fallback: str) -> dict:
    """Service or schema errors as {field id: "Label: message"}; anything unplaced on `fallback`."""
    if isinstance(error, (ValidationError, InvalidInput)):
        found = field_errors(error, {name: label for name, (_, label) in fields.items()})
    else:
        found = {"form": error.detail}
    messages: dict[str, str] = {}
    for key, message in found.items():
        messages.setdefault(fields[key][0] if key in fields else fallback, message)
    return messages


def _choice(value: str, allowed: set[int], field_id: str, message: str) -> int | None:
    """A chosen id from a form's select (blank: none), which must be one of those offered."""
    if not value:
        return None
    chosen = form_id(value)
    if chosen not in allowed:
        raise FormProblem({field_id: message})
    return chosen


def _seated(session, meeting, value: str, name: str, fields: dict[str, tuple[str, str]],
            keep: int | None = None) -> tuple[int | None, dict[str, str]]:
    """The person chosen in a select (blank: none), and the field's error if they may not be
    chosen: the service's own rule (service.check_seated, which the service applies again),
    asked here first so that the form shows every mistake at once. `keep`: the person already
    there, who may stay even after leaving the group, as in the service."""
    if not value:
        return None, {}
    chosen = form_id(value) or 0  # not an id: 0, which no one has
    if chosen == keep:
        return chosen, {}
    try:
        service.check_seated(session, group_id=meeting.group_id, on=service.meeting_day(meeting),
                             people={name: chosen})
    except InvalidInput as error:
        return None, _mapped(error, fields, fields[name][0])
    return chosen, {}


def _item(value: str, items: set[int], field_id: str) -> int | None:
    return _choice(value, items, field_id, "Choose an agenda item of this meeting")


def _answer(request: Request, session, subject: Subject, meeting_id: int, *, section: str, notice_key: str,
            errors: dict | None = None, form: dict | None = None, row: int | None = None):
    """303 back to the page (no JavaScript) or, for htmx, the changed section; 422 with the form
    again (typed text kept) when something was wrong."""
    if not errors and not is_fragment_request(request):
        return RedirectResponse(f"/meetings/{meeting_id}?done={notice_key}#{ANCHORS[section]}", status_code=303)
    notice = None if errors else NOTICES[notice_key]
    ctx = editor_context(session, subject, meeting_id, errors=errors, form=form, notice=notice)
    status = 422 if errors else 200
    if not is_fragment_request(request):
        if errors:
            ctx["title"] = f"Error: {ctx['title']}"
        return render(request, "pages/meetings/detail.html", ctx, status=status)
    if errors:
        ctx["notice"] = "There is a problem: " + " ".join(errors.values())
    ctx.update(swap=SECTIONS[section], row=row)
    return render(request, "partials/meeting_edit/answer.html", ctx, status=status)


# Agenda -------------------------------------------------------------------------------------------

ITEM_FIELDS = {"title": ("title", "Title"), "ref": ("ref", "Reference"), "lead_id": ("lead", "Lead"),
               "purpose": ("purpose", "Purpose")}


def _item_fields(prefix: str) -> dict[str, tuple[str, str]]:
    return {name: (f"{prefix}-{suffix}", label) for name, (suffix, label) in ITEM_FIELDS.items()}


@router.post("/meetings/{meeting_id}/agenda-items")
def add_item(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
             title: Short = "", ref: Short = "", lead_id: Short = "", purpose: Short = "",
             confidential: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    fields = _item_fields("new-item")
    form = {"new-item-title": title, "new-item-ref": ref, "new-item-lead": lead_id, "new-item-purpose": purpose,
            "new-item-confidential": bool(confidential)}
    errors = {}
    try:
        lead, problems = _lead(session, meeting, title, lead_id, fields)
        if problems:
            raise FormProblem(problems)
        data = AgendaItemCreate(title=title, ref=ref.strip() or None, lead_id=lead, purpose=purpose,
                                confidential=bool(confidential))
        with savepoint(session):
            agenda.add_agenda_item(session, access=access, meeting=meeting, data=data.model_dump())
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, fields, "new-item-ref" if isinstance(error, Conflict) else "new-item-title")
    return _answer(request, session, subject, meeting_id, section="agenda", notice_key="item-added",
                   errors=errors, form=form)


def _lead(session, meeting, title: str, lead_id: str, fields: dict[str, tuple[str, str]],
          keep: int | None = None) -> tuple[int | None, dict[str, str]]:
    """The chosen lead, and every mistake in the item's title and lead at once."""
    lead, problems = _seated(session, meeting, lead_id, "lead_id", fields, keep)
    if not title.strip():
        problems = {fields["title"][0]: "Enter a title for the agenda item", **problems}
    return lead, problems


def _meeting_item(session, meeting, item_id: int):
    item = session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(f"No agenda item with id {item_id} in this meeting.")
    return item


@router.post("/meetings/{meeting_id}/agenda-items/{item_id}")
def change_item(meeting_id: Id, item_id: Id, request: Request, session: SessionDep,
                subject: ReaderChangingGroupBusiness, title: Short = "", lead_id: Short = "", purpose: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    item = _meeting_item(session, meeting, item_id)
    prefix = f"item-{item.id}"
    form = {f"{prefix}-title": title, f"{prefix}-lead": lead_id, f"{prefix}-purpose": purpose}
    errors = {}
    try:
        lead, problems = _lead(session, meeting, title, lead_id, _item_fields(prefix), keep=item.lead_id)
        if problems:
            raise FormProblem(problems)
        changes = AgendaItemUpdate(title=title, lead_id=lead, purpose=purpose).model_dump()
        with savepoint(session):
            agenda.update_agenda_item(session, access=access, item=item, changes={
                key: changes[key] for key in ("title", "lead_id", "purpose")})
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, _item_fields(prefix), f"{prefix}-title")
    return _answer(request, session, subject, meeting_id, section="agenda", notice_key="item-changed",
                   errors=errors, form=form)


@router.post("/meetings/{meeting_id}/agenda-items/{item_id}/remove")
def remove_item(meeting_id: Id, item_id: Id, request: Request, session: SessionDep,
                subject: ReaderChangingGroupBusiness):
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    item = _meeting_item(session, meeting, item_id)
    errors = {}
    try:
        with savepoint(session):
            agenda.delete_agenda_item(session, access=access, item=item)
    except Conflict as error:
        detail = error.detail[:1].lower() + error.detail[1:]
        errors = {f"item-{item_id}-remove": f"This item cannot be removed: {detail}"}
    return _answer(request, session, subject, meeting_id, section="agenda", notice_key="item-removed",
                   errors=errors)


# Attendance -----------------------------------------------------------------------------------

@router.post("/meetings/{meeting_id}/attendance/{stakeholder_id}")
def record_attendance(meeting_id: Id, stakeholder_id: Id, request: Request, session: SessionDep,
                      subject: ReaderChangingGroupBusiness, status: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "record attendance")
    errors = {}
    try:
        if status not in ATTENDANCE_STATUSES:
            raise FormProblem({f"attendee-{stakeholder_id}": "Choose present, in attendance, apologies or absent"})
        with savepoint(session):
            attendance.set_attendance(session, access=access, meeting=meeting, stakeholder_id=stakeholder_id,
                                      status=status)
    except FormProblem as problem:
        errors = problem.errors
    except InvalidInput as error:
        errors = {"attendance": f"Attendance: {error.detail}"}
    return _answer(request, session, subject, meeting_id, section="attendance", notice_key="attendance",
                   errors=errors, row=stakeholder_id)


# Minutes --------------------------------------------------------------------------------------

@router.post("/meetings/{meeting_id}/minutes/{item_id}")
def save_minute(meeting_id: Id, item_id: Id, request: Request, session: SessionDep,
                subject: ReaderChangingGroupBusiness,
                text: Annotated[str, Form(max_length=MINUTE_LIMIT * 2), MULTI_LINE] = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "write minutes")
    item = _meeting_item(session, meeting, item_id)
    field = f"minute-{item.id}"
    errors = {}
    try:
        if len(text) > MINUTE_LIMIT:
            raise FormProblem({field: f"The minute must be {MINUTE_LIMIT:,} characters or fewer"})
        with savepoint(session):
            minutes.write_item(session, access=access, meeting=meeting, agenda_item_id=item.id, text=text)
    except FormProblem as problem:
        errors = problem.errors
    except (InvalidInput, Conflict) as error:
        errors = {field: f"Minute: {error.detail}"}
    return _answer(request, session, subject, meeting_id, section="agenda", notice_key="minute", errors=errors,
                   form={field: text})


@router.post("/meetings/{meeting_id}/minutes-approval")
def approve_minutes(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
                    approved_at_meeting_id: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "approve minutes")
    errors = {}
    try:
        with savepoint(session):
            minutes.approve(session, access=access, meeting=meeting,
                            approved_at_meeting_id=form_id(approved_at_meeting_id))
    except (InvalidInput, Conflict) as error:
        errors = {"approve-meeting": f"Approval: {error.detail}"}
    return _answer(request, session, subject, meeting_id, section="agenda", notice_key="approved", errors=errors,
                   form={"approve-meeting": approved_at_meeting_id})


# Decisions and actions ------------------------------------------------------------------------

@router.post("/meetings/{meeting_id}/decisions")
def record_decision(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
                    text: Text = "", agenda_item_id: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "record a decision")
    form = {"decision-text": text, "decision-item": agenda_item_id}
    errors = {}
    try:
        if not text.strip():
            raise FormProblem({"decision-text": "Enter the decision"})
        items = {i.id for i in agenda.agenda(session, access=access, meeting_id=meeting.id)}
        data = DecisionCreate(text=text, agenda_item_id=_item(agenda_item_id, items, "decision-item"))
        with savepoint(session):
            decisions.record_decision(session, access=access, meeting=meeting, data=data.model_dump())
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput) as error:
        errors = _mapped(error, {"text": ("decision-text", "Decision"), "agenda_item_id": ("decision-item",
                                                                                          "Agenda item")},
                         "decision-text")
    return _answer(request, session, subject, meeting_id, section="decisions", notice_key="decision",
                   errors=errors, form=form)


ACTION_FIELDS = {"text": ("action-text", "Action"), "owner_id": ("action-owner", "Owner"),
                 "due_date": ("action-due", "Due date"), "agenda_item_id": ("action-item", "Agenda item")}


@router.post("/meetings/{meeting_id}/actions")
def set_action(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
               text: Text = "", owner_id: Short = "", due_date: Short = "", agenda_item_id: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "add an action")
    form = {"action-text": text, "action-owner": owner_id, "action-due": due_date, "action-item": agenda_item_id}
    errors: dict[str, str] = {}
    try:
        problems = {}
        if not text.strip():
            problems["action-text"] = "Enter the action"
        due = None
        if due_date.strip():
            try:
                due = date.fromisoformat(due_date.strip())
            except ValueError:
                problems["action-due"] = "Enter the due date as a real date, like 2027-01-31"
        owner, owner_problems = _seated(session, meeting, owner_id, "owner_id", ACTION_FIELDS)
        problems.update(owner_problems)
        try:
            _item(agenda_item_id, {i.id for i in agenda.agenda(session, access=access, meeting_id=meeting.id)},
                  "action-item")
        except FormProblem as problem:
            problems.update(problem.errors)
        if problems:
            raise FormProblem(problems)
        data = ActionCreate(group_id=meeting.group_id, meeting_id=meeting.id, text=text, due_date=due,
                            owner_id=owner,
                            agenda_item_id=int(agenda_item_id) if agenda_item_id else None)
        with savepoint(session):
            actions.create_action(session, subject=subject, data=data.model_dump())
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, ACTION_FIELDS, "action-text")
    return _answer(request, session, subject, meeting_id, section="actions", notice_key="action",
                   errors=errors, form=form)
