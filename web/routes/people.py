"""People in the directory: the list, a profile page for each person (for everyone signed in),
and for admins adding a person, changing their details, and removing (a person added in error)
or anonymising them (anyone with a history), each after a confirmation step.

A profile shows only what its viewer may see: the actions come through the action log's own
visibility filter (api/access.py), so an action on a confidential item of a group the viewer is
not a member of never appears, and logged contributions are for the person and admins only
(api.authz.may_see_contributions_of), as at the API's door.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api import authz, privacy
from api.auth import service as auth_service
from api.authz import Subject
from api.core.db import get_or_404, savepoint
from api.core.errors import Conflict, InvalidInput
from api.core.pagination import PageParams
from api.core.schemas import SINGLE_LINE, Email, Id
from api.core.types import today
from api.deps import SessionDep
from api.meetings import actions, attendance
from api.outcomes import service as outcomes
from api.registry import service as registry
from api.registry.current import has_ended
from api.registry.models import Stakeholder
from api.registry.schemas import SYSTEM_LEADER_LEVELS, Initials, StakeholderCreate
from web.auth import RegistryViewer, csrf_protected, page_requires
from web.confirming import confirm_page
from web.forms import attempt, changed_fields, field_errors, form_id
from web.labels import CONTRIBUTION_KIND_LABELS, SYSTEM_LEADER_LABELS
from web.templating import render

router = APIRouter()

RegistryAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_registry))]
RegistryChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_registry))]
Field = Annotated[str, Form(max_length=1_000)]
PAGE_SIZE = 50
MEETINGS_SHOWN = 20
ACTIONS_SHOWN = 50
CONTRIBUTIONS_SHOWN = 20

FIELDS = ("name", "initials", "email", "job_title", "organisation_id", "place_code", "system_leader_level")
LABELS = {"name": "Full name", "initials": "Initials", "email": "Email", "job_title": "Job title",
          "organisation_id": "Organisation", "place_code": "Place", "system_leader_level": "System Leader level"}
EMAIL_TAKEN = "Someone in the directory already has this email address"
CHANGED_MEANWHILE = ("Someone else changed this person's details after you opened the form. The form now shows "
                     "their details as they are: make your changes again.")
# Messages after a change (the redirect names one, never free text from the URL).
NOTICES = {
    "added": "Person added to the directory.",
    "changed": "Details saved.",
    "anonymised": "The person has been anonymised.",
    "deleted": "The person has been removed from the directory.",
}

_email = TypeAdapter(Email)
_initials = TypeAdapter(Initials)


# The list ------------------------------------------------------------------------------------

@router.get("/people")
def people(request: Request, session: SessionDep, subject: RegistryViewer,
           q: Annotated[str, Query(max_length=100), SINGLE_LINE] = "",
           cursor: Annotated[str | None, Query(max_length=512)] = None,
           done: Annotated[str | None, Query(max_length=20)] = None):
    rows, next_cursor = registry.list_stakeholders(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor),
                                                   q=q.strip() or None)
    organisations = registry.organisation_names(session, [p.organisation_id for p in rows])
    places = registry.place_names(session)
    return render(request, "pages/people/index.html", {
        "title": "People", "nav": "people", "people": rows, "organisations": organisations, "places": places,
        "q": q, "next_cursor": next_cursor, "can_manage": authz.may_manage_registry(subject),
        "notice": NOTICES.get(done or "") if done in ("deleted", "anonymised") else None})


# Adding and changing a person ------------------------------------------------------------------

def _options(session) -> dict[str, Any]:
    return {"organisation_options": registry.organisation_choices(session),
            "place_options": sorted(registry.place_names(session).items(), key=lambda item: item[1]),
            "level_options": [(level, SYSTEM_LEADER_LABELS[level]) for level in SYSTEM_LEADER_LEVELS]}


def _form_of(person: Stakeholder) -> dict[str, str]:
    return {"name": person.name, "initials": person.initials, "email": person.email or "",
            "job_title": person.job_title or "", "organisation_id": str(person.organisation_id or ""),
            "place_code": person.place_code or "", "system_leader_level": person.system_leader_level or "",
            "version": str(person.version)}


def _checked(session, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The person's fields from the form, each mistake in plain words, all at once."""
    errors: dict[str, str] = {}
    name = " ".join(form["name"].split())
    if not name:
        errors["name"] = "Enter the person's full name"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    initials = form["initials"].strip()
    if initials:
        try:
            initials = _initials.validate_python(initials)
        except ValidationError:
            errors["initials"] = "Initials must be up to 10 letters, like JS, or leave them out"
    email = form["email"].strip()
    if email:
        try:
            email = _email.validate_python(email)
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.org"
    job_title = " ".join(form["job_title"].split())
    if len(job_title) > 200:
        errors["job_title"] = "The job title must be 200 characters or fewer"
    organisation_id = form_id(form["organisation_id"]) if form["organisation_id"] else None
    if form["organisation_id"] and organisation_id not in dict(registry.organisation_choices(session)):
        errors["organisation_id"] = "Choose an organisation from the list, or none"
    place_code = form["place_code"].strip()
    if place_code and place_code not in registry.place_names(session):
        errors["place_code"] = "Choose one of the nine Places, or none"
    level = form["system_leader_level"]
    if level and level not in SYSTEM_LEADER_LEVELS:
        errors["system_leader_level"] = "Choose a System Leader level from the list, or none"
    data = {"name": name, "initials": initials or None, "email": email or None, "job_title": job_title or None,
            "organisation_id": organisation_id, "place_code": place_code or None,
            "system_leader_level": level or None}
    if not errors:
        try:  # the API's own checks too, so that both doors accept the same people
            data = StakeholderCreate(**data).model_dump()
        except ValidationError as error:
            errors = field_errors(error, LABELS)
    return data, errors


