"""Scheduling a group's meetings from its pages: one meeting or a series, changing a meeting's
details, cancelling it (kept, marked, with a reason), marking it held; and the group's forward
plan. For the group's chair, vice chair and secretary, and admins (api/access.py's
`ensure_manager`, the services' own rule); the forward plan is for everyone who may read the
group's business.

Dates and times are typed in UK time (Europe/London) and turned into moments with zoneinfo, so
a meeting at 2pm is at 2pm in summer and in winter. Every form works without JavaScript: a
mistake answers 422 with the page again, the typed values kept and an error summary; success
redirects (303) to the meeting's page or the forward plan with a notice.
"""

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.access import access_to, ensure_manager
from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput
from api.core.pagination import PageParams
from api.core.schemas import Id
from api.core.types import LONDON, today
from api.deps import SessionDep
from api.meetings import forward_plan, meetings, series, service
from api.meetings.models import Meeting
from api.meetings.schemas import MEETING_STATUSES, SERIES_PATTERNS, VENUE_KINDS, MeetingCreate, SeriesCreate
from api.registry import service as registry
from web.auth import GroupBusinessViewer, ReaderChangingGroupBusiness
from web.forms import error_message
from web.labels import SERIES_PATTERN_LABELS, VENUE_KIND_LABELS
from web.routes.meetings import editor_context
from web.templating import long_date, render

router = APIRouter()

Slug = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")]
Short = Annotated[str, Form(max_length=2_000)]

CLASH = "This group already has a meeting at that time"
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")

# The form's fields: {service field: (form field id, label)}.
MEETING_FIELDS = {
    "date": ("date", "Date"), "starts_at": ("start_time", "Start time"), "ends_at": ("end_time", "End time"),
    "venue_kind": ("venue_kind", "How people attend"), "venue": ("venue", "Venue"),
    "online_link": ("online_link", "Online meeting link"), "title": ("title", "Title"),
}
SERIES_FIELDS = {
    "pattern": ("pattern", "Repeats"), "interval": ("interval", "How often"), "weekday": ("weekday", "Day of the week"),
    "nth": ("nth", "Which week of the month"), "first_date": ("first_date", "First date"),
    "until": ("until", "Last date"), "start_time": ("start_time", "Start time"),
    "end_time": ("end_time", "End time"), "venue_kind": ("venue_kind", "How people attend"),
    "venue": ("venue", "Venue"), "online_link": ("online_link", "Online meeting link"), "title": ("title", "Title"),
}
# The services' words for a field, said the way the form does.
PLAIN = {
    "online_link": "Enter the online meeting link as a web address starting https://",
    "venue": "The venue must be 300 characters or fewer",
    "title": "The title must be 200 characters or fewer",
    "cancel_reason": "Enter the reason the meeting is cancelled",
}
SERIES_PLAIN = {
    "must be today or later": "The first date must be today or later",
    "must be on or after first_date": "The last date must be on or after the first date",
    f"must be at most {series.HORIZON_YEARS} years after first_date":
        f"The last date must be within {series.HORIZON_YEARS} years of the first date",
    "no date between first_date and until matches the pattern":
        "No date between the first date and the last date fits the pattern",
}
WEEKDAY_OPTIONS = list(enumerate(series.WEEKDAYS))
NTH_OPTIONS = [(n, f"The {word}") for n, word in series.ORDINALS.items()]


