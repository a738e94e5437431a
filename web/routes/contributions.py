"""My contributions: the list of what I have logged (newest first), changing one, and deleting
one after a confirmation step. Logging a new one is on My dashboard (web/routes/home.py). The
outcomes service decides who may change a contribution (its maker, or an admin) and refuses a
date in the future, for these pages and the API alike."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api import authz
from api.authz import Subject
from api.core.db import savepoint
from api.core.errors import InvalidInput
from api.core.pagination import PageParams
from api.core.schemas import Id
from api.deps import SessionDep
from api.outcomes import service as outcomes
from api.outcomes.models import Contribution
from api.outcomes.schemas import ContributionUpdate
from api.registry import service as registry
from web.auth import SignedIn, csrf_protected
from web.confirming import confirm_page
from web.labels import CONTRIBUTION_KIND_LABELS
from web.templating import long_date, render

router = APIRouter()

ContributionChange = Annotated[Subject, Depends(csrf_protected(authz.is_person))]
Short = Annotated[str, Form(max_length=5000)]
PAGE_SIZE = 50
NOTICES = {"saved": "Contribution changed.", "deleted": "Contribution deleted."}
FIELDS = ["kind", "description", "date", "place_code", "group_id", "people_reached", "hours"]
MISSING = {"kind": "Choose the kind of contribution", "description": "Enter what you did",
           "date": "Enter the date of the contribution"}
# The page's words for each field's other problems (GOV.UK style, never the validator's).
INVALID = {
    "kind": "Choose the kind of contribution", "description": "What you did must be 5,000 characters or fewer",
    "date": "Enter a real date, like 2024-05-11",
    "people_reached": "Enter the number of people reached as a whole number, 0 or more",
    "hours": "Enter the hours as a number from 0 to 10,000, like 2.5",
    "place_code": "Choose a Place from the list", "group_id": "Choose a group from the list",
}
SERVICE_WORDS = {"cannot be in the future": "Enter a date in the past or today"}


def _errors(error: ValidationError | InvalidInput) -> dict[str, str]:
    found = error.errors() if isinstance(error, ValidationError) else (error.errors or [])
    messages: dict[str, str] = {}
    for item in found:
        loc = [str(part) for part in item.get("loc", []) if part != "body"]
        field = loc[0] if loc and loc[0] in FIELDS else "contribution-form"
        if field == "contribution-form":
            messages.setdefault(field, "Check the contribution and try again")
        elif item.get("type") in ("missing", "string_too_short") and field in MISSING:
            messages.setdefault(field, MISSING[field])
        else:
            messages.setdefault(field, SERVICE_WORDS.get(str(item.get("msg")), INVALID[field]))
    return messages


@router.get("/contributions")
def my_contributions(request: Request, session: SessionDep, subject: SignedIn,
                     done: Annotated[str | None, Query(max_length=20)] = None,
                     cursor: Annotated[str | None, Query(max_length=512)] = None,
                     changed: Annotated[Id | None, Query()] = None):
    rows: list[Contribution] = []
    next_cursor = None
    if subject.stakeholder_id is not None:
        rows, next_cursor = outcomes.list_contributions(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor),
                                                        stakeholder_id=subject.stakeholder_id)
    groups = {g.id: g.name for g in registry.all_groups(session)} if any(c.group_id for c in rows) else {}
    return render(request, "pages/contributions/index.html", {
        "title": "My contributions", "nav": "home", "contributions": rows, "next_cursor": next_cursor,
        "linked": subject.stakeholder_id is not None, "places": registry.place_names(session), "groups": groups,
        "kind_labels": CONTRIBUTION_KIND_LABELS, "notice": NOTICES.get(done or ""),
        "changed": changed if any(c.id == changed for c in rows) else None})


def _form_of(contribution: Contribution) -> dict[str, str]:
    return {"kind": contribution.kind, "description": contribution.description,
            "date": contribution.contributed_on.isoformat(), "place_code": contribution.place_code or "",
            "group_id": str(contribution.group_id or ""), "people_reached": str(contribution.people_reached),
            "hours": f"{contribution.hours:g}"}


def _edit_page(request: Request, session, contribution: Contribution, *, form: dict[str, str],
               errors: dict[str, str] | None = None, status: int = 200):
    title = "Change a contribution"
    return render(request, "pages/contributions/edit.html", {
        "title": f"Error: {title}" if errors else title, "nav": "home", "contribution": contribution,
        "form": form, "errors": errors or {}, "field_ids": ["contribution-form", *FIELDS],
        "kind_options": list(CONTRIBUTION_KIND_LABELS.items()),
        "place_options": sorted(registry.place_names(session).items(), key=lambda item: item[1]),
        "group_options": [(g.id, g.name) for g in registry.all_groups(session)]}, status=status)


@router.get("/contributions/{contribution_id}/edit")
def edit_page(request: Request, session: SessionDep, subject: SignedIn, contribution_id: Id):
    contribution = outcomes.contribution_to_change(session, actor=subject, contribution_id=contribution_id)
    return _edit_page(request, session, contribution, form=_form_of(contribution))


def _number(raw: str) -> str | int:
    """A blank number is 0, as on the dashboard's form; anything else is for the schema to judge."""
    return raw.strip().replace(",", "") or 0


