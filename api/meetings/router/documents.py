"""HTTP for a meeting's documents: upload, list, read and download."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse

from api.core.http import created
from api.core.pagination import Page
from api.core.schemas import SINGLE_LINE, Id
from api.deps import GroupBusinessReader, ReaderChangingGroupBusiness, SessionDep, SettingsDep
from api.meetings import documents, service
from api.meetings.schemas import DocumentRead

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
def get_document(document_id: Id, session: SessionDep, subject: GroupBusinessReader):
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    return document


@router.get("/documents/{document_id}/content", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download_document(document_id: Id, session: SessionDep, settings: SettingsDep, subject: GroupBusinessReader):
    """The file itself, as an attachment (confidential ones to the group's members only)."""
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    return documents.file_response(settings, document)
