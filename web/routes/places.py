"""Places: progress to the 150,000 target across the nine Places, a page per Place (its plan's
status over time, its updates, its pilots and its indicators against England), and the form on
which an admin or an officer of the Place's group posts the Place's update for a period.

Who may post is the outcomes service's rule (admins, and the chair, vice chair or secretary of a
group that belongs to the Place: api/access.may_report_for); the form's page asks it before
showing the form and the service asks again on the write.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api import authz
from api.access import may_report_for
from api.authz import Subject
from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput
from api.core.markdown import render as markdown
from api.core.pagination import PageParams
from api.core.schemas import has_control_characters
from api.deps import SessionDep
from api.indicators import service as indicators
from api.outcomes import service as outcomes
from api.outcomes.models import PlaceUpdate
from api.outcomes.schemas import PLAN_STATUSES, Period, PlaceUpdateCreate
from api.registry import service as registry
from api.registry.models import Area
from web import charts
from web.auth import csrf_protected, page_requires
from web.labels import OUTCOME_LABELS, PILOT_STATUS_LABELS, PLAN_LABELS
from web.templating import render

router = APIRouter()

OutcomesViewer = Annotated[Subject, Depends(page_requires(authz.may_read_outcomes))]
ReporterPage = Annotated[Subject, Depends(page_requires(authz.may_report_outcomes))]
Reporter = Annotated[Subject, Depends(csrf_protected(authz.may_report_outcomes))]
GssPath = Annotated[str, Path(pattern=r"^[EWSN]\d{8}$")]
Done = Annotated[str | None, Query(max_length=20)]
Short = Annotated[str, Form(max_length=2_000)]  # longer than any field, so our own message answers
ALL = PageParams(limit=500, cursor=None)
MAX_PEOPLE = 10_000_000

NOTICES = {"update-posted": "Your update has been posted. It is listed under Updates below."}
FIELDS = ("period", "plan_status", "narrative", "people_reached", "people_more_active")
_PERIOD = TypeAdapter(Period)


def _is_period(text: str) -> bool:
    try:
        _PERIOD.validate_python(text)
    except ValidationError:
        return False
    return True


PERIOD_HINT = "Like 2025-Q1 for a quarter, 2025-03 for a month or 2024/25 for a financial year"


@router.get("/places")
def places_page(request: Request, session: SessionDep, _: OutcomesViewer):
    progress = outcomes.strategy(session)
    by_place = charts.bars([(p["place_name"], p["people_more_active"]) for p in progress["by_place"]])
    over_time = charts.lines({"Cumulative people more active": [
        (p["period"], p["cumulative"]) for p in progress["over_time"]]}, [p["period"] for p in progress["over_time"]],
        counts=True)
    latest = {u.place_code: u for u, _ in outcomes.list_updates(session, page=ALL, latest=True)[0]}
    return render(request, "pages/places/index.html", {
        "title": "Places and progress", "nav": "places", "progress": progress, "by_place": by_place,
        "over_time": over_time, "latest": latest, "plan_labels": PLAN_LABELS,
        "total_width": charts.share(progress["people_more_active"], progress["target"])})


def _status_history(updates: list[PlaceUpdate]) -> list[dict[str, Any]]:
    """The plan's status from the oldest update on, one entry each time it changed."""
    changes: list[dict[str, Any]] = []
    for update in sorted(updates, key=lambda u: (u.period, u.id)):
        if not changes or changes[-1]["status"] != update.plan_status:
            changes.append({"status": update.plan_status, "period": update.period})
    return changes


def _headlines(session, place_code: str) -> list[dict[str, Any]]:
    """Each indicator's latest value for the Place against England in the same period; the
    Persons figure where there is one, so that a breakdown does not crowd the page."""
    found = indicators.headlines(session, area=place_code, comparator=indicators.ENGLAND)
    with_persons = {h["indicator_id"] for h in found if h["breakdown"] == "Persons"}
    return [h for h in found if h["breakdown"] == "Persons" or h["indicator_id"] not in with_persons]


@router.get("/places/{gss_code}")
def place_page(request: Request, session: SessionDep, subject: OutcomesViewer, gss_code: GssPath, done: Done = None):
    place = registry.get_place(session, gss_code)
    updates = [u for u, _ in outcomes.list_updates(session, page=ALL, place_code=place.gss_code)[0]]
    oldest_first = list(reversed(updates))
    return render(request, "pages/places/detail.html", {
        "title": place.name, "nav": "places", "place": place, "updates": updates,
        "narratives": {u.id: markdown(u.narrative) for u in updates},
        "totals": {"reached": sum(u.people_reached for u in updates),
                   "more_active": sum(u.people_more_active for u in updates)},
        "history": _status_history(updates),
        "chart": charts.bars([(u.period, u.people_more_active) for u in oldest_first]),
        "pilots": outcomes.pilots_in_place(session, place.gss_code), "pilot_labels": PILOT_STATUS_LABELS,
        "headlines": _headlines(session, place.gss_code), "outcome_labels": OUTCOME_LABELS,
        "plan_labels": PLAN_LABELS, "may_report": may_report_for(session, subject, place.gss_code),
        "notice": NOTICES.get(done or "")})


