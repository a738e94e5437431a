"""Adding an organisation to the directory and changing its details (admins). The list and each
organisation's page are in web/routes/directory.py; this router is included before it, so that
/organisations/new is not read as an organisation's id.

Both doors share the registry service (api/registry/service.py) and the API's own checks
(OrganisationCreate); the form says every mistake in plain words, all at once, and keeps what was
typed. A duplicate name is refused on the name field.
"""

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api import authz
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import InvalidInput
from api.core.schemas import Id
from api.deps import SessionDep
from api.registry import service as registry
from api.registry.models import Organisation
from api.registry.schemas import SECTORS, OrganisationCreate
from web.auth import csrf_protected, page_requires
from web.forms import attempt, changed_fields, field_errors
from web.labels import SECTOR_LABELS
from web.templating import render

router = APIRouter()

RegistryAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_registry))]
RegistryChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_registry))]
Field = Annotated[str, Form(max_length=1_000)]

FIELDS = ("name", "sector", "place_code", "website")
LABELS = {"name": "Name", "sector": "Sector", "place_code": "Place", "website": "Website"}
WEBSITE = "Enter the website address starting https://, like https://www.example.org"
CHANGED_MEANWHILE = ("Someone else changed this organisation's details after you opened the form. The form now "
                     "shows them as they are: make your changes again.")


def _taken(name: str) -> str:
    return f"An organisation called {name} is already in the directory"


def _website(raw: str) -> str | None:
    """An https address with a host that has a dot in it, or None when it is not one."""
    value = raw.strip()
    if len(value) > 300 or any(c.isspace() for c in value) or not value.isascii():
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme != "https" or "." not in host or host.startswith(".") or host.endswith("."):
        return None
    return value


def _checked(session, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    name = " ".join(form["name"].split())
    if not name:
        errors["name"] = "Enter the organisation's name"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    if form["sector"] not in SECTORS:
        errors["sector"] = "Choose the organisation's sector"
    place_code = form["place_code"].strip()
    if place_code and place_code not in registry.place_names(session):
        errors["place_code"] = "Choose one of the nine Places, or none"
    website = None
    if form["website"].strip():
        website = _website(form["website"])
        if website is None:
            errors["website"] = WEBSITE
    data = {"name": name, "sector": form["sector"], "place_code": place_code or None, "website": website}
    if not errors:
        try:  # the API's own checks too, so that both doors accept the same organisations
            data = OrganisationCreate(**data).model_dump()
        except ValidationError as error:
            errors = field_errors(error, LABELS)
    return data, errors


def _form_page(request: Request, session, *, organisation: Organisation | None, form: dict[str, str],
               errors: dict[str, str] | None = None, status: int = 200):
    title = f"Change {organisation.name}'s details" if organisation else "Add an organisation"
    return render(request, "pages/organisations/form.html", {
        "title": f"Error: {title}" if errors else title, "heading": title, "nav": "people",
        "organisation": organisation, "form": form, "errors": errors or {},
        "sector_options": [(sector, SECTOR_LABELS[sector]) for sector in SECTORS],
        "place_options": sorted(registry.place_names(session).items(), key=lambda item: item[1])}, status=status)


def _form_of(organisation: Organisation) -> dict[str, str]:
    return {"name": organisation.name, "sector": organisation.sector, "place_code": organisation.place_code or "",
            "website": organisation.website or "", "version": str(organisation.version)}


def _invalid(error: InvalidInput) -> dict[str, str]:
    return field_errors(error, LABELS)


@router.get("/organisations/new")
def new_organisation_page(request: Request, session: SessionDep, _: RegistryAdmin):
    return _form_page(request, session, organisation=None, form=dict.fromkeys(FIELDS, ""))


@router.post("/organisations/new")
def add_organisation(request: Request, session: SessionDep, actor: RegistryChange, name: Field = "",
                     sector: Field = "", place_code: Field = "", website: Field = ""):
    form = {"name": name, "sector": sector, "place_code": place_code, "website": website}
    data, errors = _checked(session, form)
    if not errors:
        made, errors = attempt(session, lambda: registry.create_organisation(session, actor=actor, data=data),
                               conflict=lambda _: {"name": _taken(data["name"])}, invalid=_invalid)
        if made is not None:
            return RedirectResponse(f"/organisations/{made.id}?done=added", status_code=303)
    return _form_page(request, session, organisation=None, form=form, errors=errors, status=422)


@router.get("/organisations/{organisation_id}/edit")
def edit_organisation_page(organisation_id: Id, request: Request, session: SessionDep, _: RegistryAdmin):
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    return _form_page(request, session, organisation=organisation, form=_form_of(organisation))


@router.post("/organisations/{organisation_id}/edit")
def change_organisation(organisation_id: Id, request: Request, session: SessionDep, actor: RegistryChange,
                        name: Field = "", sector: Field = "", place_code: Field = "", website: Field = "",
                        version: Field = ""):
    organisation = get_or_404(session, Organisation, organisation_id, "organisation")
    form = {"name": name, "sector": sector, "place_code": place_code, "website": website, "version": version}
    if version != str(organisation.version):
        # Said before anything else, with the details as they are now.
        return _form_page(request, session, organisation=organisation, form=_form_of(organisation), status=409,
                          errors={"organisation-form": CHANGED_MEANWHILE})
    data, errors = _checked(session, form)
    if not errors:
        changes = changed_fields(organisation, data)
        saved, errors = attempt(
            session,
            lambda: registry.update_organisation(session, actor=actor, organisation=organisation, changes=changes),
            conflict=lambda _: {"name": _taken(data["name"])}, invalid=_invalid)
        if saved is not None:
            return RedirectResponse(f"/organisations/{organisation.id}?done=changed", status_code=303)
    return _form_page(request, session, organisation=organisation, form=form, errors=errors, status=422)
