"""Recording a meeting on its page: agenda items, attendance (one click per person), minutes
per item and their approval, decisions and actions; for the group's chair, vice chair and
secretary, and admins (the rule is `authz.may_manage_group_business`, via api/access.py).

Every form works without JavaScript (303 back to the page, or the page again with 422 and the
typed text kept); with htmx only the changed section comes back, with a message for the page's
live region.
"""

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
from api.meetings import attendance, minutes, service
from api.meetings.models import AgendaItem
from api.meetings.schemas import ATTENDANCE_STATUSES
from web.auth import ReaderChangingGroupBusiness
from web.forms import field_errors, form_id, plain
from web.routes.meetings import NOTICE_SLOTS, NOTICES, editor_context
from web.templating import is_fragment_request, render

router = APIRouter()

Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=2_000)]
MINUTE_LIMIT = 100_000

# Which sections an htmx answer swaps: the one changed, and those whose forms or lists show agenda
# items (an agenda change redraws the decisions', actions', declarations' and papers' item choices,
# and the papers' pack page numbers, out of band).
SECTIONS = {"agenda": ("agenda", "decisions", "actions", "declarations", "papers"), "decisions": ("decisions",),
            "actions": ("actions",), "attendance": ("attendance",), "guests": ("attendance",),
            "declarations": ("declarations",), "papers": ("papers",)}
ANCHORS = {"agenda": "agenda-heading", "decisions": "decisions-heading", "actions": "actions-heading",
           "attendance": "attendance-heading", "guests": "guests-heading", "declarations": "declarations-heading",
           "papers": "papers-heading"}


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
    """Service or schema errors as {field id: message}; anything unplaced on `fallback`."""
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


def answer(request: Request, session, subject: Subject, meeting_id: int, *, section: str, notice_key: str,
           notice: str | None = None, focus: str | None = None, errors: dict | None = None, form: dict | None = None,
           row: int | None = None):
    """Every meeting-page form's answer: 303 back to the page at `focus` (or the section's
    heading) without JavaScript, or for htmx the changed section (and those showing the change)
    with the notice for the live region and focus on `focus`; with `errors`, 422 and the form
    again, typed text kept. After a success the forms are empty again."""
    if not errors and not is_fragment_request(request):
        # Without a new item to land on, the page opens at the notice next to the form used.
        anchor = focus or (f"{NOTICE_SLOTS[notice_key]}-notice" if notice_key in NOTICE_SLOTS else ANCHORS[section])
        return RedirectResponse(f"/meetings/{meeting_id}?done={notice_key}#{anchor}", status_code=303)
    ctx = editor_context(session, subject, meeting_id, errors=errors, form=form if errors else None,
                         notice=None if errors else notice or NOTICES[notice_key], notice_key=notice_key)
    status = 422 if errors else 200
    if not is_fragment_request(request):
        ctx["title"] = f"Error: {ctx['title']}"
        return render(request, "pages/meetings/detail.html", ctx, status=status)
    if errors:
        # Read out by the live region; the form's own error summary shows it (no notice beside it).
        ctx.update(notice="There is a problem: " + " ".join(errors.values()), notice_slot=None)
    ctx.update(swap=SECTIONS[section], row=row, focus_id=None if errors else focus)
    return render(request, "partials/meeting_edit/answer.html", ctx, status=status)


# Agenda: adding, changing, moving and removing items are in web/routes/meeting_agenda.py. ----------

def _meeting_item(session, meeting, item_id: int):
    item = session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(f"No agenda item with id {item_id} in this meeting.")
    return item


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
    except (InvalidInput, Conflict) as error:  # Conflict: the meeting has not started, or was cancelled
        errors = {"attendance": plain(error.detail)}
    # Without JavaScript, back to the person's row (the notice is at the top of the table).
    return answer(request, session, subject, meeting_id, section="attendance", notice_key="attendance",
                   errors=errors, row=stakeholder_id, focus=f"attendee-{stakeholder_id}")


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
        errors = {field: plain(error.detail, "Minute")}
    return answer(request, session, subject, meeting_id, section="agenda", notice_key="minute", errors=errors,
                   form={field: text})


# Approving minutes, decisions and actions: web/routes/meeting_record_edit.py (record edits).
