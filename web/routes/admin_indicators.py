"""Indicators for admins: add an indicator and change its details (the metadata partners read
through the API), and upload values as CSV in two steps, as the membership import does: "Check
the file" shows what would be imported (rows per indicator, the first rows, every problem by
line) and writes nothing; "Import" then sends the checked text back with the preview's digest,
and the importer refuses it (409, a new preview) if it would now write anything else. The same
importer, limits and all-or-nothing rule as the API's `POST /indicators/import`."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api import authz
from api.authz import Subject
from api.core.bodylimit import MB
from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput
from api.core.uploads import TooLarge, UnsupportedType, decode_csv, limit_of, too_large
from api.deps import SessionDep
from api.indicators import importer
from api.indicators import service as indicators
from api.indicators.models import Indicator
from api.indicators.schemas import IndicatorCreate, IndicatorUpdate
from web.auth import csrf_protected, page_requires
from web.templating import render

router = APIRouter(prefix="/admin")

IndicatorAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_indicators))]
IndicatorChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_indicators))]
IndicatorPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,40}$")]
Text = Annotated[str, Form(max_length=6000)]
# The checked file comes back as a text field of the import form (multipart, so the upload limit
# applies to the request); its own size is checked against that limit below.
ImportLimits = {"max_part_size": 1024 * MB}

UNIT_OPTIONS = [("percent", "Percentage"), ("rate", "Rate (per 1,000, per 100,000, ...)"), ("count", "Count")]
POLARITY_OPTIONS = [("higher_is_better", "Higher is better"), ("lower_is_better", "Lower is better"),
                    ("no_judgement", "Neither: no judgement")]
CI_OPTIONS = [("given", "Given in the file"), ("wilson", "Wilson score (proportions)"),
              ("byar", "Byar (rates)")]
# {field: (label, what to say when it is missing)}.
FIELDS = {
    "id": ("Id", "Enter the indicator's id"), "name": ("Name", "Enter a name"),
    "definition": ("Definition", ""), "theme": ("Theme", ""), "unit": ("Unit", "Choose a unit"),
    "multiplier": ("Shown per", "Enter what values are shown per, like 100"),
    "polarity": ("Better is", "Choose whether higher or lower is better"),
    "frequency": ("Frequency", ""), "geography": ("Geography", ""), "breakdowns": ("Breakdowns", ""),
    "source": ("Source", ""), "numerator_definition": ("Numerator", ""),
    "denominator_definition": ("Denominator", ""),
    "ci_method": ("Confidence intervals", "Choose how confidence intervals are found"),
}
NOTICES = {"created": "Indicator added.", "saved": "Changes saved."}


def _message(field: str, error: dict[str, Any]) -> str:
    """A validation error in the page's words (GOV.UK style), never pydantic's."""
    label, missing = FIELDS[field]
    kind, context = error.get("type", ""), error.get("ctx") or {}
    blank = isinstance(error.get("input"), str) and not error["input"].strip()
    if kind in ("missing", "string_too_short") or (missing and (blank or kind == "literal_error")):
        return missing or f"Enter the {label.lower()}"
    if kind == "string_too_long":
        what = "Each breakdown" if field == "breakdowns" else f"The {label.lower()}"
        return f"{what} must be {context.get('max_length')} characters or fewer"
    if kind == "too_long" and field == "breakdowns":
        return "Enter 50 breakdowns or fewer"
    if field == "multiplier":
        return "Enter what values are shown per as a number above 0 and up to 1,000,000, like 100"
    if field == "id":
        return "The id can only have letters, numbers, dots, hyphens and underscores (up to 40)"
    return f"The {label.lower()} must not contain control characters"


def _errors(error: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in error.errors():
        loc = [part for part in item.get("loc", []) if isinstance(part, str)]
        field = loc[0] if loc and loc[0] in FIELDS else None
        if field is None:
            found.setdefault("indicator-form", "Check the details and try again")
        else:
            found.setdefault(field, _message(field, item))
    return found


def _values(form: dict[str, str]) -> dict[str, Any]:
    """The form's text as the schema's fields: breakdowns one a line, blanks dropped."""
    values: dict[str, Any] = {key: value for key, value in form.items()
                              if key not in ("breakdowns", "version", "published")}
    # A checkbox: sent as "true" when ticked, not sent at all when not.
    values["published"] = form.get("published") == "true"
    values["breakdowns"] = [line.strip() for line in form["breakdowns"].splitlines() if line.strip()]
    if not form["multiplier"].strip():
        values["multiplier"] = None
    return values


def _form_of(indicator: Indicator) -> dict[str, str]:
    multiplier = indicator.multiplier
    return {**{field: getattr(indicator, field) for field in FIELDS if field not in ("breakdowns", "multiplier")},
            "breakdowns": "\n".join(indicator.breakdowns),
            "multiplier": f"{multiplier:g}" if multiplier != int(multiplier) else str(int(multiplier)),
            "published": "true" if indicator.published else "", "version": str(indicator.version)}


def _form_page(request: Request, *, indicator: Indicator | None, form: dict[str, str],
               errors: dict[str, str] | None = None, notice: str | None = None, status: int = 200):
    title = "Add an indicator" if indicator is None else f"Change {indicator.name}"
    return render(request, "pages/admin/indicator_form.html", {
        "title": f"Error: {title}" if errors else title, "nav": "admin", "indicator": indicator, "form": form,
        "errors": errors or {}, "notice": notice,
        "unit_options": UNIT_OPTIONS, "polarity_options": POLARITY_OPTIONS, "ci_options": CI_OPTIONS,
        "field_ids": ["indicator-form", *FIELDS]}, status=status)


EMPTY = {"id": "", "name": "", "definition": "", "theme": "", "unit": "", "multiplier": "100", "polarity": "",
         "frequency": "annual", "geography": "", "breakdowns": "Persons", "source": "",
         "numerator_definition": "", "denominator_definition": "", "ci_method": "given", "published": ""}


@router.get("/indicators/new")
def new_indicator_page(request: Request, _: IndicatorAdmin):
    return _form_page(request, indicator=None, form=dict(EMPTY))


@router.post("/indicators/new")
def create_indicator(request: Request, session: SessionDep, actor: IndicatorChange,
                     id: Text = "", name: Text = "", definition: Text = "", theme: Text = "", unit: Text = "",
                     multiplier: Text = "", polarity: Text = "", frequency: Text = "", geography: Text = "",
                     breakdowns: Text = "", source: Text = "", numerator_definition: Text = "",
                     denominator_definition: Text = "", ci_method: Text = "", published: Text = ""):
    form = {"id": id, "name": name, "definition": definition, "theme": theme, "unit": unit,
            "multiplier": multiplier, "polarity": polarity, "frequency": frequency, "geography": geography,
            "breakdowns": breakdowns, "source": source, "numerator_definition": numerator_definition,
            "denominator_definition": denominator_definition, "ci_method": ci_method, "published": published}
    try:
        data = IndicatorCreate.model_validate(_values(form))
        with savepoint(session):
            made = indicators.create_indicator(session, actor=actor, data=data.model_dump())
    except ValidationError as error:
        return _form_page(request, indicator=None, form=form, errors=_errors(error), status=422)
    except Conflict:
        return _form_page(request, indicator=None, form=form, status=422, errors={
            "id": f"An indicator with the id {data.id} already exists: choose another id"})
    return RedirectResponse(f"/admin/indicators/{made.id}/edit?done=created", status_code=303)


@router.get("/indicators/{indicator_id}/edit")
def edit_indicator_page(request: Request, session: SessionDep, _: IndicatorAdmin, indicator_id: IndicatorPath,
                        done: Annotated[str | None, Query(max_length=20)] = None):
    indicator = indicators.get_indicator(session, indicator_id)
    return _form_page(request, indicator=indicator, form=_form_of(indicator), notice=NOTICES.get(done or ""))


@router.post("/indicators/{indicator_id}/edit")
def update_indicator(request: Request, session: SessionDep, actor: IndicatorChange, indicator_id: IndicatorPath,
                     name: Text = "", definition: Text = "", theme: Text = "", unit: Text = "",
                     multiplier: Text = "", polarity: Text = "", frequency: Text = "", geography: Text = "",
                     breakdowns: Text = "", source: Text = "", numerator_definition: Text = "",
                     denominator_definition: Text = "", ci_method: Text = "", published: Text = "",
                     version: Text = ""):
    indicator = indicators.get_indicator(session, indicator_id)
    form = {"id": indicator.id, "name": name, "definition": definition, "theme": theme, "unit": unit,
            "multiplier": multiplier, "polarity": polarity, "frequency": frequency, "geography": geography,
            "breakdowns": breakdowns, "source": source, "numerator_definition": numerator_definition,
            "denominator_definition": denominator_definition, "ci_method": ci_method, "published": published,
            "version": version}
    if version != str(indicator.version):
        # Saved by someone else since this form was shown: show theirs rather than overwrite it.
        return _form_page(request, indicator=indicator, form=_form_of(indicator), status=409, errors={
            "indicator-form": "Someone else changed this indicator after you opened it. Their changes are shown "
                              "below: make yours again and save"})
    values = {key: value for key, value in _values(form).items() if key != "id"}
    try:
        # Every field is on the form, so a blank required one is missing, not "leave as it is".
        IndicatorCreate.model_validate({**values, "id": indicator.id})
        changes = IndicatorUpdate.model_validate(values).changes()
        with savepoint(session):
            indicators.update_indicator(session, actor=actor, indicator=indicator, changes=changes)
    except ValidationError as error:
        return _form_page(request, indicator=indicator, form=form, errors=_errors(error), status=422)
    return RedirectResponse(f"/admin/indicators/{indicator.id}/edit?done=saved", status_code=303)


# Uploading values ---------------------------------------------------------------------------------

def _page(request: Request, session, *, status: int = 200, preview: dict | None = None,
          problem: dict | None = None, notice: str | None = None):
    checked = preview is not None or problem is not None
    return render(request, "pages/admin/indicator_upload.html", {
        "title": ("Error: " if problem else "") + ("Upload indicator values: check" if checked
                                                   else "Upload indicator values"),
        "nav": "admin", "preview": preview, "problem": problem, "notice": notice,
        "max_mb": request.app.state.settings.max_upload_mb, "columns": importer.OURS,
        "required": importer.REQUIRED, "max_errors": importer.MAX_ERRORS,
        "accepted": indicators.all_indicators(session),
    }, status=status, block="result")


def _problem(error: InvalidInput | TooLarge | UnsupportedType, name: str) -> dict[str, Any]:
    errors = [{"line": e.get("line"), "column": e.get("column"), "msg": e.get("msg", "")} for e in error.errors or []]
    return {"detail": error.detail, "name": name, "errors": errors, "capped": len(errors) >= importer.MAX_ERRORS}


@router.get("/indicators/upload")
def upload_page(request: Request, session: SessionDep, _: IndicatorAdmin,
                done: Annotated[str | None, Query(max_length=20)] = None,
                written: Annotated[int | None, Query(ge=0, le=10**9)] = None):
    notice = None
    if done == "imported":
        count = written or 0
        notice = (f"Import complete: {count:,} value{'s' if count != 1 else ''} added or changed." if count
                  else "Import complete: nothing changed, every value matched what is held.")
    return _page(request, session, notice=notice)


def _check(request: Request, session, name: str, text: str, *, status: int = 200,
           notice: str | None = None):
    try:
        with savepoint(session):  # the preview writes nothing; this keeps it so if that ever changes
            found = importer.preview(session, data=text.encode())
    except InvalidInput as error:
        return _page(request, session, status=error.status, problem=_problem(error, name))
    return _page(request, session, status=status, notice=notice,
                 preview={"name": name, "text": text, **found})


@router.post("/indicators/upload")
def check_upload(request: Request, session: SessionDep, actor: IndicatorChange,
                 file: Annotated[UploadFile | None, File()] = None):
    """Check every row and show what would be imported; nothing is written here."""
    if file is None or not file.filename:
        return _page(request, session, status=422, problem={"detail": "Select a CSV file to check.", "errors": []})
    name = file.filename[:200]
    try:
        text = decode_csv(importer.read_upload(file.file, max_mb=request.app.state.settings.max_upload_mb))
    except TooLarge as error:
        return _page(request, session, status=error.status, problem=_problem(error, name))
    except UnsupportedType as error:
        # 422 as the importer answers it, so both steps and the API say the same.
        return _page(request, session, status=422, problem=_problem(error, name))
    return _check(request, session, name, text)


@router.post("/indicators/upload/import", form_limits=ImportLimits)
def import_upload(request: Request, session: SessionDep, actor: IndicatorChange,
                  csv_text: Annotated[str, Form()] = "", digest: Annotated[str, Form(max_length=64)] = "",
                  name: Annotated[str, Form(max_length=200)] = ""):
    """Import the checked file, all or nothing; if it would now write anything other than its
    preview showed, show the new preview instead."""
    data = csv_text.encode()
    if len(data) > request.app.state.settings.max_upload_mb * MB:
        error = too_large(limit_of(request.app.state.settings.max_upload_mb))
        return _page(request, session, status=413, problem=_problem(error, name))
    if not csv_text.strip():
        return _page(request, session, status=422, problem={"detail": "Select a CSV file to check.", "errors": []})
    try:
        with savepoint(session):
            result = importer.import_csv(session, actor=actor, data=data, digest=digest)
    except importer.PreviewOutdated as error:
        return _check(request, session, name, csv_text, status=409, notice=error.detail)
    except InvalidInput as error:
        return _page(request, session, status=error.status, problem=_problem(error, name))
    return RedirectResponse(f"/admin/indicators/upload?done=imported&written={result['rows_written']}",
                            status_code=303)
