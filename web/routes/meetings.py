"""A meeting's page (agenda, attendance, minutes, decisions, actions, documents), its printable
chair's summary, and document downloads for signed-in people."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.core.schemas import Id
from api.deps import SessionDep, SettingsDep
from api.meetings import attendance, documents, minutes, summary
from api.meetings.meetings import later_meetings
from api.registry import service as registry
from web.auth import GroupBusinessViewer
from web.labels import ATTENDANCE_LABELS
from web.templating import long_date, render

router = APIRouter()

# Messages shown after a change made without JavaScript (the redirect names one, never free text).
NOTICES = {
    "item-added": "Agenda item added.", "item-changed": "Agenda item changed.", "item-removed": "Agenda item removed.",
    "attendance": "Attendance recorded.", "minute": "Minute saved.", "approved": "Minutes approved.",
    "decision": "Decision recorded.", "action": "Action set.",
}


def _context(session, subject, meeting_id: int) -> dict:
    record = summary.meeting_record(session, subject, meeting_id)
    report, meeting, access, items = record.summary, record.meeting, record.access, record.items
    rows = attendance.attendance(session, meeting.id)
    by_status: dict[str, list[str]] = {status: [] for status in ATTENDANCE_LABELS}
    for row, name in rows:
        by_status[row.status].append(name)
    return {
        "title": f"{report.group_name}: {long_date(meeting.starts_at)}", "nav": "groups", "report": report,
        "group": record.group, "attendance": by_status,
        "attendance_labels": ATTENDANCE_LABELS, "documents": documents.list_for_meeting(
            session, access=access, meeting_id=meeting.id),
        "agenda": {item.ref: item for item in items}, "can_manage": False,
        "_meeting": meeting, "_access": access, "_rows": rows, "_items": items,
    }


def editor_context(session, subject, meeting_id: int, *, errors: dict | None = None, form: dict | None = None,
                   notice: str | None = None) -> dict:
    """The page, and for the group's officers (and admins) what the edit forms need, in a fixed
    number of queries whatever the size of the meeting."""
    ctx = _context(session, subject, meeting_id)
    meeting, access = ctx["_meeting"], ctx["_access"]
    ctx.update(errors=errors or {}, form=form or {}, notice=notice)
    if not access.may_manage:
        return ctx
    members = [(seat.person.id, seat.person.name) for seat in registry.group_roster(session, meeting.group_id)]
    status_of = {record.stakeholder_id: record.status for record, _ in ctx["_rows"]}
    member_ids = {person_id for person_id, _ in members}
    guests = [(record.stakeholder_id, name) for record, name in ctx["_rows"] if record.stakeholder_id not in member_ids]
    latest = minutes.latest_version(session, meeting.id)
    texts = {} if latest is None else {t["agenda_item_id"]: t["text"] for t in minutes.texts(
        session, access=access, minutes=latest)}
    later = later_meetings(session, meeting)
    ctx.update(
        can_manage=True, meeting_id=meeting.id, members=sorted(members, key=lambda m: m[1].lower()),
        attendees=[{"id": i, "name": n, "status": status_of.get(i), "guest": False} for i, n in members]
        + [{"id": i, "name": n, "status": status_of.get(i), "guest": True} for i, n in guests],
        items=ctx["_items"], minutes=latest, minute_texts=texts, later=later,
        item_options=[(item.id, f"{item.ref} {item.title}") for item in ctx["_items"]],
        meeting_options=[(m.id, long_date(m.starts_at) + (f": {m.title}" if m.title else "")) for m in later],
        approved_at=next((m for m in later if latest and m.id == latest.approved_at_meeting_id), None),
    )
    return ctx


@router.get("/meetings/{meeting_id}")
def meeting_page(meeting_id: Id, request: Request, session: SessionDep, subject: GroupBusinessViewer,
                 done: Annotated[str | None, Query(max_length=20)] = None):
    return render(request, "pages/meetings/detail.html",
                  editor_context(session, subject, meeting_id, notice=NOTICES.get(done or "")))


@router.get("/meetings/{meeting_id}/summary")
def summary_page(meeting_id: Id, request: Request, session: SessionDep, subject: GroupBusinessViewer):
    """The chair's summary report, laid out for printing."""
    return render(request, "pages/meetings/summary.html", _context(session, subject, meeting_id))


@router.get("/documents/{document_id}")
def download(document_id: Id, session: SessionDep, settings: SettingsDep, subject: GroupBusinessViewer):
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    return documents.file_response(settings, document)
