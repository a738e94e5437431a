"""Guests in attendance and declarations of interest on a meeting's page, for the group's chair,
vice chair and secretary and admins; and each person's register of interests, for everyone
signed in who may read the groups' business.

The rules are the services' (api/meetings/attendance.py, api/meetings/declarations.py); these
routes map their errors to the form's fields. Every form works without JavaScript (303 back to the
page, or the page again with 422 and the typed text kept); with htmx only the changed section
comes back. Removing asks first, on a page of its own.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.core.db import get_or_404, savepoint
from api.core.errors import Conflict, InvalidInput, NotFound
from api.core.pagination import PageParams
from api.core.schemas import Id
from api.deps import SessionDep
from api.meetings import attendance, declarations
from api.meetings.schemas import DECLARATION_KINDS, DeclarationCreate, GuestCreate
from api.registry.models import Stakeholder
from web.auth import GroupBusinessViewer, ReaderChangingGroupBusiness
from web.confirming import confirm_page
from web.forms import form_id
from web.labels import DECLARATION_KIND_LABELS
from web.routes.meeting_edit import FormProblem, Short, Text, _mapped, _officer_access, answer
from web.templating import long_date, render

router = APIRouter()
PAGE_SIZE = 50


# Guests ------------------------------------------------------------------------------------------

GUEST_FIELDS = {"name": ("guest-name", "Name"), "organisation": ("guest-organisation", "Organisation")}


@router.post("/meetings/{meeting_id}/guests")
def add_guest(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
              name: Short = "", organisation: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "record a guest")
    form = {"guest-name": name, "guest-organisation": organisation}
    errors = {}
    try:
        if not name.strip():
            raise FormProblem({"guest-name": "Enter the guest's name"})
        data = GuestCreate(name=name, organisation=organisation)
        with savepoint(session):
            attendance.add_guest(session, access=access, meeting=meeting, name=data.name,
                                 organisation=data.organisation)
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, GUEST_FIELDS, "guest-name")
    return answer(request, session, subject, meeting_id, section="guests", notice_key="guest-added",
                   errors=errors, form=form if errors else None)  # after success, the form is empty again


def _meeting_guest(session, subject, meeting_id: int, guest_id: int):
    meeting, access = _officer_access(session, subject, meeting_id, "remove a guest")
    guest, _, _ = attendance.get_guest(session, subject=subject, guest_id=guest_id)
    if guest.meeting_id != meeting.id:
        raise NotFound(f"No guest with id {guest_id} at this meeting.")
    return meeting, access, guest


@router.get("/meetings/{meeting_id}/guests/{guest_id}/remove")
def confirm_remove_guest(meeting_id: Id, guest_id: Id, request: Request, session: SessionDep,
                         subject: GroupBusinessViewer):
    meeting, _, guest = _meeting_guest(session, subject, meeting_id, guest_id)
    who = guest.name + (f" ({guest.organisation})" if guest.organisation else "")
    return confirm_page(
        request, meeting, title=f"Remove {guest.name} from the guests",
        question=f"Are you sure you want to remove {who} from the guests in attendance?",
        details=[f"At the meeting of {long_date(meeting.starts_at)}."],
        action=f"/meetings/{meeting.id}/guests/{guest.id}/remove", button="Yes, remove this guest",
        cancel=f"/meetings/{meeting.id}#guests-heading")


@router.post("/meetings/{meeting_id}/guests/{guest_id}/remove")
def remove_guest(meeting_id: Id, guest_id: Id, session: SessionDep, subject: ReaderChangingGroupBusiness):
    meeting, access, guest = _meeting_guest(session, subject, meeting_id, guest_id)
    attendance.remove_guest(session, access=access, meeting=meeting, guest=guest)
    return RedirectResponse(f"/meetings/{meeting.id}?done=guest-removed#guests-notice", status_code=303)


# Declarations of interest ----------------------------------------------------------------------

DECLARATION_FIELDS = {"stakeholder_id": ("declaration-person", "Person"), "kind": ("declaration-kind", "Kind"),
                      "interest": ("declaration-interest", "Interest"),
                      "agenda_item_id": ("declaration-item", "Agenda item"),
                      "action_taken": ("declaration-action", "Action taken")}


@router.post("/meetings/{meeting_id}/declarations")
def add_declaration(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
                    stakeholder_id: Short = "", kind: Short = "", interest: Text = "", agenda_item_id: Short = "",
                    action_taken: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "record a declaration of interest")
    form = {"declaration-person": stakeholder_id, "declaration-kind": kind, "declaration-interest": interest,
            "declaration-item": agenda_item_id, "declaration-action": action_taken}
    errors = {}
    try:
        problems = {}
        person = form_id(stakeholder_id)
        if person is None:
            problems["declaration-person"] = "Choose the person declaring an interest"
        if kind not in DECLARATION_KINDS:
            problems["declaration-kind"] = "Choose the kind of interest"
        if not interest.strip():
            problems["declaration-interest"] = "Describe the interest"
        item = form_id(agenda_item_id) if agenda_item_id else None
        if agenda_item_id and item is None:
            problems["declaration-item"] = "Choose an agenda item of this meeting"
        if problems:
            raise FormProblem(problems)
        data = DeclarationCreate(stakeholder_id=person, kind=kind, interest=interest, agenda_item_id=item,
                                 action_taken=action_taken)
        with savepoint(session):
            declarations.record_declaration(session, access=access, meeting=meeting, data=data.model_dump())
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, DECLARATION_FIELDS, "declaration-interest")
    return answer(request, session, subject, meeting_id, section="declarations", notice_key="declaration",
                   errors=errors, form=form if errors else None)  # after success, the form is empty again


def _meeting_declaration(session, subject, meeting_id: int, declaration_id: int):
    meeting, access = _officer_access(session, subject, meeting_id, "remove a declaration of interest")
    declaration, _, _ = declarations.get_declaration(session, subject=subject, declaration_id=declaration_id)
    if declaration.meeting_id != meeting.id:
        raise NotFound(f"No declaration with id {declaration_id} at this meeting.")
    return meeting, access, declaration


@router.get("/meetings/{meeting_id}/declarations/{declaration_id}/remove")
def confirm_remove_declaration(meeting_id: Id, declaration_id: Id, request: Request, session: SessionDep,
                               subject: GroupBusinessViewer):
    meeting, _, declaration = _meeting_declaration(session, subject, meeting_id, declaration_id)
    shown = declarations.read_one(session, declaration.id)
    on = f" on item {shown.agenda_item_ref}" if shown.agenda_item_ref else ""
    return confirm_page(
        request, meeting, title="Remove a declaration of interest",
        question=f"Are you sure you want to remove {shown.stakeholder_name}'s declaration of interest{on}?",
        details=[f"{DECLARATION_KIND_LABELS[shown.kind]}: {shown.interest}"],
        action=f"/meetings/{meeting.id}/declarations/{declaration.id}/remove",
        button="Yes, remove this declaration", cancel=f"/meetings/{meeting.id}#declarations-heading")


@router.post("/meetings/{meeting_id}/declarations/{declaration_id}/remove")
def remove_declaration(meeting_id: Id, declaration_id: Id, session: SessionDep,
                       subject: ReaderChangingGroupBusiness):
    meeting, access, declaration = _meeting_declaration(session, subject, meeting_id, declaration_id)
    declarations.remove_declaration(session, access=access, declaration=declaration)
    return RedirectResponse(f"/meetings/{meeting.id}?done=declaration-removed#declarations-notice",
                            status_code=303)


# A person's register of interests --------------------------------------------------------------

@router.get("/people/{stakeholder_id}/interests")
def register_page(stakeholder_id: Id, request: Request, session: SessionDep, subject: GroupBusinessViewer,
                  cursor: Annotated[str | None, Query(max_length=512)] = None):
    person = get_or_404(session, Stakeholder, stakeholder_id, "person")
    rows, next_cursor = declarations.register(session, subject=subject, stakeholder_id=person.id,
                                              page=PageParams(limit=PAGE_SIZE, cursor=cursor))
    return render(request, "pages/people_interests.html", {
        "title": f"Register of interests: {person.name}", "nav": "people", "person": person, "rows": rows,
        "kind_labels": DECLARATION_KIND_LABELS, "next_cursor": next_cursor})
