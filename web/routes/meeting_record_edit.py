"""The meeting's record on its page: recording, changing and removing decisions and actions, and
approving the previous meeting's minutes at this one (under its "minutes of the last meeting"
item), for the group's officers and admins.

Adding or changing works as on the rest of the meeting page (web/routes/meeting_edit.py): 303
back without JavaScript, or with htmx the changed section, the message for the live region and
focus on the new or changed record (`data-autofocus`); the add forms come back empty.
Removing and approving go through a confirmation page first, which works without JavaScript.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput, NotFound
from api.core.schemas import MULTI_LINE, Id
from api.deps import SessionDep
from api.meetings import actions, agenda, decisions, minutes
from api.meetings.schemas import ActionChange, ActionCreate, DecisionCreate, DecisionUpdate
from api.registry import service as registry
from api.registry.service import names_of
from web.auth import ReaderChangingGroupBusiness
from web.confirming import confirm_page
from web.forms import form_id, plain
from web.labels import ACTION_STATUS_LABELS
from web.routes.meeting_edit import FormProblem, _item, _mapped, _officer_access, _seated, answer
from web.routes.meetings import editor_context
from web.templating import long_date, render

router = APIRouter()

Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=2_000)]
AMENDMENTS_LIMIT = 20_000
AmendmentsText = Annotated[str, Form(max_length=AMENDMENTS_LIMIT * 2), MULTI_LINE]


# Decisions ------------------------------------------------------------------------------------

def _decision_fields(prefix: str) -> dict[str, tuple[str, str]]:
    return {"text": (f"{prefix}-text", "Decision"), "agenda_item_id": (f"{prefix}-item", "Agenda item"),
            "decided_on": (f"{prefix}-date", "Date of the decision")}


@router.post("/meetings/{meeting_id}/decisions")
def record_decision(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
                    text: Text = "", agenda_item_id: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "record a decision")
    form = {"decision-text": text, "decision-item": agenda_item_id}
    errors, focus = {}, None
    try:
        if not text.strip():
            raise FormProblem({"decision-text": "Enter the decision"})
        items = {i.id for i in agenda.agenda(session, access=access, meeting_id=meeting.id)}
        data = DecisionCreate(text=text, agenda_item_id=_item(agenda_item_id, items, "decision-item"))
        with savepoint(session):
            made = decisions.record_decision(session, access=access, meeting=meeting, data=data.model_dump())
        focus = f"decision-{made.id}"
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput) as error:
        errors = _mapped(error, _decision_fields("decision"), "decision-text")
    return answer(request, session, subject, meeting_id, section="decisions", notice_key="decision",
                   errors=errors, form=form, focus=focus)


def _meeting_decision(session, subject, meeting, decision_id: int):
    decision, _ = decisions.get_decision(session, subject=subject, decision_id=decision_id)
    if decision.meeting_id != meeting.id:
        raise NotFound(f"No decision with id {decision_id} at this meeting.")
    return decision


@router.post("/meetings/{meeting_id}/decisions/{decision_id}")
def change_decision(meeting_id: Id, decision_id: Id, request: Request, session: SessionDep,
                    subject: ReaderChangingGroupBusiness, text: Text = "", agenda_item_id: Short = "",
                    decided_on: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "change a decision")
    decision = _meeting_decision(session, subject, meeting, decision_id)
    prefix = f"decision-{decision.id}"
    fields = _decision_fields(prefix)
    form = {f"{prefix}-text": text, f"{prefix}-item": agenda_item_id, f"{prefix}-date": decided_on}
    errors = {}
    try:
        problems = {}
        if not text.strip():
            problems[f"{prefix}-text"] = "Enter the decision"
        day = None
        try:
            day = date.fromisoformat(decided_on.strip())
        except ValueError:
            problems[f"{prefix}-date"] = "Enter the date of the decision as a real date, like 2027-01-31"
        try:
            item = _item(agenda_item_id, {i.id for i in agenda.agenda(session, access=access, meeting_id=meeting.id)},
                         f"{prefix}-item")
        except FormProblem as problem:
            problems.update(problem.errors)
        if problems:
            raise FormProblem(problems)
        changes = DecisionUpdate(text=text, agenda_item_id=item, decided_on=day).model_dump()
        with savepoint(session):
            decisions.update_decision(session, access=access, decision=decision, changes=changes)
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, fields, f"{prefix}-text")
    return answer(request, session, subject, meeting_id, section="decisions", notice_key="decision-changed",
                   errors=errors, form=form, focus=None if errors else prefix)


def _decision_confirm(request, session, meeting, decision, *, error: str | None = None, status: int = 200):
    blocked = None
    try:
        decisions.ensure_open_record(session, meeting.id)
    except Conflict as refusal:
        blocked = refusal.detail
    back = f"/meetings/{meeting.id}#decision-{decision.id}"
    return confirm_page(request, meeting, title="Remove a decision",
                    question="Are you sure you want to remove this decision?",
                    quote=decision.text, details=["It will be deleted from the record; the audit log keeps it."],
                    action=f"/meetings/{meeting.id}/decisions/{decision.id}/remove", button="Remove the decision",
                    cancel=back, blocked=blocked, error=error, status=status)


@router.get("/meetings/{meeting_id}/decisions/{decision_id}/remove")
def confirm_decision_removal(meeting_id: Id, decision_id: Id, request: Request, session: SessionDep,
                             subject: ReaderChangingGroupBusiness):
    meeting, _ = _officer_access(session, subject, meeting_id, "remove a decision")
    return _decision_confirm(request, session, meeting, _meeting_decision(session, subject, meeting, decision_id))


@router.post("/meetings/{meeting_id}/decisions/{decision_id}/remove")
def remove_decision(meeting_id: Id, decision_id: Id, request: Request, session: SessionDep,
                    subject: ReaderChangingGroupBusiness):
    meeting, access = _officer_access(session, subject, meeting_id, "remove a decision")
    decision = _meeting_decision(session, subject, meeting, decision_id)
    try:
        with savepoint(session):
            decisions.delete_decision(session, access=access, decision=decision)
    except Conflict as error:
        return _decision_confirm(request, session, meeting, decision, error=error.detail, status=409)
    return RedirectResponse(f"/meetings/{meeting.id}?done=decision-removed#decisions-notice", status_code=303)


# Actions --------------------------------------------------------------------------------------

ACTION_FIELDS = {"text": ("action-text", "Action"), "owner_id": ("action-owner", "Owner"),
                 "due_date": ("action-due", "Due date"), "agenda_item_id": ("action-item", "Agenda item")}
CHANGE_FIELDS = {"text": ("change-text", "Action"), "owner_id": ("change-owner", "Owner"),
                 "due_date": ("change-due", "Due date"), "status": ("change-status", "Status")}


def _due(value: str, field: str, problems: dict[str, str]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems[field] = "Enter the due date as a real date, like 2027-01-31"
        return None


@router.post("/meetings/{meeting_id}/actions")
def set_action(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
               text: Text = "", owner_id: Short = "", due_date: Short = "", agenda_item_id: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "add an action")
    form = {"action-text": text, "action-owner": owner_id, "action-due": due_date, "action-item": agenda_item_id}
    errors: dict[str, str] = {}
    focus = None
    try:
        problems = {}
        if not text.strip():
            problems["action-text"] = "Enter the action"
        due = _due(due_date, "action-due", problems)
        owner, owner_problems = _seated(session, meeting, owner_id, "owner_id", ACTION_FIELDS)
        problems.update(owner_problems)
        item = None
        try:
            item = _item(agenda_item_id, {i.id for i in agenda.agenda(session, access=access, meeting_id=meeting.id)},
                         "action-item")
        except FormProblem as problem:
            problems.update(problem.errors)
        if problems:
            raise FormProblem(problems)
        data = ActionCreate(group_id=meeting.group_id, meeting_id=meeting.id, text=text, due_date=due,
                            owner_id=owner, agenda_item_id=item)
        with savepoint(session):
            made = actions.create_action(session, subject=subject, data=data.model_dump())
        focus = f"action-{made.id}"
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, ACTION_FIELDS, "action-text")
    return answer(request, session, subject, meeting_id, section="actions", notice_key="action",
                   errors=errors, form=form, focus=focus)


def _meeting_action(session, subject, meeting, action_id: int):
    action, _ = actions.get_action(session, subject=subject, action_id=action_id)
    if action.meeting_id != meeting.id:
        raise NotFound(f"No action with id {action_id} set at this meeting.")
    return action


def _owners(session, meeting, action) -> list[tuple[int, str]]:
    """The group's members, and the action's owner if they have since left (they may keep it)."""
    people = {seat.person.id: seat.person.name for seat in registry.group_roster(session, meeting.group_id)}
    if action.owner_id and action.owner_id not in people:
        people.update(names_of(session, [action.owner_id]))
    return sorted(people.items(), key=lambda m: m[1].lower())


def _action_page(request, session, meeting, action, *, errors=None, form=None, status=200):
    return render(request, "pages/meetings/action_change.html", {
        "title": ("Error: " if errors else "") + f"Change action {action.number}", "nav": "groups",
        "meeting": meeting, "action": action, "errors": errors or {}, "form": form or {},
        "owners": _owners(session, meeting, action), "status_options": list(ACTION_STATUS_LABELS.items())},
        status=status)


@router.get("/meetings/{meeting_id}/actions/{action_id}/change")
def action_change_page(meeting_id: Id, action_id: Id, request: Request, session: SessionDep,
                       subject: ReaderChangingGroupBusiness):
    meeting, _ = _officer_access(session, subject, meeting_id, "change an action")
    return _action_page(request, session, meeting, _meeting_action(session, subject, meeting, action_id))


@router.post("/meetings/{meeting_id}/actions/{action_id}/change")
def change_action(meeting_id: Id, action_id: Id, request: Request, session: SessionDep,
                  subject: ReaderChangingGroupBusiness, text: Text = "", owner_id: Short = "", due_date: Short = "",
                  status: Short = "", version: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "change an action")
    action = _meeting_action(session, subject, meeting, action_id)
    form = {"change-text": text, "change-owner": owner_id, "change-due": due_date, "change-status": status}
    try:
        problems: dict[str, str] = {}
        if form_id(version) != action.version:
            problems["change-text"] = ("Someone else changed this action after you opened this page: check it "
                                       "below and save again")
            form = {}
        if not text.strip():
            problems["change-text"] = "Enter the action"
        if status not in ACTION_STATUS_LABELS:
            problems["change-status"] = "Choose open or closed"
        due = _due(due_date, "change-due", problems)
        owner, owner_problems = _seated(session, meeting, owner_id, "owner_id", CHANGE_FIELDS, keep=action.owner_id)
        problems.update(owner_problems)
        if problems:
            raise FormProblem(problems)
        changes = ActionChange(text=text, owner_id=owner, due_date=due, status=status).model_dump()
        with savepoint(session):
            actions.update_action(session, access=access, action=action, changes=changes)
    except FormProblem as problem:
        return _action_page(request, session, meeting, action, errors=problem.errors, form=form, status=422)
    except (ValidationError, InvalidInput, Conflict) as error:
        return _action_page(request, session, meeting, action, errors=_mapped(error, CHANGE_FIELDS, "change-text"),
                            form=form, status=422)
    return RedirectResponse(f"/meetings/{meeting.id}?done=action-changed#action-{action.id}", status_code=303)


def _action_confirm(request, session, meeting, action, *, error: str | None = None, status: int = 200):
    has_updates = bool(actions.updates_for(session, [action.id])[action.id])
    blocked = (f"Action {action.number} has updates recorded, so it cannot be removed: close it instead "
               "(change it and set its status to closed).") if has_updates else None
    return confirm_page(request, meeting, title=f"Remove action {action.number}",
                    question=f"Are you sure you want to remove action {action.number}?",
                    quote=action.text, details=["It will be deleted from the action log; the audit log keeps it. "
                                                "Its number is not given to another action."],
                    action=f"/meetings/{meeting.id}/actions/{action.id}/remove",
                    button=f"Remove action {action.number}",
                    cancel=f"/meetings/{meeting.id}#action-{action.id}", blocked=blocked, error=error, status=status,
                    change=f"/meetings/{meeting.id}/actions/{action.id}/change" if has_updates else None)


@router.get("/meetings/{meeting_id}/actions/{action_id}/remove")
def confirm_action_removal(meeting_id: Id, action_id: Id, request: Request, session: SessionDep,
                           subject: ReaderChangingGroupBusiness):
    meeting, _ = _officer_access(session, subject, meeting_id, "remove an action")
    return _action_confirm(request, session, meeting, _meeting_action(session, subject, meeting, action_id))


@router.post("/meetings/{meeting_id}/actions/{action_id}/remove")
def remove_action(meeting_id: Id, action_id: Id, request: Request, session: SessionDep,
                  subject: ReaderChangingGroupBusiness):
    meeting, access = _officer_access(session, subject, meeting_id, "remove an action")
    action = _meeting_action(session, subject, meeting, action_id)
    try:
        with savepoint(session):
            actions.delete_action(session, access=access, action=action)
    except Conflict as error:
        return _action_confirm(request, session, meeting, action, error=error.detail, status=409)
    return RedirectResponse(f"/meetings/{meeting.id}?done=action-removed#actions-notice", status_code=303)


# Approving the minutes ------------------------------------------------------------------------

@router.post("/meetings/{meeting_id}/minutes-approval")
def approve_minutes(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
                    approved_at_meeting_id: Short = ""):
    """Approval named from the earlier meeting's side (kept for old forms and scripts; the page
    now approves at the next meeting, below)."""
    meeting, access = _officer_access(session, subject, meeting_id, "approve minutes")
    errors = {}
    try:
        with savepoint(session):
            minutes.approve(session, access=access, meeting=meeting,
                            approved_at_meeting_id=form_id(approved_at_meeting_id))
    except (InvalidInput, Conflict) as error:
        errors = {"approve-meeting": plain(error.detail)}
    return answer(request, session, subject, meeting_id, section="agenda", notice_key="approved", errors=errors,
                   form={"approve-meeting": approved_at_meeting_id})


def _approval(session, access, meeting):
    """The previous meeting's minutes to approve at this one, or a refusal that says why not."""
    found = minutes.approval_for(session, access=access, meeting=meeting,
                                 items=agenda.agenda(session, access=access, meeting_id=meeting.id))
    if found is None:
        raise Conflict("This is the group's first meeting: there are no earlier minutes to approve.")
    if found.why_not:
        raise Conflict(found.why_not)
    if found.minutes is None:
        raise Conflict(f"No minutes have been written for the meeting of {long_date(found.previous.starts_at)} yet.")
    if found.minutes.status != "draft":
        raise Conflict(f"The minutes of the meeting of {long_date(found.previous.starts_at)} are already approved.")
    return found


