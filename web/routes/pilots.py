"""Pilots: the list, a page per pilot (its summary, Places, partners, pathway, measures and the
dated history of its status), and for admins the forms to add a pilot, change one and move it to
a new status with a note (which the history keeps). Every write goes through the outcomes
service, which the API's pilot endpoints share.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api import authz
from api.authz import Subject
from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput
from api.core.pagination import PageParams
from api.core.schemas import Id, has_control_characters
from api.deps import SessionDep
from api.outcomes import service as outcomes
from api.outcomes.models import Pilot
from api.outcomes.schemas import PILOT_STATUSES, PilotCreate
from api.registry import service as registry
from web import charts
from web.auth import csrf_protected, page_requires
from web.labels import PILOT_STATUS_LABELS
from web.templating import render

router = APIRouter()

OutcomesViewer = Annotated[Subject, Depends(page_requires(authz.may_read_outcomes))]
PilotAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_pilots))]
PilotChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_pilots))]
Done = Annotated[str | None, Query(max_length=20)]
Short = Annotated[str, Form(max_length=2_000)]  # longer than any field, so our own message answers
Many = Annotated[list[str], Form(max_length=100)]
Long = Annotated[str, Form(max_length=20_000)]
BLANK_MEASURES = 2  # empty rows offered after the pilot's measures: more come after saving

NOTICES = {
    "added": "Pilot added.",
    "changed": "Pilot changed.",
    "status": "Status changed. The change is in the status history below.",
}


def _status_options() -> list[tuple[str, str]]:
    return [(s, PILOT_STATUS_LABELS[s]) for s in PILOT_STATUSES]


@router.get("/pilots")
def pilots_page(request: Request, session: SessionDep, subject: OutcomesViewer, done: Done = None):
    pilots, _ = outcomes.list_pilots(session, page=PageParams(limit=200, cursor=None))
    return render(request, "pages/pilots/index.html", {
        "title": "Pilots", "nav": "pilots", "pilots": pilots, "places": registry.place_names(session),
        "by_status": outcomes.pilots_by_status(session), "may_manage": authz.may_manage_pilots(subject),
        "notice": NOTICES.get(done or ""), "number": charts.number})


# The form to add or change a pilot ------------------------------------------------------------------

def _number(raw: str) -> float | None:
    try:
        value = float(raw.strip().replace(",", ""))
    except ValueError:
        return None
    return value if value == value and abs(value) < 1e15 else None  # no NaN, no infinity


def _measures(form: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    """The measure rows that have anything in them; a row left empty is no measure (so clearing
    a row removes it)."""
    found = []
    for i, row in enumerate(form["measures"], start=1):
        if not any(v.strip() for v in row.values()):
            continue
        key = f"measure-{i}"
        if not row["name"].strip():
            errors[f"{key}-name"] = f"Enter what measure {i} counts"
        elif len(row["name"].strip()) > 200:
            errors[f"{key}-name"] = f"The name of measure {i} must be 200 characters or fewer"
        value = _number(row["value"])
        if not row["value"].strip():
            errors[f"{key}-value"] = f"Enter the value of measure {i}"
        elif value is None:
            errors[f"{key}-value"] = f"The value of measure {i} must be a number, like 56 or 12.5"
        baseline = _number(row["baseline"]) if row["baseline"].strip() else None
        if row["baseline"].strip() and baseline is None:
            errors[f"{key}-baseline"] = f"The baseline of measure {i} must be a number, like 40"
        for field, what in (("unit", "unit"), ("period", "period")):
            if len(row[field].strip()) > 40:
                errors[f"{key}-{field}"] = f"The {what} of measure {i} must be 40 characters or fewer"
        found.append({"name": row["name"].strip(), "value": value, "unit": row["unit"].strip(),
                      "baseline": baseline, "period": row["period"].strip()})
    return found


def _pilot_data(form: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The pilot's fields checked as the API checks them (PilotCreate), in the form's words."""
    errors: dict[str, str] = {}
    name = form["name"].strip()
    if not name:
        errors["name"] = "Enter the pilot's name"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    if len(form["pathway"].strip()) > 100:
        errors["pathway"] = "The pathway must be 100 characters or fewer"
    if len(form["summary"].strip()) > 10_000:
        errors["summary"] = "The summary must be 10,000 characters or fewer"
    for field in ("name", "pathway", "summary"):
        if field not in errors and has_control_characters(form[field], multiline=field == "summary"):
            errors[field] = "Remove the pasted symbols that cannot be stored"
    if creating and form["status"] not in PILOT_STATUSES:
        errors["status"] = "Choose the pilot's status"
    partner_ids = [int(p) for p in form["partner_ids"] if p.isascii() and p.isdigit()]
    if len(partner_ids) != len(form["partner_ids"]):
        errors["partner_ids"] = "Choose partners from the list"
    measures = _measures(form, errors)
    if errors:
        return {}, errors
    try:
        checked = PilotCreate(name=name, summary=form["summary"], pathway=form["pathway"],
                              status=form["status"] if creating else "testing", place_codes=form["place_codes"],
                              partner_ids=partner_ids, measures=measures)
    except ValidationError as error:
        fields = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
        if "place_codes" in fields:
            errors["place_codes"] = "Choose Places from the list"
        if "partner_ids" in fields:
            errors["partner_ids"] = "Choose partners from the list"
        if "measures" in fields:
            errors["measure-1-name"] = "Give at most 50 measures"
        errors = errors or {"name": "Check the pilot's details"}
        return {}, errors
    data = checked.model_dump()
    if not creating:
        data.pop("status")
    return data, errors