@router.post("/contributions/{contribution_id}/edit")
def save(request: Request, session: SessionDep, subject: ContributionChange, contribution_id: Id,
         kind: Short = "", description: Short = "", on: Annotated[str, Form(alias="date", max_length=40)] = "",
         place_code: Short = "", group_id: Short = "", people_reached: Short = "", hours: Short = ""):
    contribution = outcomes.contribution_to_change(session, actor=subject, contribution_id=contribution_id)
    form = {"kind": kind, "description": description, "date": on.strip(), "place_code": place_code,
            "group_id": group_id, "people_reached": people_reached, "hours": hours}
    # Every field is on the form, so a blank kind or date is missing, not "leave as it is".
    errors = {field: MISSING[field] for field, raw in (("kind", kind), ("date", on.strip())) if not raw}
    values: dict[str, Any] = {"kind": kind, "description": description, "date": on.strip(),
                              "place_code": place_code or None, "group_id": group_id or None,
                              "people_reached": _number(people_reached), "hours": _number(hours)}
    try:
        changes = ContributionUpdate.model_validate({k: v for k, v in values.items() if k not in errors}).changes()
    except ValidationError as error:
        errors = {**_errors(error), **errors}
    if not errors:
        try:
            with savepoint(session):
                outcomes.update_contribution(session, actor=subject, contribution=contribution, changes=changes)
        except InvalidInput as error:
            errors = _errors(error)
    if errors:
        ordered = {field: errors[field] for field in ["contribution-form", *FIELDS] if field in errors}
        return _edit_page(request, session, contribution, form=form, errors=ordered, status=422)
    # No #fragment: a page opened at one does not move focus to its notice; the notice is in the
    # contribution's own card, so focus (and the view) lands there.
    return RedirectResponse(f"/contributions?done=saved&changed={contribution.id}", status_code=303)


def _confirm(request: Request, contribution: Contribution, *, error: str | None = None, status: int = 200):
    when: date = contribution.contributed_on
    return confirm_page(
        request, title="Delete a contribution", question="Are you sure you want to delete this contribution?",
        action=f"/contributions/{contribution.id}/delete", button="Delete the contribution",
        cancel="/contributions", quote=contribution.description,
        details=[f"{CONTRIBUTION_KIND_LABELS.get(contribution.kind, contribution.kind)}, {long_date(when)}.",
                 "It will no longer count in your contributions. This cannot be undone."],
        caption="My contributions", crumbs=[("/", "My dashboard"), ("/contributions", "My contributions")],
        back="Back to my contributions", nav="home", error=error, status=status)


@router.get("/contributions/{contribution_id}/delete")
def confirm_delete(request: Request, session: SessionDep, subject: SignedIn, contribution_id: Id):
    contribution = outcomes.contribution_to_change(session, actor=subject, contribution_id=contribution_id)
    return _confirm(request, contribution)


@router.post("/contributions/{contribution_id}/delete")
def delete(request: Request, session: SessionDep, subject: ContributionChange, contribution_id: Id):
    contribution = outcomes.contribution_to_change(session, actor=subject, contribution_id=contribution_id)
    outcomes.delete_contribution(session, actor=subject, contribution=contribution)
    return RedirectResponse("/contributions?done=deleted", status_code=303)