def _person_form(request: Request, session, *, person: Stakeholder | None, form: dict[str, str],
                 errors: dict[str, str] | None = None, status: int = 200):
    title = f"Change {person.name}'s details" if person else "Add a person"
    return render(request, "pages/people/form.html", {
        "title": f"Error: {title}" if errors else title, "heading": title, "nav": "people", "person": person,
        "form": form, "errors": errors or {}, **_options(session)}, status=status)


@router.get("/people/new")
def new_person_page(request: Request, session: SessionDep, _: RegistryAdmin):
    return _person_form(request, session, person=None, form=dict.fromkeys(FIELDS, ""))


def _email_taken(_: Conflict) -> dict[str, str]:
    return {"email": EMAIL_TAKEN}


def _invalid(error: InvalidInput) -> dict[str, str]:
    return field_errors(error, LABELS)


@router.post("/people/new")
def add_person(request: Request, session: SessionDep, actor: RegistryChange, name: Field = "",
               initials: Field = "", email: Field = "", job_title: Field = "", organisation_id: Field = "",
               place_code: Field = "", system_leader_level: Field = ""):
    form = {"name": name, "initials": initials, "email": email, "job_title": job_title,
            "organisation_id": organisation_id, "place_code": place_code, "system_leader_level": system_leader_level}
    data, errors = _checked(session, form)
    if not errors:
        person, errors = attempt(session, lambda: registry.create_stakeholder(session, actor=actor, data=data),
                                 conflict=_email_taken, invalid=_invalid)
        if person is not None:
            return RedirectResponse(f"/people/{person.id}?done=added", status_code=303)
    return _person_form(request, session, person=None, form=form, errors=errors, status=422)


@router.get("/people/{person_id}/edit")
def edit_person_page(person_id: Id, request: Request, session: SessionDep, _: RegistryAdmin):
    person = get_or_404(session, Stakeholder, person_id, "person")
    return _person_form(request, session, person=person, form=_form_of(person))


@router.post("/people/{person_id}/edit")
def change_person(person_id: Id, request: Request, session: SessionDep, actor: RegistryChange, name: Field = "",
                  initials: Field = "", email: Field = "", job_title: Field = "", organisation_id: Field = "",
                  place_code: Field = "", system_leader_level: Field = "", version: Field = ""):
    person = get_or_404(session, Stakeholder, person_id, "person")
    form = {"name": name, "initials": initials, "email": email, "job_title": job_title,
            "organisation_id": organisation_id, "place_code": place_code, "system_leader_level": system_leader_level,
            "version": version}
    if version != str(person.version):
        # Said before anything else, with the details as they are now (as the meeting editor does).
        return _person_form(request, session, person=person, form=_form_of(person), status=409,
                            errors={"person-form": CHANGED_MEANWHILE})
    data, errors = _checked(session, form)
    if not errors:
        data["initials"] = data["initials"] or registry.initials_for(data["name"])
        changes = changed_fields(person, data)
        saved, errors = attempt(
            session, lambda: registry.update_stakeholder(session, actor=actor, stakeholder=person, changes=changes),
            conflict=_email_taken, invalid=_invalid)
        if saved is not None:
            return RedirectResponse(f"/people/{person.id}?done=changed", status_code=303)
    return _person_form(request, session, person=person, form=form, errors=errors, status=422)


# The profile ---------------------------------------------------------------------------------