def _approval_error(request, session, subject, meeting_id: int, field: str, message: str, form: dict | None = None):
    ctx = editor_context(session, subject, meeting_id, errors={field: message}, form=form)
    ctx["title"] = f"Error: {ctx['title']}"
    return render(request, "pages/meetings/detail.html", ctx, status=422)


@router.post("/meetings/{meeting_id}/previous-minutes/confirm")
def confirm_approval(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
                     kind: Short = "", amendments: AmendmentsText = "",
                     version: Short = ""):
    """The confirmation step: "Approve the minutes of the meeting of ... as a correct record?"."""
    meeting, access = _officer_access(session, subject, meeting_id, "approve minutes")
    form = {"approval-amendments": amendments}
    try:
        found = _approval(session, access, meeting)
    except Conflict as error:
        return _approval_error(request, session, subject, meeting_id, "approval", error.detail)
    amended = kind == "amended"
    if amended and not amendments.strip():
        return _approval_error(request, session, subject, meeting_id, "approval-amendments",
                               "Enter the amendments, or approve the minutes as a correct record", form)
    if len(amendments) > AMENDMENTS_LIMIT:
        return _approval_error(request, session, subject, meeting_id, "approval-amendments",
                               f"The amendments must be {AMENDMENTS_LIMIT:,} characters or fewer", form)
    day = long_date(found.previous.starts_at)
    question = (f"Approve the minutes of the meeting of {day} subject to these amendments?" if amended else
                f"Approve the minutes of the meeting of {day} as a correct record?")
    return confirm_page(request, meeting, title="Approve the minutes of the last meeting", question=question,
                    quote=amendments.strip() if amended else None,
                    details=["Once approved they can only be changed by an amendment."],
                    action=f"/meetings/{meeting.id}/previous-minutes/approve",
                    button="Approve with these amendments" if amended else "Approve as a correct record",
                    cancel=f"/meetings/{meeting.id}#approval-heading", warning=False,
                    fields={"amendments": amendments.strip() if amended else "",
                            "version": str(form_id(version) or found.minutes.version)})


@router.post("/meetings/{meeting_id}/previous-minutes/approve")
def approve_previous_minutes(meeting_id: Id, request: Request, session: SessionDep,
                             subject: ReaderChangingGroupBusiness,
                             amendments: AmendmentsText = "",
                             version: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "approve minutes")
    try:
        found = _approval(session, access, meeting)
        if len(amendments) > AMENDMENTS_LIMIT:
            raise InvalidInput(f"The amendments must be {AMENDMENTS_LIMIT:,} characters or fewer.")
        with savepoint(session):
            minutes.approve(session, access=access, meeting=found.previous, approved_at_meeting_id=meeting.id,
                            amendments=amendments, expected_version=form_id(version))
    except (InvalidInput, Conflict) as error:
        return _approval_error(request, session, subject, meeting_id, "approval", plain(error.detail))
    return RedirectResponse(f"/meetings/{meeting.id}?done=approved-previous#meeting-notice", status_code=303)
