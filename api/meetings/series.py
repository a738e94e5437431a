"""Series of meetings: "every 4 weeks on Tuesday", "monthly on the third Tuesday".

A series makes one scheduled meeting per date up to a horizon, in one transaction; each meeting is
then its own row, moved, cancelled or deleted alone (meetings.py). The series row keeps the
pattern, so a page can say where a meeting came from.

Dates when the group already has a meeting (not cancelled) that overlaps are skipped, and
reported to the caller, rather than refusing the whole series: a chair who asks for a year of
meetings gets them, and is told which dates to look at. If every date clashes, nothing is made
(409). Plain functions over a Session; they flush, never commit.
"""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api.access import GroupAccess, ensure_manager
from api.audit import service as audit
from api.core.errors import Conflict, invalid_field
from api.core.types import today
from api.meetings import meetings, notices
from api.meetings.models import Meeting, MeetingSeries
from api.meetings.schemas import SeriesRead
from api.registry.models import Group

# At most this many meetings from one request (a little over a year of weekly meetings).
MAX_OCCURRENCES = 60
HORIZON_YEARS = 2
# How far ahead a series may start.
MAX_YEARS_AHEAD = 5

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def describe(pattern: str, interval: int, weekday: int, nth: int | None) -> str:
    """In plain English: "Every 4 weeks on Tuesday", "Monthly on the third Tuesday"."""
    day = WEEKDAYS[weekday]
    if pattern == "weekly":
        return f"Weekly on {day}" if interval == 1 else f"Every {interval} weeks on {day}"
    which = f"the {ORDINALS.get(nth, '')} {day}"
    return f"Monthly on {which}" if interval == 1 else f"Every {interval} months on {which}"


def describe_series(series: MeetingSeries) -> str:
    return describe(series.pattern, series.interval, series.weekday, series.nth)


def series_read(series: MeetingSeries) -> SeriesRead:
    return SeriesRead.model_validate({**series.model_dump(), "description": describe_series(series)})


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The `nth` (1-4, or -1 for the last) `weekday` (Monday 0) of a month."""
    if nth == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def occurrences(pattern: str, interval: int, weekday: int, nth: int | None, first_date: date, until: date,
                *, limit: int = MAX_OCCURRENCES) -> list[date]:
    """The dates of a series from `first_date` to `until` (both included); at most `limit` + 1,
    enough to tell that there are too many. Monthly series count months from `first_date`'s."""
    found: list[date] = []
    if pattern == "weekly":
        day = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
        while day <= until and len(found) <= limit:
            found.append(day)
            day += timedelta(weeks=interval)
        return found
    year, month = first_date.year, first_date.month
    while date(year, month, 1) <= until and len(found) <= limit:
        day = nth_weekday(year, month, weekday, nth or 1)
        if first_date <= day <= until:
            found.append(day)
        month += interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return found


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check(data: dict[str, Any]) -> list[date]:
    """Every rule of the request itself; the dates it asks for."""
    if data["pattern"] == "monthly" and data.get("nth") is None:
        raise invalid_field("nth", "choose which week of the month (first to fourth, or last)")
    if data["pattern"] == "weekly" and data.get("nth") is not None:
        raise invalid_field("nth", "is only for a monthly series")
    if data["end_time"] <= data["start_time"]:
        raise invalid_field("end_time", "must be after start_time")
    if data["first_date"] < today():
        raise invalid_field("first_date", "must be today or later")
    if data["first_date"] > _years_after(today(), MAX_YEARS_AHEAD):
        raise invalid_field("first_date", f"must be within {MAX_YEARS_AHEAD} years from today")
    if data["until"] < data["first_date"]:
        raise invalid_field("until", "must be on or after first_date")
    if data["until"] > _years_after(data["first_date"], HORIZON_YEARS):
        raise invalid_field("until", f"must be at most {HORIZON_YEARS} years after first_date")
    dates = occurrences(data["pattern"], data["interval"], data["weekday"], data.get("nth"), data["first_date"],
                        data["until"])
    if not dates:
        raise invalid_field("until", "no date between first_date and until matches the pattern")
    if len(dates) > MAX_OCCURRENCES:
        raise invalid_field("until", f"the series would make more than {MAX_OCCURRENCES} meetings; "
                                     "choose an earlier end date")
    return dates


