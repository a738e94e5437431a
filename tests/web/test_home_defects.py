"""My dashboard (defect 12): the latest-minutes link lands on an anchor the meeting page has;
readers are told the minutes' status in the meeting page's own words; "meetings attended"
counts held meetings only."""

import re
from datetime import UTC, date, datetime, timedelta

from api.meetings.models import Attendance, Meeting, MinutesVersion
from tests import factories


def _meeting(session, group, *, starts_at, status="held"):
    meeting = Meeting(group_id=group.id, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), status=status)
    session.add(meeting)
    session.flush()
    return meeting


def test_latest_minutes_link_to_the_status_on_the_meeting_page_and_say_draft_or_approved(signed_in, session):
    client, me = signed_in
    group = factories.group(session, name="Test Minutes Group", kind="working", code="TMG")
    factories.membership(session, group=group, stakeholder=me, role="member", start_date=date(2023, 1, 1))
    first = _meeting(session, group, starts_at=datetime(2024, 1, 16, 14, tzinfo=UTC))
    second = _meeting(session, group, starts_at=datetime(2024, 3, 19, 14, tzinfo=UTC))
    session.add(MinutesVersion(meeting_id=first.id, version=1, status="approved", approved_at_meeting_id=second.id,
                               approved_at=datetime(2024, 3, 19, 16, tzinfo=UTC)))
    session.add(MinutesVersion(meeting_id=second.id, version=1, status="draft"))
    session.commit()

    page = client.get("/")
    assert page.status_code == 200
    section = page.text[page.text.index('id="latest-minutes"'):page.text.index('id="my-contributions"')]
    links = re.findall(r'href="(/meetings/\d+)#([\w-]+)"', section)
    assert links == [(f"/meetings/{second.id}", "record-status"), (f"/meetings/{first.id}", "record-status")]
    # The anchor exists on the meeting page the link opens.
    meeting_page = client.get(links[0][0])
    assert meeting_page.status_code == 200 and 'id="record-status"' in meeting_page.text
    # The members' status line: the draft, and the approved minutes with the approving meeting.
    assert "<strong>Draft minutes:</strong> not yet approved" in section
    assert "<strong>Approved minutes:</strong> approved at the meeting of 19 March 2024" in section


def test_meetings_attended_counts_held_meetings_only(signed_in, session):
    client, me = signed_in
    group = factories.group(session, name="Test Attended Group", kind="working", code="TAG")
    factories.membership(session, group=group, stakeholder=me, role="member", start_date=date(2023, 1, 1))
    now = datetime.now(UTC)
    held = _meeting(session, group, starts_at=now - timedelta(days=30))
    cancelled = _meeting(session, group, starts_at=now - timedelta(days=20), status="cancelled")
    coming = _meeting(session, group, starts_at=now + timedelta(days=20), status="scheduled")
    for meeting in (held, cancelled, coming):
        session.add(Attendance(meeting_id=meeting.id, stakeholder_id=me.id, status="present"))
    session.commit()
    page = client.get("/")
    assert re.search(r"Meetings attended</dt><dd class=\"nhsuk-summary-list__value\">1<", page.text), page.text
