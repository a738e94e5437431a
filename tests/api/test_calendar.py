"""iCalendar feeds, parsed with a real iCalendar library, and the secret feed links."""

from datetime import UTC, datetime

import icalendar

from api.auth import service as auth_service
from tests import factories
from tests.api.test_meetings import JAN, MARCH, _meeting


def _setup(session, app):
    group = factories.group(session, name="Calendar Group, Test", kind="thematic", code="CAL")
    other = factories.group(session, name="Not Mine", kind="thematic")
    person, account = factories.person_with_account(session, "cal.member@example.org")
    factories.membership(session, group=group, stakeholder=person, role="secretary")
    session.commit()
    token = auth_service.user_token(app.state.settings, account).token
    return group, other, {"Authorization": f"Bearer {token}"}


def test_group_feed_has_stable_uids_sequences_and_cancellations(client, session, app):
    group, _, me = _setup(session, app)
    first = _meeting(client, group.id, me, title="Quarterly; review", venue="Town Hall, Room 1")
    second = _meeting(client, group.id, me, times=MARCH)
    client.patch(f"/api/v1/meetings/{second['id']}", json={"status": "cancelled", "cancel_reason": "Snow"}, headers=me)

    feed = client.get(f"/api/v1/groups/{group.id}/meetings.ics", headers=me)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(feed.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"meeting-{first['id']}@stakeholder-dashboard.all-together-active",
                           f"meeting-{second['id']}@stakeholder-dashboard.all-together-active"}
    jan = events[f"meeting-{first['id']}@stakeholder-dashboard.all-together-active"]
    assert str(jan["SUMMARY"]) == "Calendar Group, Test: Quarterly; review"  # escaped and unescaped again
    assert str(jan["LOCATION"]) == "Town Hall, Room 1"
    assert jan.decoded("DTSTART") == datetime.fromisoformat(JAN["starts_at"]).astimezone(UTC)
    assert str(jan["STATUS"]) == "CONFIRMED" and int(jan["SEQUENCE"]) == 0
    march = events[f"meeting-{second['id']}@stakeholder-dashboard.all-together-active"]
    assert str(march["STATUS"]) == "CANCELLED" and int(march["SEQUENCE"]) == 1
    assert all(len(line) <= 75 for line in feed.content.split(b"\r\n"))


def test_feed_links_work_without_headers_and_can_be_reset(client, anonymous_client, session, app):
    group, other, me = _setup(session, app)
    _meeting(client, group.id, me)
    _meeting(client, other.id, {}, times=MARCH)  # an admin arranges a meeting of a group I am not in
    links = client.get("/api/v1/me/calendar", headers=me).json()
    personal = links["personal"].replace("http://testserver", "")
    anonymous_client.headers.pop("Authorization", None)
    mine = anonymous_client.get(personal)
    assert mine.status_code == 200
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(mine.content).walk("VEVENT")]
    assert summaries == ["Calendar Group, Test"]
    by_token = anonymous_client.get(f"/api/v1/groups/{other.id}/meetings.ics?token={links['token']}")
    assert by_token.status_code == 200

    reset = client.post("/api/v1/me/calendar/reset", headers=me).json()
    assert reset["token"] != links["token"]
    assert anonymous_client.get(personal).status_code == 401
    assert anonymous_client.get(reset["personal"].replace("http://testserver", "")).status_code == 200
    for bad in ("", "1", "1.abc", "x" * 90, f"{links['token'][:-1]}0"):
        assert anonymous_client.get(f"/api/v1/me/meetings.ics?token={bad}").status_code in (401, 422), bad
    assert anonymous_client.get("/api/v1/me/meetings.ics").status_code == 401