def _times(dates: list[date], data: dict[str, Any]) -> list[tuple[datetime, datetime]]:
    found = []
    for day in dates:
        try:
            starts = meetings.london_datetime(day, data["start_time"])
        except ValueError as error:
            raise invalid_field("start_time", f"{error} ({day.isoformat()})") from error
        try:
            ends = meetings.london_datetime(day, data["end_time"])
        except ValueError as error:
            raise invalid_field("end_time", f"{error} ({day.isoformat()})") from error
        found.append((starts, ends))
    return found


def _clashing(session: Session, group_id: int, slots: list[tuple[datetime, datetime]]) -> set[int]:
    """Which slots (by position) overlap a meeting of the group that is not cancelled: one query."""
    existing = session.exec(select(Meeting.starts_at, Meeting.ends_at).where(
        Meeting.group_id == group_id, Meeting.status != "cancelled",
        Meeting.starts_at < slots[-1][1], Meeting.ends_at > slots[0][0])).all()
    return {index for index, (starts, ends) in enumerate(slots)
            if any(other_start < ends and other_end > starts for other_start, other_end in existing)}


def create_series(session: Session, *, access: GroupAccess, group: Group,
                  data: dict[str, Any]) -> tuple[MeetingSeries, list[Meeting], list[date]]:
    """The series, the meetings made, and the dates skipped because the group already meets then."""
    ensure_manager(session, access, "schedule a series of meetings")
    dates = _check(data)
    slots = _times(dates, data)
    clashes = _clashing(session, group.id, slots)
    skipped = [dates[index] for index in sorted(clashes)]
    if len(clashes) == len(slots):
        raise Conflict("This group already has a meeting at every one of these times: "
                       + ", ".join(day.isoformat() for day in skipped) + ".")
    fields = {key: data[key] for key in ("pattern", "interval", "weekday", "nth", "first_date", "until",
                                         "start_time", "end_time", "title", "venue_kind", "venue", "online_link")}
    series = MeetingSeries(group_id=group.id, created_by=access.subject.label, **fields)
    session.add(series)
    session.flush()
    # audit.add_entity's snapshot knows dates, not times of day: written out here.
    after = {key: value.isoformat() if isinstance(value, date | time) else value
             for key, value in series.model_dump().items()}
    audit.record(session, actor=access.subject, action="meeting_series.create", entity_type="meeting_series",
                 entity_id=series.id, after=after)
    made = []
    for index, (starts, ends) in enumerate(slots):
        if index in clashes:
            continue
        made.append(meetings.create_meeting(session, access=access, group=group, data={
            "title": data["title"], "starts_at": starts.astimezone(UTC), "ends_at": ends.astimezone(UTC),
            "venue_kind": data["venue_kind"], "venue": data["venue"], "online_link": data["online_link"],
            "series_id": series.id, "use_template": data.get("use_template", False)}, notify=False))
    notices.meetings_scheduled(session, made)  # one invitation per meeting: a calendar holds one event each
    return series, made, skipped


def list_series(session: Session, *, group_id: int, limit: int = 100) -> list[MeetingSeries]:
    """A group's series, newest first."""
    stmt = select(MeetingSeries).where(MeetingSeries.group_id == group_id)
    return list(session.exec(stmt.order_by(MeetingSeries.id.desc()).limit(limit)))


def series_summary(session: Session, *, group_id: int, series_id: int) -> dict[str, Any] | None:
    """A series of this group in words, with how many of its meetings there are and the first
    and last of them (for the notice after scheduling it); None if there is no such series."""
    found = session.get(MeetingSeries, series_id)
    if found is None or found.group_id != group_id:
        return None
    count, first, last = session.exec(select(func.count(), func.min(Meeting.starts_at), func.max(Meeting.starts_at))
                                      .where(Meeting.series_id == series_id)).one()
    return {"description": describe_series(found), "count": count, "first": first, "last": last}


def schedule_facts(session: Session, meeting: Meeting) -> dict[str, Any]:
    """What a meeting's page says about its schedule: the series it belongs to, in words, and
    whether it has started (when it can be marked held); one query, only for a meeting of a series."""
    series = session.get(MeetingSeries, meeting.series_id) if meeting.series_id is not None else None
    return {"series": describe_series(series) if series is not None else None,
            "started": meetings.has_started(meeting)}
