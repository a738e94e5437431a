"""HTTP for a meeting's documents (its papers): upload, list, read, download, replace, change and
remove; and the meeting pack, one PDF of the agenda and every paper with stamped page numbers."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse

from api.core.http import Precondition, created, ensure_match, if_match
from api.core.pagination import Page
from api.core.schemas import SINGLE_LINE, Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep, SettingsDep
from api.meetings import documents, pack, service
from api.meetings.schemas import DocumentRead, DocumentUpdate

router = APIRouter(tags=["meetings"])


@router.post("/meetings/{meeting_id}/documents", response_model=DocumentRead, status_code=201,
             responses={413: {"description": "larger than ATA_MAX_UPLOAD_MB"},
                        415: {"description": "not a PDF, Office document, CSV or image (by content)"}})
def upload_document(meeting_id: Id, request: Request, response: Response, session: SessionDep,
                    settings: SettingsDep, subject: ReaderChangingGroupBusiness,
                    file: Annotated[UploadFile, File(description="The document")],
                    title: Annotated[str | None, Form(max_length=300), SINGLE_LINE] = None,
                    agenda_item_id: Annotated[Id | None, Form()] = None,
                    confidential: Annotated[bool, Form()] = False):
    """A meeting pack or report, checked by size and by content; stored once per content."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    document = documents.add(session, settings, access=access, meeting=meeting, upload=file.file,
                             filename=file.filename, title=title, agenda_item_id=agenda_item_id,
                             confidential=confidential)
    created(request, response, document, "get_document", document_id=document.id)
    return document


@router.get("/meetings/{meeting_id}/documents", response_model=Page[DocumentRead])
def list_documents(meeting_id: Id, session: SessionDep, subject: GroupBusinessReader):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    return Page(items=documents.list_for_meeting(session, access=access, meeting_id=meeting.id), next_cursor=None)


@router.get("/documents/{document_id}", response_model=DocumentRead)
def get_document(document_id: Id, response: Response, session: SessionDep, subject: GroupBusinessReader):
    """A paper's details; its ETag (which changes with its content) is what If-Match takes."""
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    response.headers["ETag"] = documents.etag(document)
    return document


@router.get("/documents/{document_id}/content", response_class=FileResponse,
            responses={200: {"content": {kind: {} for kind in documents.STORED_TYPES}}})
def download_document(document_id: Id, session: SessionDep, settings: SettingsDep, subject: GroupBusinessReader):
    """The file itself, as an attachment (confidential ones to the group's members only)."""
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    return documents.file_response(settings, document)


UPLOAD_ERRORS = {413: {"description": "larger than ATA_MAX_UPLOAD_MB"},
                 415: {"description": "not a PDF, Office document, CSV or image (by content)"},
                 422: {"description": "empty, or a PDF that cannot be read (damaged or password-protected)"}}


@router.put("/documents/{document_id}/content", response_model=DocumentRead,
            responses={**UPLOAD_ERRORS, **Precondition})
def replace_document(document_id: Id, request: Request, response: Response, session: SessionDep,
                     settings: SettingsDep, subject: ReaderChangingGroupBusiness,
                     file: Annotated[UploadFile, File(description="The new version of the file")]):
    """New bytes for the same paper (same id, title and agenda item), checked like an upload;
    the group's officers and admins. If-Match (the ETag of the content) is optional."""
    document, meeting, access = documents.for_change(session, subject=subject, document_id=document_id)
    ensure_match(if_match(request), documents.etag(document))
    read = documents.replace(session, settings, access=access, document=document, meeting=meeting,
                             upload=file.file, filename=file.filename)
    response.headers["ETag"] = documents.etag(read)
    return read


@router.patch("/documents/{document_id}", response_model=DocumentRead, responses=Precondition)
def update_document(document_id: Id, body: DocumentUpdate, request: Request, response: Response,
                    session: SessionDep, settings: SettingsDep, subject: ReaderChangingGroupBusiness):
    """A paper's title, or the agenda item it belongs to (`null`: the meeting as a whole); a
    paper moved onto a confidential item becomes members-only with it."""
    document, meeting, access = documents.for_change(session, subject=subject, document_id=document_id)
    ensure_match(if_match(request), documents.etag(document))
    read = documents.update(session, settings, access=access, document=document, meeting=meeting,
                            changes=body.changes())
    response.headers["ETag"] = documents.etag(read)
    return read


@router.delete("/documents/{document_id}", status_code=204, responses=Precondition)
def delete_document(document_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
                    subject: ReaderChangingGroupBusiness):
    """Remove a paper (the group's officers and admins; audited). Its file is deleted from storage
    too, unless another paper has the same content."""
    document, meeting, access = documents.for_change(session, subject=subject, document_id=document_id)
    ensure_match(if_match(request), documents.etag(document))
    documents.remove(session, settings, access=access, document=document, meeting=meeting)
    return Response(status_code=204)


@router.get("/meetings/{meeting_id}/pack.pdf", response_class=FileResponse,
            responses={200: {"content": {"application/pdf": {}}}, 304: {"description": "unchanged (If-None-Match)"},
                       409: {"description": "a paper's file could not be read from storage"}})
def meeting_pack(meeting_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
                 subject: GroupBusinessReader):
    """The meeting pack: a cover with the agenda (each item's pack page), then every PDF paper in
    agenda order (the meeting's own papers last), "Page N of M" stamped on every page. Papers that
    are not PDFs are listed on the cover with a link. Confidential items and members-only papers
    are left out (cover included) for anyone but the group's members. The ETag is a hash of all
    the pack shows: If-None-Match answers 304."""
    meeting, access = service.meeting_access(session, subject, meeting_id)
    facts = pack.facts(session, meeting=meeting, members=access.sees_members_only, base_url=str(request.base_url))
    return pack.file_response(settings, facts, if_none_match=request.headers.get("if-none-match"))

