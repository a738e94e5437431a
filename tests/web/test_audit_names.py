"""The audit log names things (defect 11): records by what they are ("Tomasz Whitfield's
membership of Age Well"), events by what happened ("Membership ended", "Minutes approved",
"Account disabled"), changed fields by their labels with their values in words, and every name on
a page looked up in one query."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from api.audit import service as audit
from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.meetings.models import Meeting
from tests import factories
from tests.web.conftest import sign_in


@pytest.fixture
def admin_client(client_factory, person):
    admin, _ = person("names.admin@example.org", is_admin=True, name="Nadia Namer")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="event-\d+">.*?</tr>', html, re.S)


def _meeting(session, group, day: datetime) -> Meeting:
    meeting = Meeting(group_id=group.id, starts_at=day, ends_at=day + timedelta(hours=2), status="held")
    session.add(meeting)
    session.flush()
    return meeting


def test_events_name_the_record_the_action_and_the_changed_fields(admin_client, person, session):
    group = factories.group(session, name="Age Well", kind="thematic", code="AGW")
    tomasz = factories.stakeholder(session, name="Tomasz Whitfield", email="tomasz@example.org")
    seat = factories.membership(session, group=group, stakeholder=tomasz, role="member", start_date=date(2023, 4, 1))
    audit.record(session, actor=SYSTEM_SUBJECT, action="membership.update", entity_type="membership",
                 entity_id=seat.id, before={"end_date": None}, after={"end_date": "2026-03-31"})
    first = _meeting(session, group, datetime(2024, 1, 16, 14, tzinfo=UTC))
    second = _meeting(session, group, datetime(2024, 3, 19, 14, tzinfo=UTC))
    audit.record(session, actor=SYSTEM_SUBJECT, action="minutes.approve", entity_type="minutes", entity_id=first.id,
                 before={"status": "draft", "approved_at_meeting_id": None},
                 after={"status": "approved", "approved_at_meeting_id": second.id})
    _, account = person("disabled.person@example.org", name="Dee Sabled")
    audit.record(session, actor=SYSTEM_SUBJECT, action="user.update", entity_type="user", entity_id=account.id,
                 before={"is_active": True}, after={"is_active": False})
    session.commit()

    page = admin_client.get("/admin/audit?entity_type=membership")
    assert page.status_code == 200
    row = _rows(page.text)[0]
    assert "Tomasz Whitfield&#39;s membership of Age Well" in row and "Membership ended" in row
    assert re.search(r"<dt>End date</dt>\s*<dd[^>]*>.*<ins>.*31 March 2026</ins>", row, re.S)
    assert "end_date" not in row and "membership.update" not in row

    minutes = _rows(admin_client.get("/admin/audit?entity_type=minutes").text)[0]
    assert "Minutes approved" in minutes and "Minutes of the Age Well meeting on 16 January 2024" in minutes
    assert re.search(r"<dt>Approved at the meeting of</dt>.*Age Well meeting on 19 March 2024", minutes, re.S)
    assert re.search(r"<dt>Status</dt>.*<del>.*A draft, not yet approved</del>.*<ins>.*Approved</ins>", minutes, re.S)

    disabled = _rows(admin_client.get("/admin/audit?entity_type=user").text)[0]
    assert "Account disabled" in disabled and "Dee Sabled (disabled.person@example.org)" in disabled
    assert re.search(r"<dt>Account active</dt>.*<del>.*Yes</del>.*<ins>.*No</ins>", disabled, re.S)


def test_a_removed_record_is_named_from_what_the_log_kept(admin_client, session):
    group = factories.group(session, name="Move More", kind="thematic", code="MMV")
    sam = factories.stakeholder(session, name="Sam Removed", email="sam.removed@example.org")
    audit.record(session, actor=SYSTEM_SUBJECT, action="membership.delete", entity_type="membership",
                 entity_id=987654, before={"id": 987654, "stakeholder_id": sam.id, "group_id": group.id,
                                           "role": "vice_chair", "start_date": "2023-05-02"})
    session.commit()
    row = _rows(admin_client.get("/admin/audit?entity_type=membership&entity_id=987654").text)[0]
    assert "Sam Removed&#39;s membership of Move More" in row and "Membership removed" in row
    assert "Vice chair" in row and "2 May 2023" in row and "<dt>Person</dt>" in row


def test_names_take_one_query_whatever_the_kinds_and_rows(admin_client, person, session, count_queries):
    group = factories.group(session, name="Count Group", kind="working", code="CNT")
    _, account = person("count.actor@example.org", name="Count Actor")
    actor = auth_service.user_subject(account)

    def arrange(n: int, start: int):
        for i in range(start, start + n):
            someone = factories.stakeholder(session, name=f"Person {i}", email=f"person{i}@example.org")
            seat = factories.membership(session, group=group, stakeholder=someone, start_date=date(2023, 1, 1))
            meeting = _meeting(session, group, datetime(2024, 1, 1, 10, tzinfo=UTC) + timedelta(days=i))
            organisation = factories.organisation(session, name=f"Organisation {i}")
            for kind, key, after in [("membership", seat.id, {"role": "chair"}),
                                     ("meeting", meeting.id, {"title": f"Meeting {i}"}),
                                     ("organisation", organisation.id, {"website": "https://example.org"}),
                                     ("stakeholder", someone.id, {"organisation_id": organisation.id})]:
                audit.record(session, actor=actor, action=f"{kind}.update", entity_type=kind,
                             entity_id=key, before=dict.fromkeys(after), after=after)
        session.commit()

    def queries() -> int:
        with count_queries() as counter:
            response = admin_client.get("/admin/audit?actor=count.actor@example.org")
        assert response.status_code == 200
        assert sum(" AS kind" in statement for statement in counter.statements) == 1  # every name at once
        return counter.count

    arrange(1, 0)
    queries()  # the first page after signing in also touches the session
    few = queries()
    arrange(10, 1)
    page = admin_client.get("/admin/audit").text
    assert "Person 7&#39;s membership of Count Group" in page and "Organisation 9" in page
    assert queries() == few


def test_lists_of_keys_are_named_too(admin_client, session):
    partner = factories.organisation(session, name="Partner Trust for Names")
    audit.record(session, actor=SYSTEM_SUBJECT, action="pilot.update", entity_type="pilot", entity_id=424242,
                 before={"partner_ids": [], "place_codes": []},
                 after={"partner_ids": [partner.id], "place_codes": ["E08000012"]})
    session.commit()
    row = _rows(admin_client.get("/admin/audit?entity_type=pilot&entity_id=424242").text)[0]
    assert "Pilot changed" in row and "<dt>Partners</dt>" in row and "Partner Trust for Names" in row
    assert "<dt>Places</dt>" in row and "Liverpool" in row and "partner_ids" not in row