# Posting an update --------------------------------------------------------------------------------

def _form_page(request: Request, place: Area, *, form: dict[str, str], errors: dict[str, str] | None = None,
               status: int = 200):
    title = f"Post an update: {place.name}"
    return render(request, "pages/places/update_new.html", {
        "title": f"Error: {title}" if errors else title, "nav": "places", "place": place, "form": form,
        "errors": errors or {}, "period_hint": PERIOD_HINT,
        "plan_options": [(s, PLAN_LABELS[s]) for s in PLAN_STATUSES]}, status=status)


@router.get("/places/{gss_code}/updates/new")
def update_form(request: Request, session: SessionDep, subject: ReporterPage, gss_code: GssPath):
    place = registry.get_place(session, gss_code)
    outcomes.ensure_may_report(session, actor=subject, place=place)
    latest = outcomes.list_updates(session, page=PageParams(limit=1, cursor=None), place_code=place.gss_code)[0]
    form = dict.fromkeys(FIELDS, "") | {"plan_status": latest[0][0].plan_status if latest else ""}
    return _form_page(request, place, form=form)


def _count(raw: str, field: str, what: str, errors: dict[str, str]) -> int | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        errors[field] = f"Enter the number of {what}, or 0"
        return None
    if not (raw.lstrip("-").isascii() and raw.lstrip("-").isdigit()):
        errors[field] = f"The number of {what} must be a whole number, like 250"
        return None
    value = int(raw)
    if value < 0:
        errors[field] = f"The number of {what} must be 0 or more"
    elif value > MAX_PEOPLE:
        errors[field] = f"The number of {what} must be {MAX_PEOPLE:,} or fewer"
    else:
        return value
    return None


def _update_data(form: dict[str, str], errors: dict[str, str]) -> dict[str, Any] | None:
    """The update checked as the API checks it (PlaceUpdateCreate), every mistake at once and in
    the form's words."""
    period = form["period"].strip()
    if not period:
        errors["period"] = "Enter the period the update is for"
    elif not _is_period(period):
        errors["period"] = "Enter the period like 2025-Q1, 2025-03 or 2024/25"
    if form["plan_status"] not in PLAN_STATUSES:
        errors["plan_status"] = "Choose the status of the Place's plan"
    if len(form["narrative"].strip()) > 10_000:
        errors["narrative"] = "The update must be 10,000 characters or fewer"
    elif has_control_characters(form["narrative"], multiline=True):
        errors["narrative"] = "The update has characters that cannot be stored: remove any pasted symbols"
    reached = _count(form["people_reached"], "people_reached", "people reached", errors)
    more = _count(form["people_more_active"], "people_more_active", "people more active", errors)
    if reached is not None and more is not None and more > reached:
        errors["people_more_active"] = "The number of people more active cannot be more than the number reached"
    if errors:
        return None
    return PlaceUpdateCreate(period=period, plan_status=form["plan_status"], narrative=form["narrative"],
                             people_reached=reached, people_more_active=more).model_dump()


@router.post("/places/{gss_code}/updates/new")
def post_update(request: Request, session: SessionDep, subject: Reporter, gss_code: GssPath,
                period: Short = "", plan_status: Short = "", people_reached: Short = "", people_more_active: Short = "",
                narrative: Annotated[str, Form(max_length=20_000)] = ""):
    place = registry.get_place(session, gss_code)
    outcomes.ensure_may_report(session, actor=subject, place=place)
    form = {"period": period, "plan_status": plan_status, "narrative": narrative, "people_reached": people_reached,
            "people_more_active": people_more_active}
    errors: dict[str, str] = {}
    data = _update_data(form, errors)
    if data is not None:
        try:
            with savepoint(session):
                outcomes.add_update(session, actor=subject, place=place, data=data)
        except Conflict:
            errors["period"] = (f"{place.name} already has an update for {data['period']}. "
                                "Enter a different period")
        except InvalidInput:
            errors["people_more_active"] = "The number of people more active cannot be more than the number reached"
        else:
            return RedirectResponse(f"/places/{place.gss_code}?done=update-posted#place-status", status_code=303)
    return _form_page(request, place, form=form, errors=errors, status=422)
