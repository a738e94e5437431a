"""A meeting's page (agenda, attendance, minutes, decisions, actions, documents), its printable
chair's summary, and document downloads for signed-in people."""

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.deps import SessionDep, SettingsDep
from api.meetings import documents, service, summary
from web.auth import GroupBusinessViewer
from web.templating import render

router = APIRouter()

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ATTENDANCE_LABELS = {"present": "Present", "in_attendance": "In attendance", "apologies": "Apologies",
                     "absent": "Absent"}


def _context(session, subject, meeting_id: int) -> dict:
    report = summary.chair_summary(session, subject, meeting_id)
    meeting, access = service.meeting_access(session, subject, meeting_id)
    by_status: dict[str, list[str]] = {status: [] for status in ATTENDANCE_LABELS}
    for record, name in service.attendance(session, meeting.id):
        by_status[record.status].append(name)
    return {
        "title": f"{report.group_name}: {meeting.starts_at:%d %B %Y}", "nav": "groups", "report": report,
        "group": service.get_group(session, meeting.group_id), "attendance": by_status,
        "attendance_labels": ATTENDANCE_LABELS, "documents": documents.list_for_meeting(
            session, access=access, meeting_id=meeting.id),
        "agenda": {item.ref: item for item in service.agenda(session, access=access, meeting_id=meeting.id)},
    }


@router.get("/meetings/{meeting_id}")
def meeting_page(meeting_id: Id, request: Request, session: SessionDep, subject: GroupBusinessViewer):
    return render(request, "pages/meetings/detail.html", _context(session, subject, meeting_id))


@router.get("/meetings/{meeting_id}/summary")
def summary_page(meeting_id: Id, request: Request, session: SessionDep, subject: GroupBusinessViewer):
    """The chair's summary report, laid out for printing."""
    return render(request, "pages/meetings/summary.html", _context(session, subject, meeting_id))


@router.get("/documents/{document_id}")
def download(document_id: Id, session: SessionDep, settings: SettingsDep, subject: GroupBusinessViewer):
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    return documents.file_response(settings, document)