class FormProblem(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("form has errors")
        self.errors = errors


# Reading the forms ------------------------------------------------------------------------------

def _date(raw: str, field: str, missing: str, errors: dict[str, str]) -> date | None:
    raw = raw.strip()
    if not raw:
        errors[field] = missing
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = "Enter a real date, like 2027-01-31"
        return None


def _time(raw: str, field: str, what: str, errors: dict[str, str]) -> time | None:
    raw = raw.strip()
    if not raw:
        errors[field] = f"Enter {'a' if what == 'start' else 'an'} {what} time"
        return None
    match = _TIME.match(raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        errors[field] = f"Enter the {what} time in hours and minutes, like 14:00"
        return None
    return time(int(match[1]), int(match[2]))


def _moment(day: date | None, at: time | None, field: str, errors: dict[str, str]) -> datetime | None:
    if day is None or at is None:
        return None
    try:
        return meetings.london_datetime(day, at)
    except ValueError:
        errors[field] = f"{at:%H:%M} does not exist on {long_date(day)}: the clocks go forward an hour"
        return None


def _times(form: dict[str, str], errors: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    """The meeting's start and end from a date and two times, UK time; every mistake at once."""
    day = _date(form["date"], "date", "Enter the date of the meeting", errors)
    start = _time(form["start_time"], "start_time", "start", errors)
    end = _time(form["end_time"], "end_time", "end", errors)
    if start is not None and end is not None and end <= start:
        errors["end_time"] = "The end time must be after the start time"
        return None, None
    return _moment(day, start, "start_time", errors), _moment(day, end, "end_time", errors)


def _mapped(error: InvalidInput | ValidationError, fields: dict[str, tuple[str, str]], fallback: str,
            plain: dict[str, str] | None = None) -> dict[str, str]:
    """Schema or service errors as {form field id: message}, in the form's words where known."""
    found = error.errors() if isinstance(error, ValidationError) else (error.errors or [])
    messages: dict[str, str] = {}
    for item in found:
        loc = [part for part in item.get("loc", []) if part != "body"]
        name = str(loc[0]) if loc else ""
        text = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        field_id, label = fields.get(name, (fallback, None))
        message = (plain or {}).get(text) or PLAIN.get(name) or error_message(item, label)
        messages.setdefault(field_id, message)
    if not messages and isinstance(error, InvalidInput):
        messages[fallback] = error.detail
    return messages


def _meeting_data(form: dict[str, str]) -> dict[str, Any]:
    """The fields of one meeting, checked as the API checks them (MeetingCreate)."""
    errors: dict[str, str] = {}
    starts, ends = _times(form, errors)
    if form["venue_kind"] not in VENUE_KINDS:
        errors["venue_kind"] = "Choose how people attend"
    if errors:
        raise FormProblem(errors)
    try:
        checked = MeetingCreate(title=form["title"], starts_at=starts, ends_at=ends, venue_kind=form["venue_kind"],
                                venue=form["venue"], online_link=form["online_link"])
    except ValidationError as error:
        raise FormProblem(_mapped(error, MEETING_FIELDS, "date")) from error
    return checked.model_dump(exclude={"status", "cancel_reason", "use_template"})


def _group_access(session, subject, slug: str, what: str):
    group = registry.get_group_by_slug(session, slug)
    access = access_to(session, subject, group.id)
    ensure_manager(session, access, what)
    return group, access


def _meeting_access(session, subject, meeting_id: int, what: str):
    meeting, access = service.meeting_access(session, subject, meeting_id)
    ensure_manager(session, access, what)
    return meeting, access


def _meeting_form(meeting: Meeting) -> dict[str, str]:
    starts, ends = meeting.starts_at.astimezone(LONDON), meeting.ends_at.astimezone(LONDON)
    return {"date": starts.date().isoformat(), "start_time": f"{starts:%H:%M}", "end_time": f"{ends:%H:%M}",
            "venue_kind": meeting.venue_kind, "venue": meeting.venue, "online_link": meeting.online_link,
            "title": meeting.title, "version": str(meeting.version)}


def _option_lists() -> dict[str, Any]:
    return {"venue_options": list(VENUE_KIND_LABELS.items()),
            "pattern_options": [(p, SERIES_PATTERN_LABELS[p]) for p in SERIES_PATTERNS],
            "weekday_options": WEEKDAY_OPTIONS, "nth_options": NTH_OPTIONS,
            "interval_options": [(n, str(n)) for n in range(1, 13)]}


# Scheduling ------------------------------------------------------------------------------------

EMPTY_MEETING = {"date": "", "start_time": "", "end_time": "", "venue_kind": "in_person", "venue": "",
                 "online_link": "", "title": "", "use_template": ""}
EMPTY_SERIES = {"pattern": "weekly", "interval": "4", "weekday": "1", "nth": "", "first_date": "", "until": "",
                "start_time": "", "end_time": "", "venue_kind": "in_person", "venue": "", "online_link": "",
                "title": "", "use_template": ""}


def _schedule_page(request: Request, group, *, mode: str, form: dict, errors: dict | None = None,
                   status: int = 200):
    what = "a series of meetings" if mode == "series" else "a meeting"
    title = f"Schedule {what}: {group.name}"
    return render(request, "pages/meetings/schedule.html", {
        "title": f"Error: {title}" if errors else title, "nav": "groups", "group": group, "mode": mode,
        "form": form, "errors": errors or {}, **_option_lists()}, status=status)


@router.get("/groups/{slug}/meetings/new")
def schedule_page(request: Request, session: SessionDep, subject: GroupBusinessViewer, slug: Slug):
    group, _ = _group_access(session, subject, slug, "schedule a meeting")
    return _schedule_page(request, group, mode="single", form=dict(EMPTY_MEETING))


@router.post("/groups/{slug}/meetings/new")
def schedule_meeting(request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness, slug: Slug,
                     date: Short = "", start_time: Short = "", end_time: Short = "", venue_kind: Short = "",
                     venue: Short = "", online_link: Short = "", title: Short = "", use_template: Short = ""):
    group, access = _group_access(session, subject, slug, "schedule a meeting")
    form = {"date": date, "start_time": start_time, "end_time": end_time, "venue_kind": venue_kind, "venue": venue,
            "online_link": online_link, "title": title, "use_template": use_template}
    try:
        data = _meeting_data(form)
        with savepoint(session):
            made = meetings.create_meeting(session, access=access, group=group,
                                           data={**data, "use_template": bool(use_template)})
    except FormProblem as problem:
        return _schedule_page(request, group, mode="single", form=form, errors=problem.errors, status=422)
    except InvalidInput as error:
        return _schedule_page(request, group, mode="single", form=form, status=422,
                              errors=_mapped(error, MEETING_FIELDS, "date"))
    except Conflict:
        return _schedule_page(request, group, mode="single", form=form, status=422, errors={"date": CLASH})
    return RedirectResponse(f"/meetings/{made.id}?done=meeting-scheduled", status_code=303)


@router.get("/groups/{slug}/meeting-series/new")
def series_page(request: Request, session: SessionDep, subject: GroupBusinessViewer, slug: Slug):
    group, _ = _group_access(session, subject, slug, "schedule a series of meetings")
    return _schedule_page(request, group, mode="series", form=dict(EMPTY_SERIES))


def _series_data(form: dict[str, str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if form["pattern"] not in SERIES_PATTERNS:
        errors["pattern"] = "Choose how the meetings repeat"
    first = _date(form["first_date"], "first_date", "Enter the date of the first meeting", errors)
    until = _date(form["until"], "until", "Enter the last date meetings may be on", errors)
    start = _time(form["start_time"], "start_time", "start", errors)
    end = _time(form["end_time"], "end_time", "end", errors)
    if start is not None and end is not None and end <= start:
        errors["end_time"] = "The end time must be after the start time"
    if form["pattern"] == "monthly" and not form["nth"]:
        errors["nth"] = "Choose which week of the month the meetings are in"
    if form["venue_kind"] not in VENUE_KINDS:
        errors["venue_kind"] = "Choose how people attend"
    if errors:
        raise FormProblem(errors)
    try:
        checked = SeriesCreate(
            pattern=form["pattern"], interval=form["interval"] or 1, weekday=form["weekday"],
            nth=(form["nth"] or None) if form["pattern"] == "monthly" else None, first_date=first, until=until,
            start_time=start, end_time=end, title=form["title"], venue_kind=form["venue_kind"], venue=form["venue"],
            online_link=form["online_link"], use_template=bool(form["use_template"]))
    except ValidationError as error:
        raise FormProblem(_mapped(error, SERIES_FIELDS, "first_date")) from error
    return checked.model_dump()


@router.post("/groups/{slug}/meeting-series/new")
def schedule_series(request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness, slug: Slug,
                    pattern: Short = "", interval: Short = "", weekday: Short = "", nth: Short = "",
                    first_date: Short = "", until: Short = "", start_time: Short = "", end_time: Short = "",
                    venue_kind: Short = "", venue: Short = "", online_link: Short = "", title: Short = "",
                    use_template: Short = ""):
    group, access = _group_access(session, subject, slug, "schedule a series of meetings")
    form = {"pattern": pattern, "interval": interval, "weekday": weekday, "nth": nth, "first_date": first_date,
            "until": until, "start_time": start_time, "end_time": end_time, "venue_kind": venue_kind, "venue": venue,
            "online_link": online_link, "title": title, "use_template": use_template}
    try:
        data = _series_data(form)
        with savepoint(session):
            made, _, skipped = series.create_series(session, access=access, group=group, data=data)
    except FormProblem as problem:
        return _schedule_page(request, group, mode="series", form=form, errors=problem.errors, status=422)
    except InvalidInput as error:
        errors = _mapped(error, SERIES_FIELDS, "first_date", SERIES_PLAIN)
        if "until" in errors and "more than" in str(error.detail):
            errors["until"] = (f"That would make more than {series.MAX_OCCURRENCES} meetings: "
                               "choose an earlier last date")
        return _schedule_page(request, group, mode="series", form=form, status=422, errors=errors)
    except Conflict:
        return _schedule_page(request, group, mode="series", form=form, status=422, errors={
            "first_date": "This group already has a meeting at every one of those dates and times"})
    query = "".join(f"&skipped={day.isoformat()}" for day in skipped[:series.MAX_OCCURRENCES])
    return RedirectResponse(f"/groups/{group.slug}/forward-plan?series={made.id}{query}#plan-status",
                            status_code=303)


# Changing, cancelling, marking held ------------------------------------------------------------

def _edit_page(request: Request, session, meeting: Meeting, *, form: dict, errors: dict | None = None,
               status: int = 200):
    group = service.get_group(session, meeting.group_id)
    title = f"Change meeting details: {group.name}, {long_date(meeting.starts_at)}"
    return render(request, "pages/meetings/edit.html", {
        "title": f"Error: {title}" if errors else title, "nav": "groups", "group": group, "meeting": meeting,
        "form": form, "errors": errors or {}, **_option_lists()}, status=status)


@router.get("/meetings/{meeting_id}/edit")
def edit_page(meeting_id: Id, request: Request, session: SessionDep,
              subject: GroupBusinessViewer):
    meeting, _ = _meeting_access(session, subject, meeting_id, "change a meeting")
    return _edit_page(request, session, meeting, form=_meeting_form(meeting))


@router.post("/meetings/{meeting_id}/edit")
def change_meeting(meeting_id: Id, request: Request, session: SessionDep,
                   subject: ReaderChangingGroupBusiness, date: Short = "", start_time: Short = "",
                   end_time: Short = "", venue_kind: Short = "", venue: Short = "", online_link: Short = "",
                   title: Short = "", version: Short = ""):
    meeting, access = _meeting_access(session, subject, meeting_id, "change a meeting")
    form = {"date": date, "start_time": start_time, "end_time": end_time, "venue_kind": venue_kind, "venue": venue,
            "online_link": online_link, "title": title, "version": version}
    expected = int(version) if version.isascii() and version.isdigit() and len(version) < 9 else 0
    try:
        data = _meeting_data(form)
        if expected != meeting.version:
            # Said before anything is checked against the meeting as it is now.
            raise FormProblem({"meeting-form": meetings.CHANGED_MEANWHILE})
        with savepoint(session):
            meetings.update_meeting(session, access=access, meeting=meeting, changes=data, expected_version=expected)
    except FormProblem as problem:
        if "meeting-form" in problem.errors:  # show the meeting as it is now, with the current version
            return _edit_page(request, session, meeting, form=_meeting_form(meeting), errors=problem.errors,
                              status=409)
        return _edit_page(request, session, meeting, form=form, errors=problem.errors, status=422)
    except InvalidInput as error:
        return _edit_page(request, session, meeting, form=form, status=422,
                          errors=_mapped(error, MEETING_FIELDS, "date"))
    except Conflict as error:
        message = CLASH if error.detail.startswith(CLASH) else error.detail
        return _edit_page(request, session, meeting, form=form, status=422,
                          errors={"date" if message == CLASH else "meeting-form": message})
    return RedirectResponse(f"/meetings/{meeting.id}?done=meeting-changed", status_code=303)


def _cancel_page(request: Request, session, meeting: Meeting, *, reason: str = "", errors: dict | None = None,
                 status: int = 200):
    group = service.get_group(session, meeting.group_id)
    title = f"Cancel the meeting of {long_date(meeting.starts_at)}: {group.name}"
    return render(request, "pages/meetings/cancel.html", {
        "title": f"Error: {title}" if errors else title, "nav": "groups", "group": group, "meeting": meeting,
        "reason": reason, "errors": errors or {}}, status=status)


@router.get("/meetings/{meeting_id}/cancel")
def cancel_page(meeting_id: Id, request: Request, session: SessionDep,
                subject: GroupBusinessViewer):
    meeting, _ = _meeting_access(session, subject, meeting_id, "cancel a meeting")
    return _cancel_page(request, session, meeting, reason=meeting.cancel_reason)


@router.post("/meetings/{meeting_id}/cancel")
def cancel_meeting(meeting_id: Id, request: Request, session: SessionDep,
                   subject: ReaderChangingGroupBusiness, cancel_reason: Short = ""):
    meeting, access = _meeting_access(session, subject, meeting_id, "cancel a meeting")
    done = "meeting-changed" if meeting.status == "cancelled" else "meeting-cancelled"  # a new reason
    try:
        if len(cancel_reason.strip()) > 300:
            raise FormProblem({"cancel_reason": "The reason must be 300 characters or fewer"})
        with savepoint(session):
            meetings.update_meeting(session, access=access, meeting=meeting,
                                    changes={"status": "cancelled", "cancel_reason": cancel_reason})
    except FormProblem as problem:
        return _cancel_page(request, session, meeting, reason=cancel_reason, errors=problem.errors, status=422)
    except InvalidInput:
        return _cancel_page(request, session, meeting, reason=cancel_reason, status=422,
                            errors={"cancel_reason": PLAIN["cancel_reason"]})
    except Conflict as error:
        return _cancel_page(request, session, meeting, reason=cancel_reason, status=409,
                            errors={"cancel_reason": error.detail})
    return RedirectResponse(f"/meetings/{meeting.id}?done={done}", status_code=303)


@router.post("/meetings/{meeting_id}/reinstate")
def reinstate_meeting(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness):
    """A cancelled meeting scheduled again (at its times, if the group has no other meeting then)."""
    meeting, access = _meeting_access(session, subject, meeting_id, "reinstate a meeting")
    try:
        with savepoint(session):
            meetings.update_meeting(session, access=access, meeting=meeting, changes={"status": "scheduled"})
    except Conflict as error:
        message = (f"{CLASH}: change the other meeting first" if error.detail.startswith(CLASH)
                   else error.detail)
        return _cancel_page(request, session, meeting, reason=meeting.cancel_reason, status=409,
                            errors={"reinstate": message})
    return RedirectResponse(f"/meetings/{meeting.id}?done=meeting-reinstated", status_code=303)


@router.post("/meetings/{meeting_id}/held")
def mark_held(meeting_id: Id, request: Request, session: SessionDep,
              subject: ReaderChangingGroupBusiness):
    meeting, access = _meeting_access(session, subject, meeting_id, "mark a meeting held")
    try:
        with savepoint(session):
            meetings.update_meeting(session, access=access, meeting=meeting, changes={"status": "held"})
    except Conflict as error:
        ctx = editor_context(session, subject, meeting.id, errors={"mark-held": error.detail})
        ctx["title"] = f"Error: {ctx['title']}"
        return render(request, "pages/meetings/detail.html", ctx, status=409)
    return RedirectResponse(f"/meetings/{meeting.id}?done=meeting-held", status_code=303)


# The forward plan ------------------------------------------------------------------------------

def _series_notice(session, group_id: int, series_id: int | None, skipped: list[str]) -> str | None:
    """"Scheduled 5 meetings: every 4 weeks on Tuesday, ..." after a series was made (the
    redirect names the series and the skipped dates; both are checked, never shown as given)."""
    if series_id is None:
        return None
    found = series.series_summary(session, group_id=group_id, series_id=series_id)
    if found is None:
        return None
    made, first, last = found["count"], found["first"], found["last"]
    words = found["description"][:1].lower() + found["description"][1:]  # "every 4 weeks on Tuesday"
    if made:
        notice = (f"{made} {'meeting' if made == 1 else 'meetings'} scheduled: {words}, "
                  f"from {long_date(first)} to {long_date(last)}.")
    else:
        notice = f"No meetings of the series ({words}) are left."
    days = []
    for raw in skipped[:series.MAX_OCCURRENCES]:
        try:
            days.append(date.fromisoformat(raw))
        except ValueError:
            continue
    if days:
        notice += (" Not scheduled, because the group already has a meeting then: "
                   + ", ".join(long_date(day) for day in sorted(set(days))) + ".")
    return notice


@router.get("/groups/{slug}/forward-plan")
def forward_plan_page(request: Request, session: SessionDep, subject: GroupBusinessViewer, slug: Slug,
                      cursor: Annotated[str | None, Query(max_length=512)] = None,
                      series_id: Annotated[Id | None, Query(alias="series")] = None,
                      skipped: Annotated[list[str] | None, Query(max_length=series.MAX_OCCURRENCES)] = None):
    group = registry.get_group_by_slug(session, slug)
    access = access_to(session, subject, group.id)
    planned, next_cursor = forward_plan.forward_plan(
        session, access=access, group_id=group.id, page=PageParams(limit=forward_plan.PAGE_SIZE, cursor=cursor))
    return render(request, "pages/groups/forward_plan.html", {
        "title": f"Forward plan: {group.name}", "nav": "groups", "group": group, "planned": planned,
        "next_cursor": next_cursor, "can_manage": access.may_manage, "later_page": cursor is not None,
        "notice": _series_notice(session, group.id, series_id, [s[:10] for s in skipped or []]),
        "statuses": MEETING_STATUSES, "today": today()})
