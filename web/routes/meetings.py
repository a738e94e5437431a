"""A meeting's page (agenda, attendance, minutes, decisions, actions, documents), its printable
chair's summary, and document downloads for signed-in people."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.core.schemas import Id
from api.deps import SessionDep, SettingsDep
from api.meetings import agenda, attendance, documents, minutes, pack, series, standing, summary
from api.meetings.meetings import later_meetings
from api.registry import service as registry
from web.auth import GroupBusinessViewer
from web.labels import ATTENDANCE_LABELS, DECLARATION_KIND_LABELS
from web.templating import long_date, render

router = APIRouter()

# Messages shown after a change made without JavaScript (the redirect names one, never free text).
NOTICES = {
    "item-added": "Agenda item added.", "item-changed": "Agenda item changed.", "item-removed": "Agenda item removed.",
    "attendance": "Attendance recorded.", "minute": "Minute saved.", "approved": "Minutes approved.",
    "decision": "Decision recorded.", "action": "Action set.",
    "paper-added": "Paper uploaded.", "paper-replaced": "Paper replaced.", "paper-removed": "Paper removed.",
    # The agenda (web/routes/meeting_agenda.py).
    "item-moved": "Agenda item moved.", "standing-added": "Standing items added to the agenda.",
    "standing-none": "The agenda already has every standing item.",
    # Guests and declarations of interest (web/routes/meeting_people.py).
    "guest-added": "Guest recorded.", "guest-removed": "Guest removed.",
    "declaration": "Declaration of interest recorded.", "declaration-removed": "Declaration of interest removed.",
    # Record edits (web/routes/meeting_record_edit.py).
    "decision-changed": "Decision changed.", "decision-removed": "Decision removed.",
    "action-changed": "Action changed.", "action-removed": "Action removed.",
    "approved-previous": "Minutes of the last meeting approved.",
    # Scheduling (web/routes/meeting_schedule.py).
    "meeting-scheduled": "Meeting scheduled. Add its agenda items below.",
    "meeting-changed": "Meeting details changed.",
    "meeting-cancelled": "Meeting cancelled. It stays in the record, marked cancelled.",
    "meeting-held": "Meeting marked as held.",
    "meeting-reinstated": "Meeting reinstated: it is scheduled again.",
}

# Where each message is shown: in the section of the form that made the change, next to it (see
# partials/meeting_edit/notice.html); the meeting's own changes at the top of the page.
NOTICE_SLOTS = {
    **dict.fromkeys(("item-added", "item-changed", "item-removed", "item-moved", "standing-added", "standing-none",
                     "minute", "approved"), "agenda"),
    "attendance": "attendance", **dict.fromkeys(("guest-added", "guest-removed"), "guests"),
    **dict.fromkeys(("declaration", "declaration-removed"), "declarations"),
    **dict.fromkeys(("decision", "decision-changed", "decision-removed"), "decisions"),
    **dict.fromkeys(("action", "action-changed", "action-removed"), "actions"),
    **dict.fromkeys(("paper-added", "paper-replaced", "paper-removed"), "papers"),
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
        "minutes_state": minutes.state(session, access=access, meeting=meeting),  # record edits
    }


def editor_context(session, subject, meeting_id: int, *, errors: dict | None = None, form: dict | None = None,
                   notice: str | None = None, notice_key: str | None = None) -> dict:
    """The page, and for the group's officers (and admins) what the edit forms need, in a fixed
    number of queries whatever the size of the meeting."""
    ctx = _context(session, subject, meeting_id)
    meeting, access = ctx["_meeting"], ctx["_access"]
    ctx.update(errors=errors or {}, form=form or {}, notice=notice, notice_slot=NOTICE_SLOTS.get(notice_key or ""))
    ctx["schedule"] = series.schedule_facts(session, meeting)  # the header's series and "Mark as held"
    # Papers: where each falls in the viewer's own meeting pack (members and others get different packs).
    ctx["pack"] = pack.plan(pack.facts(session, meeting=meeting, members=access.sees_members_only))
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
    # Record edits: the previous meeting's minutes, for this one's "minutes of the last meeting" item.
    ctx["approval"] = minutes.approval_for(session, access=access, meeting=meeting, items=ctx["_items"])
    # Guests and declarations: who may be named in a declaration (the service's rule: members, and
    # people recorded as present or in attendance), and whether attendance can be recorded yet.
    ctx.update(started=attendance.has_started(meeting), kind_options=list(DECLARATION_KIND_LABELS.items()),
               declarant_options=ctx["members"] + sorted(
                   ((record.stakeholder_id, name) for record, name in ctx["_rows"] if record.stakeholder_id
                    not in member_ids and record.status in ("present", "in_attendance")), key=lambda m: m[1].lower()))
    # The agenda: the group's standing items it lacks, and whether approved minutes have frozen it.
    ctx.update(standing_missing=standing.missing_from(session, group_id=meeting.group_id, items=ctx["_items"]),
               agenda_frozen=agenda.is_frozen(session, meeting.id))
    return ctx


@router.get("/meetings/{meeting_id}")
def meeting_page(meeting_id: Id, request: Request, session: SessionDep, subject: GroupBusinessViewer,
                 done: Annotated[str | None, Query(max_length=20)] = None):
    return render(request, "pages/meetings/detail.html",
                  editor_context(session, subject, meeting_id, notice=NOTICES.get(done or ""), notice_key=done))


@router.get("/meetings/{meeting_id}/summary")
def summary_page(meeting_id: Id, request: Request, session: SessionDep, subject: GroupBusinessViewer):
    """The chair's summary report, laid out for printing."""
    return render(request, "pages/meetings/summary.html", _context(session, subject, meeting_id))


@router.get("/documents/{document_id}")
def download(document_id: Id, session: SessionDep, settings: SettingsDep, subject: GroupBusinessViewer):
    document, _ = documents.get_visible(session, subject=subject, document_id=document_id)
    return documents.file_response(settings, document)