@router.get("/people/{person_id}")
def profile(person_id: Id, request: Request, session: SessionDep, subject: RegistryViewer,
            done: Annotated[str | None, Query(max_length=20)] = None):
    """Who the person is and what they have done, in a fixed number of queries."""
    person = get_or_404(session, Stakeholder, person_id, "person")
    organisations = registry.organisation_names(session, [person.organisation_id])
    seats = registry.memberships_of(session, person.id)
    on = today()
    attended, attended_total = attendance.attended_by(session, person.id, limit=MEETINGS_SHOWN)
    owned = actions.owned_by(session, subject=subject, owner_id=person.id, limit=ACTIONS_SHOWN)
    contributions = None
    if authz.may_see_contributions_of(subject, person.id):
        contributions, _ = outcomes.list_contributions(session, page=PageParams(limit=CONTRIBUTIONS_SHOWN, cursor=None),
                                                       stakeholder_id=person.id)
    can_manage = authz.may_manage_registry(subject)
    may_manage_accounts = authz.may_manage_accounts(subject)
    return render(request, "pages/people/profile.html", {
        "title": person.name, "nav": "people", "person": person,
        "organisation": organisations.get(person.organisation_id),
        "place": registry.place_names(session).get(person.place_code) if person.place_code else None,
        "level": SYSTEM_LEADER_LABELS.get(person.system_leader_level) if person.system_leader_level else None,
        "current": [(m, g) for m, g in seats if not has_ended(m, on)],
        "former": [(m, g) for m, g in seats if has_ended(m, on)], "today": on,
        "attended": attended, "attended_total": attended_total, "meetings_shown": MEETINGS_SHOWN,
        "actions": owned, "actions_shown": ACTIONS_SHOWN, "contributions": contributions,
        "kind_labels": CONTRIBUTION_KIND_LABELS, "is_me": subject.stakeholder_id == person.id,
        "can_manage": can_manage, "may_manage_accounts": may_manage_accounts,
        "account": auth_service.account_of_person(session, person.id) if may_manage_accounts else None,
        "notice": NOTICES.get(done or "") if done in ("added", "changed", "anonymised") else None})


# Removing and anonymising ---------------------------------------------------------------------

def _crumbs(person: Stakeholder) -> list[tuple[str, str]]:
    return [("/people", "People"), (f"/people/{person.id}", person.name)]


MINUTES_AFTER_ANONYMISING = [
    "Their name and email address are replaced by “{label}” here and wherever the audit log holds them; their "
    "initials become FS, and their job title and System Leader level are removed. Their account, if they have "
    "one, is closed: no one can sign in with it.",
    "Their memberships, attendance, the actions they own and the agenda items they lead stay in the records, "
    "shown as “{label}”. Minutes they wrote or papers they uploaded show “{label}” as the writer.",
    "The words of minutes, decisions and action updates are not changed: if someone typed the person's name "
    "into them, it stays there until an officer of the group edits that text.",
    "Emails not yet sent to them are cancelled; emails already sent lose their address and content.",
    "This cannot be undone.",
]


@router.get("/people/{person_id}/anonymise")
def anonymise_page(person_id: Id, request: Request, session: SessionDep, _: RegistryAdmin):
    person = get_or_404(session, Stakeholder, person_id, "person")
    label = privacy.anonymous_label(person)
    return confirm_page(
        request, title=f"Anonymise {person.name}", question=f"Anonymise {person.name}?",
        action=f"/people/{person.id}/anonymise", button=f"Anonymise {person.name}", cancel=f"/people/{person.id}",
        details=[d.format(label=label) for d in MINUTES_AFTER_ANONYMISING], caption="People",
        crumbs=_crumbs(person), back=f"Back to {person.name}", nav="people")


@router.post("/people/{person_id}/anonymise")
def anonymise(person_id: Id, session: SessionDep, actor: RegistryChange):
    person = get_or_404(session, Stakeholder, person_id, "person")
    privacy.anonymise_stakeholder(session, actor=actor, person=person)
    return RedirectResponse(f"/people/{person.id}?done=anonymised", status_code=303)


def _delete_page(request: Request, session, person: Stakeholder, *, status: int = 200, error: str | None = None):
    records = privacy.records_of(session, person)
    blocked = (f"{person.name} cannot be deleted because the service keeps records that point at them: "
               f"{', '.join(records)}. Anonymise them instead: the records stay, under a neutral label."
               if records else None)
    return confirm_page(
        request, title=f"Delete {person.name}", question=f"Delete {person.name} from the directory?",
        action=f"/people/{person.id}/delete", button=f"Delete {person.name}", cancel=f"/people/{person.id}",
        details=[] if records else [
            "They have no memberships, meeting records, actions, contributions or account, so nothing else "
            "changes. The audit log keeps a record that they were added and deleted. This cannot be undone."],
        blocked=blocked, change=f"/people/{person.id}/anonymise" if records else None,
        change_text=f"Anonymise {person.name} instead", error=error, status=status, caption="People",
        crumbs=_crumbs(person), back=f"Back to {person.name}", nav="people")


@router.get("/people/{person_id}/delete")
def delete_page(person_id: Id, request: Request, session: SessionDep, _: RegistryAdmin):
    return _delete_page(request, session, get_or_404(session, Stakeholder, person_id, "person"))


@router.post("/people/{person_id}/delete")
def delete(person_id: Id, request: Request, session: SessionDep, actor: RegistryChange):
    person = get_or_404(session, Stakeholder, person_id, "person")
    try:
        with savepoint(session):
            privacy.delete_stakeholder(session, actor=actor, person=person)
    except Conflict:
        return _delete_page(request, session, person, status=409, error=f"{person.name} was not deleted.")
    return RedirectResponse("/people?done=deleted", status_code=303)