def _read_form(name: str, summary: str, pathway: str, status: str, place_codes: list[str], partner_ids: list[str],
               names: list[str], values: list[str], units: list[str], baselines: list[str],
               periods: list[str]) -> dict[str, Any]:
    rows = max(len(names), len(values), len(units), len(baselines), len(periods))

    def at(column: list[str], i: int) -> str:
        return column[i] if i < len(column) else ""

    return {"name": name, "summary": summary, "pathway": pathway, "status": status, "place_codes": place_codes,
            "partner_ids": partner_ids,
            "measures": [{"name": at(names, i), "value": at(values, i), "unit": at(units, i),
                          "baseline": at(baselines, i), "period": at(periods, i)} for i in range(min(rows, 50))]}


def _shown(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _pilot_form(pilot: Pilot) -> dict[str, Any]:
    return {"name": pilot.name, "summary": pilot.summary, "pathway": pilot.pathway, "status": pilot.status,
            "place_codes": list(pilot.place_codes), "partner_ids": [str(i) for i in pilot.partner_ids],
            "measures": [{"name": m.get("name", ""), "value": _shown(m.get("value")), "unit": m.get("unit", ""),
                          "baseline": _shown(m.get("baseline")), "period": m.get("period", "")}
                         for m in pilot.measures]}


def _edit_page(request: Request, session, *, pilot: Pilot | None, form: dict[str, Any],
               errors: dict[str, str] | None = None, status: int = 200):
    title = f"Change {pilot.name}" if pilot else "Add a pilot"
    blank = {"name": "", "value": "", "unit": "", "baseline": "", "period": ""}
    rows = [*form["measures"], *([blank] * BLANK_MEASURES)]
    return render(request, "pages/pilots/edit.html", {
        "title": f"Error: {title}" if errors else title, "heading": title, "nav": "pilots", "pilot": pilot,
        "form": form, "rows": rows, "errors": errors or {}, "status_options": _status_options(),
        "place_options": sorted(registry.place_names(session).items(), key=lambda p: p[1]),
        "partner_options": [(str(i), name) for i, name in registry.organisation_choices(session)],
    }, status=status)


EMPTY = {"name": "", "summary": "", "pathway": "", "status": "testing", "place_codes": [], "partner_ids": [],
         "measures": []}


@router.get("/pilots/new")
def new_pilot_page(request: Request, session: SessionDep, _: PilotAdmin):
    return _edit_page(request, session, pilot=None, form=dict(EMPTY))


def _save(session, actor: Subject, pilot: Pilot | None, data: dict[str, Any]) -> tuple[Pilot | None, dict[str, str]]:
    try:
        with savepoint(session):
            if pilot is None:
                return outcomes.create_pilot(session, actor=actor, data=data), {}
            return outcomes.update_pilot(session, actor=actor, pilot=pilot, changes=data), {}
    except Conflict:
        return None, {"name": f"A pilot called {data['name']} already exists. Enter a different name"}
    except InvalidInput as error:
        fields = {str(e.get("loc", ["", ""])[-1]) for e in (error.errors or [])}
        found = {}
        if "place_codes" in fields:
            found["place_codes"] = "Choose Places from the list"
        if "partner_ids" in fields:
            found["partner_ids"] = "Choose partners from the list"
        return None, found or {"name": error.detail}


@router.post("/pilots/new")
def add_pilot(request: Request, session: SessionDep, actor: PilotChange, name: Short = "", summary: Long = "",
              pathway: Short = "", status: Short = "", place_codes: Many = [],  # noqa: B006 (FastAPI copies it)
              partner_ids: Many = [], measure_name: Many = [], measure_value: Many = [],  # noqa: B006
              measure_unit: Many = [], measure_baseline: Many = [], measure_period: Many = []):  # noqa: B006
    form = _read_form(name, summary, pathway, status, place_codes, partner_ids, measure_name, measure_value,
                      measure_unit, measure_baseline, measure_period)
    data, errors = _pilot_data(form, creating=True)
    if not errors:
        made, errors = _save(session, actor, None, data)
        if made is not None:
            return RedirectResponse(f"/pilots/{made.id}?done=added#pilot-status", status_code=303)
    return _edit_page(request, session, pilot=None, form=form, errors=errors, status=422)


# One pilot ------------------------------------------------------------------------------------------

@router.get("/pilots/{pilot_id}")
def pilot_page(request: Request, session: SessionDep, subject: OutcomesViewer, pilot_id: Id, done: Done = None):
    pilot = outcomes.get_pilot(session, pilot_id)
    history = outcomes.histories(session, [pilot.id])[pilot.id]
    return render(request, "pages/pilots/detail.html", {
        "title": pilot.name, "nav": "pilots", "pilot": pilot, "history": list(reversed(history)),
        "places": registry.place_names(session),
        "partners": registry.organisation_names(session, pilot.partner_ids),
        "paragraphs": [p.strip() for p in pilot.summary.split("\n\n") if p.strip()],
        "may_manage": authz.may_manage_pilots(subject), "notice": NOTICES.get(done or ""),
        "number": charts.number})


@router.get("/pilots/{pilot_id}/edit")
def edit_pilot_page(request: Request, session: SessionDep, _: PilotAdmin, pilot_id: Id):
    pilot = outcomes.get_pilot(session, pilot_id)
    return _edit_page(request, session, pilot=pilot, form=_pilot_form(pilot))


@router.post("/pilots/{pilot_id}/edit")
def change_pilot(request: Request, session: SessionDep, actor: PilotChange, pilot_id: Id, name: Short = "",
                 summary: Long = "", pathway: Short = "", place_codes: Many = [],  # noqa: B006
                 partner_ids: Many = [], measure_name: Many = [], measure_value: Many = [],  # noqa: B006
                 measure_unit: Many = [], measure_baseline: Many = [], measure_period: Many = []):  # noqa: B006
    pilot = outcomes.get_pilot(session, pilot_id)
    form = _read_form(name, summary, pathway, pilot.status, place_codes, partner_ids, measure_name, measure_value,
                      measure_unit, measure_baseline, measure_period)
    data, errors = _pilot_data(form, creating=False)
    if not errors:
        saved, errors = _save(session, actor, pilot, data)
        if saved is not None:
            return RedirectResponse(f"/pilots/{pilot.id}?done=changed#pilot-status", status_code=303)
    return _edit_page(request, session, pilot=pilot, form=form, errors=errors, status=422)


# Its status -----------------------------------------------------------------------------------------

def _status_page(request: Request, pilot: Pilot, *, form: dict[str, str], errors: dict[str, str] | None = None,
                 status: int = 200):
    title = f"Change the status of {pilot.name}"
    return render(request, "pages/pilots/status.html", {
        "title": f"Error: {title}" if errors else title, "nav": "pilots", "pilot": pilot, "form": form,
        "errors": errors or {}, "status_options": _status_options()}, status=status)


@router.get("/pilots/{pilot_id}/status")
def status_page(request: Request, session: SessionDep, _: PilotAdmin, pilot_id: Id):
    pilot = outcomes.get_pilot(session, pilot_id)
    return _status_page(request, pilot, form={"status": "", "note": ""})


@router.post("/pilots/{pilot_id}/status")
def change_status(request: Request, session: SessionDep, actor: PilotChange, pilot_id: Id, status: Short = "",
                  note: Annotated[str, Form(max_length=2_000)] = ""):
    pilot = outcomes.get_pilot(session, pilot_id)
    form = {"status": status, "note": note}
    errors = {}
    if status not in PILOT_STATUSES:
        errors["status"] = "Choose the pilot's new status"
    elif status == pilot.status:
        errors["status"] = f"The pilot is already {PILOT_STATUS_LABELS[status]}: choose a different status"
    if not note.strip():
        errors["note"] = "Enter a note saying why the status is changing"
    elif len(note.strip()) > 500:
        errors["note"] = "The note must be 500 characters or fewer"
    elif has_control_characters(note, multiline=True):
        errors["note"] = "Remove the pasted symbols that cannot be stored"
    if errors:
        return _status_page(request, pilot, form=form, errors=errors, status=422)
    outcomes.update_pilot(session, actor=actor, pilot=pilot, changes={"status": status, "status_note": note.strip()})
    return RedirectResponse(f"/pilots/{pilot.id}?done=status#pilot-status", status_code=303)
