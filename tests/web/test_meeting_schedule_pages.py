"""Scheduling from the pages as a group's chair: one meeting, a series, changing details (and
being told when someone else changed them first), cancelling with a reason, marking held; the
forward plan. Refused (403, nothing changed) to members, observers and outsiders; mistakes
answered with 422, the typed values kept and plain-English errors."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import func, select

from api.auth import service as auth_service
from api.meetings.meetings import london_datetime
from api.meetings.models import AgendaItem, Meeting, MeetingSeries
from tests import factories
from tests.web.conftest import hidden_field, sign_in

CHAIR = "sched.web.chair@example.org"
MEMBER = "sched.web.member@example.org"
OUTSIDER = "sched.web.outsider@example.org"


@pytest.fixture
def group(session, app):
    group = factories.group(session, name="Scheduling Group", kind="thematic", code="SCH")
    chair, account = factories.person_with_account(session, CHAIR, name="Cass Chair")
    member, _ = factories.person_with_account(session, MEMBER, name="Max Member")
    factories.person_with_account(session, OUTSIDER, name="Oona Outsider")
    factories.membership(session, group=group, stakeholder=chair, role="chair")
    factories.membership(session, group=group, stakeholder=member)
    session.commit()
    HEADERS[group.id] = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    return group


HEADERS: dict[int, dict[str, str]] = {}


def _browser(client_factory, email):
    browser = client_factory()
    assert sign_in(browser, email).status_code == 303
    browser.csrf = hidden_field(browser.get("/").text, "csrf_token")
    return browser


def _post(browser, url, data, *, csrf=True):
    return browser.post(url, data={**data, **({"csrf_token": browser.csrf} if csrf else {})}, follow_redirects=False)


def _count(session, model, *where):
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _day(days=14) -> date:
    return date.today() + timedelta(days=days)


def _meeting_form(**extra):
    return {"date": _day().isoformat(), "start_time": "14:00", "end_time": "16:00", "venue_kind": "hybrid",
            "venue": "Town Hall", "online_link": "https://meet.example.org/x", "title": "Spring", **extra}


def test_the_group_page_offers_scheduling_to_officers_only(client_factory, group):
    chair = _browser(client_factory, CHAIR)
    page = chair.get(f"/groups/{group.slug}").text
    assert f'href="/groups/{group.slug}/meetings/new"' in page and "Schedule a meeting" in page
    assert f'href="/groups/{group.slug}/forward-plan"' in page
    member = _browser(client_factory, MEMBER)
    page = member.get(f"/groups/{group.slug}").text
    assert "Schedule a meeting" not in page and f'href="/groups/{group.slug}/forward-plan"' in page


def test_a_chair_schedules_a_meeting_in_uk_time(client_factory, session, group):
    chair = _browser(client_factory, CHAIR)
    form = chair.get(f"/groups/{group.slug}/meetings/new")
    assert form.status_code == 200 and 'type="date"' in form.text and 'name="use_template"' in form.text
    done = _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form(use_template="1"))
    assert done.status_code == 303, done.text
    session.expire_all()
    meeting = session.exec(select(Meeting)).one()
    assert done.headers["location"] == f"/meetings/{meeting.id}?done=meeting-scheduled"
    assert meeting.starts_at == london_datetime(_day(), time(14, 0))
    assert meeting.online_link == "https://meet.example.org/x" and meeting.venue_kind == "hybrid"
    assert _count(session, AgendaItem, AgendaItem.meeting_id == meeting.id) >= 3
    page = chair.get(done.headers["location"]).text
    assert "Meeting scheduled." in page and "Join the meeting online" in page
    assert f'href="/meetings/{meeting.id}/edit"' in page and f'href="/meetings/{meeting.id}/cancel"' in page
    assert "Mark as held" not in page  # not started yet


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"date": ""}, "date", "Enter the date of the meeting"),
    ({"date": "2027-02-30"}, "date", "Enter a real date, like 2027-01-31"),
    ({"start_time": ""}, "start_time", "Enter a start time"),
    ({"end_time": ""}, "end_time", "Enter an end time"),
    ({"start_time": "25:00"}, "start_time", "Enter the start time in hours and minutes, like 14:00"),
    ({"end_time": "13:00"}, "end_time", "The end time must be after the start time"),
    ({"online_link": "javascript:alert(1)"}, "online_link", "Enter the online meeting link as a web address"),
    ({"venue_kind": "moon"}, "venue_kind", "Choose how people attend"),
])
def test_schedule_mistakes_keep_what_was_typed(client_factory, session, group, change, field, message):
    chair = _browser(client_factory, CHAIR)
    answer = _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form(**change))
    assert answer.status_code == 422
    assert "<title>Error: " in answer.text and 'class="nhsuk-error-summary"' in answer.text
    assert f'id="{field}-error"' in answer.text and message in answer.text
    assert 'value="Town Hall"' in answer.text  # typed values kept
    assert _count(session, Meeting) == 0


def test_a_clash_and_a_time_the_clocks_skip_are_explained(client_factory, session, group):
    chair = _browser(client_factory, CHAIR)
    assert _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form()).status_code == 303
    clash = _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form(start_time="15:00", end_time="17:00"))
    assert clash.status_code == 422 and "This group already has a meeting at that time" in clash.text
    spring = date(2030, 3, 31)  # the clocks go forward at 01:00 GMT that day
    skipped = _post(chair, f"/groups/{group.slug}/meetings/new",
                    _meeting_form(date=spring.isoformat(), start_time="01:30", end_time="03:00"))
    assert skipped.status_code == 422 and "does not exist on 31 March 2030" in skipped.text
    assert _count(session, Meeting) == 1


def test_members_and_outsiders_cannot_schedule_and_the_form_needs_its_token(client_factory, session, group):
    for email in (MEMBER, OUTSIDER):
        browser = _browser(client_factory, email)
        assert browser.get(f"/groups/{group.slug}/meetings/new").status_code == 403
        assert browser.get(f"/groups/{group.slug}/meeting-series/new").status_code == 403
        assert _post(browser, f"/groups/{group.slug}/meetings/new", _meeting_form()).status_code == 403
    chair = _browser(client_factory, CHAIR)
    assert _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form(), csrf=False).status_code == 403
    assert _count(session, Meeting) == 0


def _series_form(**extra):
    first = _day(7)
    first += timedelta(days=(1 - first.weekday()) % 7)  # a Tuesday
    return {"pattern": "weekly", "interval": "4", "weekday": "1", "nth": "", "first_date": first.isoformat(),
            "until": (first + timedelta(weeks=12)).isoformat(), "start_time": "10:00", "end_time": "12:00",
            "venue_kind": "online", "venue": "", "online_link": "https://meet.example.org/s", "title": "",
            **extra}


def test_a_chair_schedules_a_series_and_sees_it_on_the_forward_plan(client_factory, client, session, group):
    chair = _browser(client_factory, CHAIR)
    form = _series_form()
    first = date.fromisoformat(form["first_date"])
    clash_day = first + timedelta(weeks=4)
    assert _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form(
        date=clash_day.isoformat(), start_time="11:00", end_time="13:00", title="Existing")).status_code == 303
    assert chair.get(f"/groups/{group.slug}/meeting-series/new").status_code == 200
    done = _post(chair, f"/groups/{group.slug}/meeting-series/new", form)
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(f"/groups/{group.slug}/forward-plan?series=")
    assert f"skipped={clash_day.isoformat()}" in done.headers["location"]
    assert _count(session, Meeting, Meeting.series_id.is_not(None)) == 3
    plan = chair.get(done.headers["location"]).text
    assert "3 meetings scheduled: every 4 weeks on tuesday" in plan.lower()
    assert "Not scheduled, because the group already has a meeting then" in plan
    assert f"{clash_day.day} {clash_day:%B %Y}" in plan
    assert plan.count('class="ata-plan-meeting"') == 4  # the three and the one already there
    assert "Add an agenda item" in plan
    # A made-up series id or date in the address is never shown as given.
    odd = chair.get(f"/groups/{group.slug}/forward-plan?series=999999&skipped=<b>x</b>").text
    assert "<b>x</b>" not in odd and "scheduled:" not in odd
    # The meeting page names its series.
    meeting = session.exec(select(Meeting).where(Meeting.series_id.is_not(None))).first()
    assert "Every 4 weeks on Tuesday" in chair.get(f"/meetings/{meeting.id}").text
    assert _count(session, MeetingSeries) == 1


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"pattern": "monthly"}, "nth", "Choose which week of the month"),
    ({"until": ""}, "until", "Enter the last date meetings may be on"),
    ({"first_date": "2020-01-07", "until": "2020-03-01"}, "first_date", "The first date must be today or later"),
    ({"until": (date.today() + timedelta(days=900)).isoformat()}, "until", "within 2 years of the first date"),
    ({"interval": "1", "until": (date.today() + timedelta(days=700)).isoformat()}, "until",
     "more than 60 meetings"),
    ({"end_time": "09:00"}, "end_time", "The end time must be after the start time"),
])
def test_series_mistakes_are_shown_on_the_form(client_factory, session, group, change, field, message):
    chair = _browser(client_factory, CHAIR)
    answer = _post(chair, f"/groups/{group.slug}/meeting-series/new", _series_form(**change))
    assert answer.status_code == 422, answer.text
    assert f'id="{field}-error"' in answer.text and message in answer.text
    assert 'value="https://meet.example.org/s"' in answer.text
    assert _count(session, Meeting) == 0 and _count(session, MeetingSeries) == 0


def test_changing_details_and_a_change_made_meanwhile(client_factory, client, session, group):
    chair = _browser(client_factory, CHAIR)
    location = _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form()).headers["location"]
    meeting_id = int(re.search(r"/meetings/(\d+)", location)[1])
    page = chair.get(f"/meetings/{meeting_id}/edit").text
    assert 'value="14:00"' in page and 'value="Town Hall"' in page
    version = hidden_field(page, "version")
    done = _post(chair, f"/meetings/{meeting_id}/edit", _meeting_form(start_time="15:00", end_time="17:00",
                                                                       version=version))
    assert done.status_code == 303 and done.headers["location"] == f"/meetings/{meeting_id}?done=meeting-changed"
    session.expire_all()
    assert session.get(Meeting, meeting_id).starts_at == london_datetime(_day(), time(15, 0))
    # Someone else changes it; the old form is not saved over it.
    assert client.patch(f"/api/v1/meetings/{meeting_id}", headers=HEADERS[group.id], json={"venue": "Library"}
                        ).status_code == 200
    stale = _post(chair, f"/meetings/{meeting_id}/edit", _meeting_form(venue="Old hall", version=str(int(version) + 1)))
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    assert 'value="Library"' in stale.text  # the meeting as it is now
    session.expire_all()
    assert session.get(Meeting, meeting_id).venue == "Library"
    # A member cannot open or post the form.
    member = _browser(client_factory, MEMBER)
    assert member.get(f"/meetings/{meeting_id}/edit").status_code == 403
    assert _post(member, f"/meetings/{meeting_id}/edit", _meeting_form()).status_code == 403


def test_cancelling_asks_for_a_reason_and_keeps_the_meeting(client_factory, session, group):
    chair = _browser(client_factory, CHAIR)
    location = _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form()).headers["location"]
    meeting_id = int(re.search(r"/meetings/(\d+)", location)[1])
    page = chair.get(f"/meetings/{meeting_id}/cancel").text
    assert "Are you sure you want to cancel the meeting of" in page
    assert "The meeting stays in the record, marked cancelled" in page and "nhsuk-button--warning" in page
    missing = _post(chair, f"/meetings/{meeting_id}/cancel", {"cancel_reason": "  "})
    assert missing.status_code == 422 and "Enter the reason the meeting is cancelled" in missing.text
    assert "<title>Error: " in missing.text
    member = _browser(client_factory, MEMBER)
    assert _post(member, f"/meetings/{meeting_id}/cancel", {"cancel_reason": "Mine"}).status_code == 403
    done = _post(chair, f"/meetings/{meeting_id}/cancel", {"cancel_reason": "Not quorate"})
    assert done.status_code == 303 and done.headers["location"] == f"/meetings/{meeting_id}?done=meeting-cancelled"
    session.expire_all()
    meeting = session.get(Meeting, meeting_id)
    assert meeting.status == "cancelled" and meeting.cancel_reason == "Not quorate"
    shown = chair.get(done.headers["location"]).text
    assert "Reason: Not quorate" in shown and "It stays in the record, marked cancelled." in shown
    plan = member.get(f"/groups/{group.slug}/forward-plan").text
    assert "Cancelled" in plan and "Not quorate" in plan


def test_mark_as_held_only_once_started(client_factory, client, session, group):
    chair = _browser(client_factory, CHAIR)
    start = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    past = client.post(f"/api/v1/groups/{group.id}/meetings", headers=HEADERS[group.id], json={
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}).json()
    later = start + timedelta(days=9)
    future = client.post(f"/api/v1/groups/{group.id}/meetings", headers=HEADERS[group.id], json={
        "starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()}).json()
    assert "Mark as held" in chair.get(f"/meetings/{past['id']}").text
    refused = _post(chair, f"/meetings/{future['id']}/held", {})
    assert refused.status_code == 409 and "only once it has started" in refused.text
    assert 'id="mark-held-error"' in refused.text
    done = _post(chair, f"/meetings/{past['id']}/held", {})
    assert done.status_code == 303 and done.headers["location"] == f"/meetings/{past['id']}?done=meeting-held"
    session.expire_all()
    assert session.get(Meeting, past["id"]).status == "held"
    assert session.get(Meeting, future["id"]).status == "scheduled"
    assert "cannot be cancelled" in chair.get(f"/meetings/{past['id']}/cancel").text


def test_forward_plan_hides_confidential_items_from_non_members(client_factory, client, session, group):
    start = (datetime.now(UTC) + timedelta(days=5)).replace(microsecond=0)
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=HEADERS[group.id], json={
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}).json()
    for title, secret in (("Open budget", False), ("Secret staffing", True)):
        client.post(f"/api/v1/meetings/{made['id']}/agenda-items", headers=HEADERS[group.id],
                    json={"title": title, "confidential": secret})
    outsider = _browser(client_factory, OUTSIDER)
    page = outsider.get(f"/groups/{group.slug}/forward-plan")
    assert page.status_code == 200 and "Open budget" in page.text and "Secret staffing" not in page.text
    assert "Add an agenda item" not in page.text and "Schedule a meeting" not in page.text
    member = _browser(client_factory, MEMBER)
    assert "Secret staffing" in member.get(f"/groups/{group.slug}/forward-plan").text


def test_a_cancelled_meeting_can_be_reinstated_unless_its_slot_is_taken(client_factory, client, session, group):
    chair = _browser(client_factory, CHAIR)
    location = _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form()).headers["location"]
    meeting_id = int(re.search(r"/meetings/(\d+)", location)[1])
    assert _post(chair, f"/meetings/{meeting_id}/cancel", {"cancel_reason": "Snow"}).status_code == 303
    assert "Change the reason or reinstate the meeting" in chair.get(f"/meetings/{meeting_id}").text
    page = chair.get(f"/meetings/{meeting_id}/cancel").text
    assert "This meeting is cancelled" in page and "Reinstate meeting" in page and ">Snow</textarea>" in page
    # The slot is taken meanwhile: said, and nothing changes.
    other = _post(chair, f"/groups/{group.slug}/meetings/new", _meeting_form(title="Replacement"))
    assert other.status_code == 303
    refused = _post(chair, f"/meetings/{meeting_id}/reinstate", {})
    assert refused.status_code == 409 and "This group already has a meeting at that time" in refused.text
    assert 'id="reinstate-error"' in refused.text
    session.expire_all()
    assert session.get(Meeting, meeting_id).status == "cancelled"
    other_id = int(re.search(r"/meetings/(\d+)", other.headers["location"])[1])
    assert _post(chair, f"/meetings/{other_id}/cancel", {"cancel_reason": "Not needed"}).status_code == 303
    done = _post(chair, f"/meetings/{meeting_id}/reinstate", {})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=meeting-reinstated")
    session.expire_all()
    reinstated = session.get(Meeting, meeting_id)
    assert reinstated.status == "scheduled" and reinstated.cancel_reason == ""
    member = _browser(client_factory, MEMBER)
    assert _post(member, f"/meetings/{other_id}/reinstate", {}).status_code == 403
