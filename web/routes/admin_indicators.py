"""Uploading indicator values as CSV: the same importer, limits and all-or-nothing rule as the
API's `POST /indicators/import`, with every problem listed by line and column."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from api import authz
from api.authz import Subject
from api.core.db import savepoint
from api.core.errors import InvalidInput
from api.core.uploads import TooLarge
from api.deps import SessionDep
from api.indicators import importer
from web.auth import csrf_protected, page_requires
from web.templating import render

router = APIRouter(prefix="/admin")

IndicatorAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_indicators))]
IndicatorImport = Annotated[Subject, Depends(csrf_protected(authz.may_manage_indicators))]
REPORT_ROWS = 50  # problems listed in the table; the rest are counted


def _page(request: Request, *, status: int = 200, result: dict | None = None, problem: dict | None = None):
    return render(request, "pages/admin/indicator_upload.html", {
        "title": "Upload indicator values" if result is None and problem is None else "Upload indicator values: result",
        "nav": "admin", "result": result, "problem": problem, "max_mb": request.app.state.settings.max_upload_mb,
        "columns": importer.OURS, "required": importer.REQUIRED, "max_errors": importer.MAX_ERRORS,
    }, status=status, block="result")


@router.get("/indicators/upload")
def upload_page(request: Request, _: IndicatorAdmin):
    return _page(request)


@router.post("/indicators/upload")
def upload(request: Request, session: SessionDep, actor: IndicatorImport,
           file: Annotated[UploadFile | None, File()] = None,
           check_only: Annotated[bool, Form()] = False):
    """Validate every row, then write all or nothing; the page says which, and why not."""
    if file is None or not file.filename:
        return _page(request, status=422, problem={"detail": "Select a CSV file to upload.", "errors": []})
    name = file.filename[:200]
    try:
        data = importer.read_upload(file.file, max_mb=request.app.state.settings.max_upload_mb)
        with savepoint(session):  # nothing is written when anything is wrong
            result = importer.import_csv(session, actor=actor, data=data, dry_run=check_only)
    except (InvalidInput, TooLarge) as error:
        errors = [{"line": e.get("line"), "column": e.get("column"), "msg": e.get("msg", "")}
                  for e in error.errors or []]
        return _page(request, status=error.status, problem={
            "detail": error.detail, "name": name, "errors": errors[:REPORT_ROWS],
            "more": max(0, len(errors) - REPORT_ROWS), "capped": len(errors) >= importer.MAX_ERRORS})
    return _page(request, result={"name": name, "check_only": check_only, **result})
