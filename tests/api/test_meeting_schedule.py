"""Scheduling through the API: online links, cancelling with a reason, marking held, series of
meetings (dates, words, clashes, limits, UK time across the clock changes), the forward plan and
what the calendar feeds show of it."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from sqlmodel import func, select

from api.auth import service as auth_service
from api.meetings import series
from api.meetings.meetings import london_datetime
from api.meetings.models import AgendaItem, Meeting, MeetingSeries
from tests import factories


@pytest.fixture
def board(session, app):
    group = factories.group(session, name="Schedule Board", kind="thematic", code="SCB")
    people = {}
    for key, role in [("chair", "chair"), ("member", "member"), ("observer", "observer"), ("outsider", None)]:
        person, account = factories.person_with_account(session, f"sched.{key}@example.org", name=f"Sam {key.title()}")
        if role:
            factories.membership(session, group=group, stakeholder=person, role=role, start_date=date(2023, 1, 1))
        token = auth_service.user_token(app.state.settings, account).token
        people[key] = (person, {"Authorization": f"Bearer {token}"})
    session.commit()
    return group, people


def _soon(days: int = 10, hour: int = 10) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _make(client, group, headers, start: datetime, **extra):
    r = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(), **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _errors(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


# Online links and cancelling -------------------------------------------------------------------

def test_online_link_is_kept_and_only_http_links_are_accepted(client, board):
    group, people = board
    chair = people["chair"][1]
    made = _make(client, group, chair, _soon(), venue_kind="online", online_link="https://meet.example.org/abc")
    assert made["online_link"] == "https://meet.example.org/abc" and made["series_id"] is None
    for bad in ("javascript:alert(1)", "meet.example.org", "https://a b", "https://" + "x" * 500):
        r = client.patch(f"/api/v1/meetings/{made['id']}", headers=chair, json={"online_link": bad})
        assert _errors(r, 422)["errors"][0]["loc"] == ["body", "online_link"], bad
    changed = client.patch(f"/api/v1/meetings/{made['id']}", headers=chair, json={"online_link": ""}).json()
    assert changed["online_link"] == "" and changed["sequence"] == 1  # calendars are told


def test_cancelling_needs_a_reason_and_keeps_the_meeting(client, board):
    group, people = board
    chair = people["chair"][1]
    made = _make(client, group, chair, _soon())
    url = f"/api/v1/meetings/{made['id']}"
    for body in ({"status": "cancelled"}, {"status": "cancelled", "cancel_reason": "   "}):
        assert _errors(client.patch(url, headers=chair, json=body), 422)["errors"][0]["loc"] == [
            "body", "cancel_reason"]
    assert _errors(client.patch(url, headers=chair, json={"cancel_reason": "why"}), 422)["errors"][0]["loc"] == [
        "body", "cancel_reason"]
    cancelled = client.patch(url, headers=chair, json={"status": "cancelled", "cancel_reason": " Not quorate "})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancel_reason"] == "Not quorate"
    assert client.get(url, headers=chair).json()["cancel_reason"] == "Not quorate"  # kept, marked
    # A member may not cancel; an observer neither.
    for who in ("member", "observer"):
        assert client.patch(url, headers=people[who][1], json={"status": "scheduled"}).status_code == 403
    # Reinstated: the reason goes.
    back = client.patch(url, headers=chair, json={"status": "scheduled"}).json()
    assert back["status"] == "scheduled" and back["cancel_reason"] == ""


def test_a_held_meeting_cannot_be_cancelled(client, board):
    group, people = board
    chair = people["chair"][1]
    past = _make(client, group, chair, _soon(-7))
    url = f"/api/v1/meetings/{past['id']}"
    assert client.patch(url, headers=chair, json={"status": "held"}).json()["status"] == "held"
    refused = client.patch(url, headers=chair, json={"status": "cancelled", "cancel_reason": "Oops"})
    assert "cannot be cancelled" in _errors(refused, 409)["detail"]
    # Nor moved into the future while marked held.
    future = {"starts_at": _soon(3).isoformat(), "ends_at": (_soon(3) + timedelta(hours=1)).isoformat()}
    assert "only once it has started" in _errors(client.patch(url, headers=chair, json=future), 409)["detail"]


def test_only_a_started_meeting_not_cancelled_can_be_marked_held(client, board):
    group, people = board
    chair = people["chair"][1]
    future = _make(client, group, chair, _soon())
    refused = client.patch(f"/api/v1/meetings/{future['id']}", headers=chair, json={"status": "held"})
    assert "only once it has started" in _errors(refused, 409)["detail"]
    past = _make(client, group, chair, _soon(-3))
    url = f"/api/v1/meetings/{past['id']}"
    assert client.patch(url, headers=chair, json={"status": "cancelled", "cancel_reason": "Snow"}).status_code == 200
    assert "cancelled meeting cannot be marked as held" in _errors(
        client.patch(url, headers=chair, json={"status": "held"}), 409)["detail"]
    # Created as held only when it has started; created cancelled only with a reason.
    r = client.post(f"/api/v1/groups/{group.id}/meetings", headers=chair, json={
        "starts_at": _soon(20).isoformat(), "ends_at": (_soon(20) + timedelta(hours=1)).isoformat(), "status": "held"})
    assert _errors(r, 409)
    r = client.post(f"/api/v1/groups/{group.id}/meetings", headers=chair, json={
        "starts_at": _soon(20).isoformat(), "ends_at": (_soon(20) + timedelta(hours=1)).isoformat(),
        "status": "cancelled"})
    assert _errors(r, 422)["errors"][0]["loc"] == ["body", "cancel_reason"]


# UK time ---------------------------------------------------------------------------------------

def test_london_times_follow_the_clock_changes():
    winter = london_datetime(date(2027, 1, 12), time(14, 0))
    summer = london_datetime(date(2027, 7, 13), time(14, 0))
    assert winter.astimezone(UTC).hour == 14 and summer.astimezone(UTC).hour == 13
    # The day the clocks go forward (28 March 2027): 01:30 does not exist; 02:30 BST does.
    with pytest.raises(ValueError):
        london_datetime(date(2027, 3, 28), time(1, 30))
    assert london_datetime(date(2027, 3, 28), time(2, 30)).astimezone(UTC).hour == 1


# Series ---------------------------------------------------------------------------------------

def test_series_words():
    assert series.describe("weekly", 4, 1, None) == "Every 4 weeks on Tuesday"
    assert series.describe("weekly", 1, 0, None) == "Weekly on Monday"
    assert series.describe("monthly", 1, 1, 3) == "Monthly on the third Tuesday"
    assert series.describe("monthly", 2, 4, -1) == "Every 2 months on the last Friday"


def test_series_dates():
    # Every 4 weeks on Tuesday from Thursday 7 January 2027: the first Tuesday on or after it.
    assert series.occurrences("weekly", 4, 1, None, date(2027, 1, 7), date(2027, 4, 1)) == [
        date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)]
    # The third Tuesday of each month; January's (19th) is before the first date, so skipped.
    assert series.occurrences("monthly", 1, 1, 3, date(2027, 1, 20), date(2027, 4, 30)) == [
        date(2027, 2, 16), date(2027, 3, 16), date(2027, 4, 20)]
    # The last Friday of every second month, across a year end.
    assert series.occurrences("monthly", 2, 4, -1, date(2027, 11, 1), date(2028, 3, 31)) == [
        date(2027, 11, 26), date(2028, 1, 28), date(2028, 3, 31)]


def _next_weekday(weekday: int, after_days: int = 7) -> date:
    start = date.today() + timedelta(days=after_days)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _series_body(**extra):
    first = _next_weekday(1)
    return {"pattern": "weekly", "interval": 4, "weekday": 1, "first_date": first.isoformat(),
            "until": (first + timedelta(weeks=20)).isoformat(), "start_time": "14:00", "end_time": "16:00",
            "title": "Board", "venue_kind": "hybrid", "venue": "Town Hall",
            "online_link": "https://meet.example.org/board", **extra}


def test_a_series_makes_a_meeting_per_date_in_uk_time_and_skips_clashes(client, session, board):
    group, people = board
    chair = people["chair"][1]
    body = _series_body()
    first = date.fromisoformat(body["first_date"])
    clash_day = first + timedelta(weeks=8)
    clash = _make(client, group, chair, london_datetime(clash_day, time(15, 0)).astimezone(UTC))
    r = client.post(f"/api/v1/groups/{group.id}/meeting-series", headers=chair, json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["series"]["description"] == "Every 4 weeks on Tuesday"
    assert made["skipped"] == [clash_day.isoformat()]
    days = [first + timedelta(weeks=4 * n) for n in range(6) if first + timedelta(weeks=4 * n) != clash_day]
    assert [m["starts_at"][:10] for m in made["meetings"]] == [d.isoformat() for d in days]
    for meeting, day in zip(made["meetings"], days, strict=True):
        start = datetime.fromisoformat(meeting["starts_at"])
        assert start == london_datetime(day, time(14, 0))  # 14:00 in London, summer or winter
        assert meeting["series_id"] == made["series"]["id"] and meeting["status"] == "scheduled"
        assert meeting["online_link"] == "https://meet.example.org/board" and meeting["venue"] == "Town Hall"
    # Each meeting can be moved or cancelled alone.
    one, two = made["meetings"][0], made["meetings"][1]
    moved = client.patch(f"/api/v1/meetings/{one['id']}", headers=chair, json={
        "starts_at": (datetime.fromisoformat(one["starts_at"]) + timedelta(days=1)).isoformat(),
        "ends_at": (datetime.fromisoformat(one["ends_at"]) + timedelta(days=1)).isoformat()})
    assert moved.status_code == 200
    assert client.patch(f"/api/v1/meetings/{two['id']}", headers=chair,
                        json={"status": "cancelled", "cancel_reason": "Half term"}).json()["status"] == "cancelled"
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Meeting).where(Meeting.series_id.is_not(None))).one() == 5
    assert client.get(f"/api/v1/meetings/{clash['id']}").json()["series_id"] is None
    listed = client.get(f"/api/v1/groups/{group.id}/meeting-series", headers=people["member"][1]).json()
    assert [s["description"] for s in listed] == ["Every 4 weeks on Tuesday"]


def test_a_monthly_series_with_the_standard_agenda(client, session, board):
    group, people = board
    first = date.today() + timedelta(days=1)
    r = client.post(f"/api/v1/groups/{group.id}/meeting-series", headers=people["chair"][1], json=_series_body(
        pattern="monthly", interval=1, weekday=1, nth=3, first_date=first.isoformat(),
        until=(first + timedelta(days=95)).isoformat(), use_template=True))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["series"]["description"] == "Monthly on the third Tuesday"
    assert len(made["meetings"]) == 3
    for meeting in made["meetings"]:
        day = datetime.fromisoformat(meeting["starts_at"]).astimezone(london_datetime(first, time()).tzinfo).date()
        assert day.weekday() == 1 and 15 <= day.day <= 21
    session.expire_all()
    counts = session.exec(select(AgendaItem.meeting_id, func.count()).group_by(AgendaItem.meeting_id)).all()
    assert len(counts) == 3 and all(n >= 3 for _, n in counts)


@pytest.mark.parametrize(("change", "field"), [
    ({"pattern": "monthly"}, "nth"),
    ({"nth": 2}, "nth"),
    ({"end_time": "13:00"}, "end_time"),
    ({"end_time": "14:00"}, "end_time"),
    ({"first_date": "2020-01-07", "until": "2020-06-01"}, "first_date"),
    ({"until": "2020-01-01"}, "until"),
    ({"first_date": "9999-12-28", "until": "9999-12-31"}, "first_date"),
    ({"interval": 1, "until": (date.today() + timedelta(days=800)).isoformat()}, "until"),
    ({"interval": 1, "until": (date.today() + timedelta(days=700)).isoformat()}, "until"),  # over 60 meetings
    ({"interval": 13}, "interval"),
    ({"weekday": 7}, "weekday"),
    ({"nth": 5, "pattern": "monthly"}, "nth"),
    ({"online_link": "ftp://x"}, "online_link"),
    ({"start_time": "25:00"}, "start_time"),
    # A UK clock time has no offset of its own; one given is refused, not silently dropped.
    ({"start_time": "14:00+05:00"}, "start_time"),
    ({"end_time": "16:00Z"}, "end_time"),
    ({"start_time": 50400}, "start_time"),  # pydantic alone would read seconds since midnight
])
def test_series_mistakes_are_422_naming_the_field(client, session, board, change, field):
    group, people = board
    r = client.post(f"/api/v1/groups/{group.id}/meeting-series", headers=people["chair"][1],
                    json=_series_body(**change))
    assert _errors(r, 422)["errors"][0]["loc"][:2] == ["body", field], r.text
    session.expire_all()
    assert session.exec(select(func.count()).select_from(MeetingSeries)).one() == 0
    assert session.exec(select(func.count()).select_from(Meeting)).one() == 0


def test_a_series_times_are_written_as_the_contract_describes_them(app, client, board):
    # JSON Schema's "time" is RFC 3339's full-time, offset and all, which a UK clock time is not:
    # the document gives the shape the service writes (a fuzz run found "00:00:11" refused).
    group, people = board
    document = app.openapi()
    assert '"format": "time"' not in json.dumps(document)
    made = client.post(f"/api/v1/groups/{group.id}/meeting-series", headers=people["chair"][1],
                       json=_series_body(start_time="09:05", end_time="10:30:15")).json()["series"]
    assert (made["start_time"], made["end_time"]) == ("09:05:00", "10:30:15")
    for name in ("start_time", "end_time"):
        shape = document["components"]["schemas"]["SeriesRead"]["properties"][name]
        assert shape["type"] == "string" and re.fullmatch(shape["pattern"], made[name])


def test_a_series_that_clashes_everywhere_is_refused_and_only_officers_make_series(client, session, board):
    group, people = board
    chair = people["chair"][1]
    body = _series_body(until=(date.fromisoformat(_series_body()["first_date"])).isoformat())
    _make(client, group, chair, london_datetime(date.fromisoformat(body["first_date"]), time(13, 0)).astimezone(UTC))
    assert "every one of these times" in _errors(
        client.post(f"/api/v1/groups/{group.id}/meeting-series", headers=chair, json=body), 409)["detail"]
    for who in ("member", "observer", "outsider"):
        r = client.post(f"/api/v1/groups/{group.id}/meeting-series", headers=people[who][1], json=_series_body())
        assert r.status_code == 403
    session.expire_all()
    assert session.exec(select(func.count()).select_from(MeetingSeries)).one() == 0
    assert client.post("/api/v1/groups/999999/meeting-series", json=_series_body()).status_code == 404


# Forward plan ------------------------------------------------------------------------------

def test_forward_plan_lists_meetings_to_come_with_their_items(client, board, count_queries):
    group, people = board
    chair = people["chair"][1]
    _make(client, group, chair, _soon(-30))  # past: not in the plan
    _make(client, group, chair, _soon(40), title="Later")
    soon = _make(client, group, chair, _soon(5), title="Soon")
    off = _make(client, group, chair, _soon(20), title="Off")
    client.patch(f"/api/v1/meetings/{off['id']}", headers=chair, json={"status": "cancelled", "cancel_reason": "Snow"})
    lead = people["member"][0].id
    client.post(f"/api/v1/meetings/{soon['id']}/agenda-items", headers=chair,
                json={"title": "Budget", "purpose": "For decision", "lead_id": lead})
    client.post(f"/api/v1/meetings/{soon['id']}/agenda-items", headers=chair,
                json={"title": "Staffing", "confidential": True})
    url = f"/api/v1/groups/{group.id}/forward-plan"
    plan = client.get(url, headers=people["member"][1]).json()
    assert [m["title"] for m in plan["items"]] == ["Soon", "Off", "Later"]
    assert plan["items"][1]["status"] == "cancelled" and plan["items"][1]["cancel_reason"] == "Snow"
    first = plan["items"][0]["items"]
    assert [(i["title"], i["purpose"], i["lead_name"]) for i in first] == [
        ("Budget", "For decision", "Sam Member"), ("Staffing", "", None)]
    assert first[0]["ref"].startswith("SCB/")
    observer = client.get(url, headers=people["observer"][1]).json()  # not a member: no confidential item
    assert [i["title"] for i in observer["items"][0]["items"]] == ["Budget"]
    paged = client.get(url + "?limit=2", headers=chair)
    assert len(paged.json()["items"]) == 2 and paged.json()["next_cursor"] and 'rel="next"' in paged.headers["link"]
    # A fixed number of queries, however many meetings and items.
    with count_queries() as few:
        client.get(url, headers=chair)
    for n in range(4):
        extra = _make(client, group, chair, _soon(50 + n))
        client.post(f"/api/v1/meetings/{extra['id']}/agenda-items", headers=chair, json={"title": f"Item {n}",
                                                                                         "lead_id": lead})
    with count_queries() as many:
        client.get(url, headers=chair)
    assert many.count == few.count


def test_calendar_feed_shows_items_link_and_cancellation(client, board):
    group, people = board
    chair = people["chair"][1]
    meeting = _make(client, group, chair, _soon(5), title="Soon", venue_kind="online",
                    online_link="https://meet.example.org/soon")
    client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=chair, json={"title": "Budget; 2027"})
    client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=chair,
                json={"title": "Secret staffing", "confidential": True})
    off = _make(client, group, chair, _soon(20))
    client.patch(f"/api/v1/meetings/{off['id']}", headers=chair,
                 json={"status": "cancelled", "cancel_reason": "Room unavailable"})
    for who in ("chair", "observer"):
        feed = client.get(f"/api/v1/groups/{group.id}/meetings.ics", headers=people[who][1])
        assert feed.status_code == 200
        events = {str(e["UID"]).split("@")[0]: e for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")}
        soon = events[f"meeting-{meeting['id']}"]
        description = str(soon["DESCRIPTION"])
        assert "Budget; 2027" in description and "Join online: https://meet.example.org/soon" in description
        assert "Secret staffing" not in description and "Secret staffing" not in feed.text
        assert str(soon["URL"]) == "https://meet.example.org/soon"
        cancelled = events[f"meeting-{off['id']}"]
        assert str(cancelled["STATUS"]) == "CANCELLED"
        assert "Cancelled: Room unavailable" in str(cancelled["DESCRIPTION"])
        assert all(len(line) <= 75 for line in feed.content.split(b"\r\n"))
