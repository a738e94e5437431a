"""A meeting's papers on its page: upload (on the meeting or on an agenda item), replace, remove
(with a confirmation page), for the group's officers and admins; and the meeting pack PDF for
everyone who can see the meeting. The rules are the documents service's (api/meetings/documents.py),
the pack is api/meetings/pack.py.

Every form works without JavaScript (303 back to the page at the paper, or the page again with
422, the title kept and the problem in plain English); with htmx only the papers section comes
back, with a message for the page's live region.
"""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from api.core.db import savepoint
from api.core.errors import InvalidInput, NotFound, ProblemError
from api.core.schemas import Id
from api.core.uploads import TooLarge, UnsupportedType
from api.deps import SessionDep, SettingsDep
from api.meetings import agenda, documents, pack, service
from web.auth import GroupBusinessViewer, ReaderChangingGroupBusiness
from web.confirming import confirm_page
from web.forms import form_id
from web.routes.meeting_edit import _officer_access, answer

router = APIRouter()

Short = Annotated[str, Form(max_length=2_000)]
Upload = Annotated[UploadFile | None, File()]
FILE_TYPES = ("a PDF, Word document, Excel spreadsheet, PowerPoint presentation, CSV file, "
              "or a PNG or JPEG image")


def upload_problem(error: ProblemError, max_mb: int) -> str:
    """A refused upload in plain English, for the field that chose the file."""
    if isinstance(error, TooLarge):
        return f"The file must be smaller than {max_mb} MB"
    if isinstance(error, UnsupportedType):
        return f"The file must be {FILE_TYPES}"
    if error.detail.startswith(documents.UNREADABLE_PDF):
        return error.detail
    if error.detail == "The file is empty.":
        return "The selected file is empty"
    return error.detail


def _answer(request: Request, session, subject, meeting_id: int, *, notice_key: str, errors: dict | None = None,
            form: dict | None = None, paper_id: int | None = None):
    """The papers section's answer, at the paper concerned."""
    return answer(request, session, subject, meeting_id, section="papers", notice_key=notice_key, errors=errors,
                  form=form, focus=f"paper-{paper_id}" if paper_id else None)


def _paper_of(session, subject, meeting_id: int, document_id: int):
    """The paper (which must belong to this meeting), its meeting and the caller's access, for a
    change: 404 when the caller may not see it, 403 (audited) when they may not change it."""
    document, meeting, access = documents.for_change(session, subject=subject, document_id=document_id)
    if meeting.id != meeting_id:
        raise NotFound(f"No document with id {document_id} in this meeting.")
    return document, meeting, access


@router.post("/meetings/{meeting_id}/papers")
def upload_paper(meeting_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
                 subject: ReaderChangingGroupBusiness, file: Upload = None, title: Short = "",
                 agenda_item_id: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "upload a document")
    form = {"paper-title": title, "paper-item": agenda_item_id}
    errors: dict[str, str] = {}
    added = None
    items = {item.id for item in agenda.agenda(session, access=access, meeting_id=meeting.id)}
    item_id = form_id(agenda_item_id) if agenda_item_id else None
    if agenda_item_id and item_id not in items:
        errors["paper-item"] = "Choose an agenda item of this meeting, or the meeting as a whole"
    if file is None or not file.filename:
        errors["paper-file"] = "Select a file to upload"
    if len(title.strip()) > 300:
        errors["paper-title"] = "The title must be 300 characters or fewer"
    if not errors:
        try:
            with savepoint(session):
                added = documents.add(session, settings, access=access, meeting=meeting, upload=file.file,
                                      filename=file.filename, title=title.strip() or None, agenda_item_id=item_id,
                                      confidential=False)
        except (TooLarge, UnsupportedType, InvalidInput) as error:
            errors["paper-file"] = upload_problem(error, settings.max_upload_mb)
    return _answer(request, session, subject, meeting_id, notice_key="paper-added", errors=errors,
                   form={} if added else form, paper_id=added.id if added else None)


@router.post("/meetings/{meeting_id}/papers/{document_id}/replace")
def replace_paper(meeting_id: Id, document_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
                  subject: ReaderChangingGroupBusiness, file: Upload = None):
    document, meeting, access = _paper_of(session, subject, meeting_id, document_id)
    field = f"paper-{document.id}-file"
    errors: dict[str, str] = {}
    if file is None or not file.filename:
        errors[field] = "Select the new version of the file"
    else:
        try:
            with savepoint(session):
                documents.replace(session, settings, access=access, document=document, meeting=meeting,
                                  upload=file.file, filename=file.filename)
        except (TooLarge, UnsupportedType, InvalidInput) as error:
            errors[field] = upload_problem(error, settings.max_upload_mb)
    return _answer(request, session, subject, meeting_id, notice_key="paper-replaced", errors=errors,
                   paper_id=document.id)


@router.get("/meetings/{meeting_id}/papers/{document_id}/remove")
def confirm_removal(meeting_id: Id, document_id: Id, request: Request, session: SessionDep,
                    subject: GroupBusinessViewer):
    document, meeting, _ = _paper_of(session, subject, meeting_id, document_id)
    return confirm_page(
        request, meeting, title=f"Remove the paper '{document.title}'",
        question=f"Are you sure you want to remove \u2018{document.title}\u2019?",
        details=[f"The paper ({document.filename}) is taken off the meeting page and out of the meeting pack, and "
                 "the pack's page numbers are worked out again. This cannot be undone."],
        action=f"/meetings/{meeting.id}/papers/{document.id}/remove", button="Remove the paper",
        cancel=f"/meetings/{meeting.id}#paper-{document.id}")


@router.post("/meetings/{meeting_id}/papers/{document_id}/remove")
def remove_paper(meeting_id: Id, document_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
                 subject: ReaderChangingGroupBusiness):
    document, meeting, access = _paper_of(session, subject, meeting_id, document_id)
    documents.remove(session, settings, access=access, document=document, meeting=meeting)
    return _answer(request, session, subject, meeting_id, notice_key="paper-removed")


@router.get("/meetings/{meeting_id}/pack.pdf")
def meeting_pack(meeting_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
                 subject: GroupBusinessViewer):
    """The meeting pack as the caller may see it (the same file as the API's)."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    facts = pack.facts(session, meeting=meeting, members=access.sees_members_only, base_url=str(request.base_url))
    return pack.file_response(settings, facts, if_none_match=request.headers.get("if-none-match"))
