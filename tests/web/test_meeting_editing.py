"""Recording a meeting on its page as the group's chair: agenda, attendance, minutes, approval,
decisions, actions; refused (403, nothing changed) to everyone else and without the CSRF token;
mistakes answered with 422 and the typed text kept; a constant number of queries."""

import re
from datetime import date

import pytest
from sqlmodel import func, select

from api.access import access_to
from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.core.errors import Forbidden, InvalidInput
from api.meetings import agenda, attendance, service
from api.meetings.models import Action, AgendaItem, Attendance, Decision, MinutesVersion, MinuteText
from tests import factories
from tests.web.conftest import hidden_field, sign_in

CHAIR = "edit.chair@example.org"
MEMBER = "edit.member@example.org"
OUTSIDER = "edit.outsider@example.org"


@pytest.fixture
def meeting(client, session, app):
    """A group with a chair, a member who can sign in, another member; a meeting with one agenda
    item, and a later meeting to approve its minutes at."""
    group = factories.group(session, name="Editing Group", kind="thematic", code="EDG")
    chair, account = factories.person_with_account(session, CHAIR, name="Chris Chair")
    member, member_account = factories.person_with_account(session, MEMBER, name="Mo Member")
    other = factories.stakeholder(session, name="Olu Other")
    factories.person_with_account(session, OUTSIDER, name="Otto Outsider")
    factories.membership(session, group=group, stakeholder=chair, role="chair")
    factories.membership(session, group=group, stakeholder=member)
    factories.membership(session, group=group, stakeholder=other)
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Spring", "starts_at": "2025-03-11T10:00:00+00:00", "ends_at": "2025-03-11T12:00:00+00:00"}).json()
    later = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Summer", "starts_at": "2025-06-10T10:00:00+00:00", "ends_at": "2025-06-10T12:00:00+00:00"}).json()
    item = client.post(f"/api/v1/meetings/{made['id']}/agenda-items", headers=headers,
                       json={"title": "Walking routes"}).json()
    return {"id": made["id"], "later": later["id"], "item": item["id"], "group": group, "chair": chair,
            "member": member, "other": other, "headers": headers,
            "member_subject": auth_service.user_subject(member_account)}


def _browser(client_factory, email):
    browser = client_factory()
    assert sign_in(browser, email).status_code == 303
    page = browser.get("/")
    browser.csrf = hidden_field(page.text, "csrf_token")
    return browser


def _post(browser, url, data, *, csrf=True, htmx=False):
    body = {**data, **({"csrf_token": browser.csrf} if csrf else {})}
    headers = {"HX-Request": "true"} if htmx else {}
    return browser.post(url, data=body, headers=headers, follow_redirects=False)


def _count(session, model, *where):
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _snapshot(session, meeting_id):
    return (_count(session, AgendaItem, AgendaItem.meeting_id == meeting_id),
            _count(session, Attendance, Attendance.meeting_id == meeting_id),
            _count(session, MinutesVersion, MinutesVersion.meeting_id == meeting_id),
            _count(session, MinuteText), _count(session, Decision), _count(session, Action))


# Each edit, as the chair -------------------------------------------------------------------------

def test_the_chair_sees_edit_controls_and_others_the_read_only_page(client_factory, meeting):
    chair = _browser(client_factory, CHAIR)
    page = chair.get(f"/meetings/{meeting['id']}").text
    controls = ("Add agenda item", "Record decision", "Set action", "Save minute", 'aria-label="Present: Mo Member"')
    for control in controls:
        assert control in page
    for email in (MEMBER, OUTSIDER):
        other = _browser(client_factory, email).get(f"/meetings/{meeting['id']}")
        assert other.status_code == 200
        assert "<form method=\"post\" action=\"/meetings/" not in other.text
        assert "Add agenda item" not in other.text and "Walking routes" in other.text


def test_an_admin_who_is_not_a_member_may_record_too(client_factory, session, person, meeting):
    person("edit.admin@example.org", is_admin=True)
    admin = _browser(client_factory, "edit.admin@example.org")
    assert "Record decision" in admin.get(f"/meetings/{meeting['id']}").text
    assert _post(admin, f"/meetings/{meeting['id']}/decisions", {"text": "Admin noted."}).status_code == 303
    assert _count(session, Decision, Decision.text == "Admin noted.") == 1


def test_add_change_and_remove_an_agenda_item(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    response = _post(chair, f"{url}/agenda-items", {"title": "Park run pilots", "ref": "", "purpose": "For decision",
                                                    "lead_id": str(meeting["member"].id), "confidential": "1"})
    item = session.exec(select(AgendaItem).where(AgendaItem.title == "Park run pilots")).one()
    # Back at the new item (web/routes/meeting_agenda.py).
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=item-added#item-{item.id}-heading"
    assert (item.ref, item.lead_id, item.purpose, item.confidential) == ("EDG/03/25/02", meeting["member"].id,
                                                                       "For decision", True)
    page = chair.get(response.headers["location"]).text
    assert "Agenda item added." in page and "Lead: Mo Member" in page

    # htmx: only the agenda section (and the sections listing agenda items, out of band) comes back.
    changed = _post(chair, f"{url}/agenda-items/{item.id}", {"title": "Parkrun pilots", "lead_id": "",
                                                             "purpose": "For noting"}, htmx=True)
    assert changed.status_code == 200
    assert changed.text.lstrip().startswith('<section id="agenda-section"') and "<h1>" not in changed.text
    assert 'id="decisions-section" aria-labelledby="decisions-heading" hx-swap-oob="true"' in changed.text
    assert "Agenda item EDG/03/25/02 changed." in changed.text and 'hx-swap-oob="innerHTML"' in changed.text
    session.refresh(item)
    assert (item.title, item.lead_id, item.purpose) == ("Parkrun pilots", None, "For noting")

    removed = _post(chair, f"{url}/agenda-items/{item.id}/remove", {})
    assert removed.status_code == 303
    assert _count(session, AgendaItem, AgendaItem.id == item.id) == 0
    assert "Agenda item removed." in chair.get(removed.headers["location"]).text


def test_an_item_with_a_record_cannot_be_removed(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    assert _post(chair, f"{url}/minutes/{meeting['item']}", {"text": "  "}).status_code == 303
    assert _count(session, MinutesVersion) == 0  # a blank first minute writes nothing
    assert _post(chair, f"{url}/minutes/{meeting['item']}", {"text": "Routes mapped."}).status_code == 303
    assert _post(chair, f"{url}/minutes/{meeting['item']}", {"text": "  "}).status_code == 303
    assert _count(session, MinutesVersion) == 1 and _count(session, MinuteText) == 0  # a blank minute removes it
    assert _post(chair, f"{url}/minutes/{meeting['item']}", {"text": "Routes mapped."}).status_code == 303
    refused = _post(chair, f"{url}/agenda-items/{meeting['item']}/remove", {})
    assert refused.status_code == 422
    assert "This item cannot be removed: this agenda item has minutes" in refused.text
    assert _count(session, AgendaItem, AgendaItem.id == meeting["item"]) == 1


def test_attendance_one_click_per_person(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    other = meeting["other"]
    row = _post(chair, f"{url}/attendance/{other.id}", {"status": "apologies"}, htmx=True)
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="attendee-{other.id}"')
    assert f'id="attendee-{other.id}-apologies" aria-pressed="true"' in row.text
    assert "Attendance recorded." in row.text and "Apologies (1)" in row.text  # live region, counts (oob)
    # A second click changes the status; the others are left alone.
    assert _post(chair, f"{url}/attendance/{meeting['chair'].id}", {"status": "present"}).status_code == 303
    assert _post(chair, f"{url}/attendance/{other.id}", {"status": "present"}).status_code == 303
    session.expire_all()
    statuses = dict(session.exec(select(Attendance.stakeholder_id, Attendance.status).where(
        Attendance.meeting_id == meeting["id"])).all())
    assert statuses == {other.id: "present", meeting["chair"].id: "present"}
    page = chair.get(f"{url}?done=attendance").text
    assert "Present (2)" in page and "Attendance recorded." in page

    bad = _post(chair, f"{url}/attendance/{other.id}", {"status": "asleep"})
    assert bad.status_code == 422 and "Choose present, in attendance, apologies or absent" in bad.text
    unknown = _post(chair, f"{url}/attendance/987654", {"status": "present"})
    assert unknown.status_code == 422 and "Select a person from the list" in unknown.text
    assert "<title>Error: " in unknown.text
    assert _count(session, Attendance, Attendance.meeting_id == meeting["id"]) == 2


def test_minutes_written_per_item_then_approved_then_amended(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    second = session.exec(select(AgendaItem).where(AgendaItem.id == meeting["item"])).one()
    other_item = agenda.add_agenda_item(session, access=access_to(session, SYSTEM_SUBJECT, meeting["group"].id),
                                        meeting=service.get_meeting(session, meeting["id"]),
                                        data={"title": "AOB"})
    session.commit()
    assert _post(chair, f"{url}/minutes/{second.id}", {"text": "Routes **mapped**. <script>x()</script>"},
                 ).status_code == 303
    saved = _post(chair, f"{url}/minutes/{other_item.id}", {"text": "None."}, htmx=True)
    assert saved.status_code == 200 and "Minute saved." in saved.text
    page = chair.get(url).text
    assert "Routes <strong>mapped</strong>." in page and "<script>x()" not in page  # sanitised
    assert "Showing version 1 of the minutes: a draft, not yet approved." in page
    texts = dict(session.exec(select(MinuteText.agenda_item_id, MinuteText.text)).all())
    assert texts == {second.id: "Routes **mapped**. <script>x()</script>", other_item.id: "None."}

    refused = _post(chair, f"{url}/minutes-approval", {"approved_at_meeting_id": str(meeting["id"])})
    assert refused.status_code == 422 and "Select a later meeting of the same group" in refused.text
    approved = _post(chair, f"{url}/minutes-approval", {"approved_at_meeting_id": str(meeting["later"])})
    assert approved.status_code == 303
    page = chair.get(url).text
    assert "Showing version 1 of the minutes: approved (approved at the meeting of 10 June 2025)." in page
    assert "Saving a minute starts an amendment (version 2)" in page
    again = _post(chair, f"{url}/minutes-approval", {"approved_at_meeting_id": str(meeting["later"])})
    assert again.status_code == 422

    # An amendment keeps the other item's minute.
    assert _post(chair, f"{url}/minutes/{other_item.id}", {"text": "Nothing else."}).status_code == 303
    session.expire_all()
    latest = session.exec(select(MinutesVersion).where(MinutesVersion.version == 2)).one()
    kept = dict(session.exec(select(MinuteText.agenda_item_id, MinuteText.text).where(
        MinuteText.minutes_version_id == latest.id)).all())
    assert kept == {second.id: "Routes **mapped**. <script>x()</script>", other_item.id: "Nothing else."}


def test_locked_minutes_show_a_message_instead_of_the_editor(client_factory, client, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    api = f"/api/v1/meetings/{meeting['id']}/minutes"
    client.put(api, headers=meeting["headers"], json={"items": [{"agenda_item_id": meeting["item"], "text": "Done."}]})
    client.post(f"{api}/approve", headers=meeting["headers"], json={"approved_at_meeting_id": meeting["later"]})
    assert client.post(f"{api}/lock", headers=meeting["headers"]).status_code == 200
    page = chair.get(url).text
    assert "These minutes are locked" in page and f'id="minute-{meeting["item"]}"' not in page
    refused = _post(chair, f"{url}/minutes/{meeting['item']}", {"text": "Sneaky change"})
    assert refused.status_code == 422 and "These minutes are locked and cannot be changed" in refused.text
    assert _count(session, MinutesVersion) == 1


def test_record_a_decision_and_set_an_action(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    decided = _post(chair, f"{url}/decisions", {"text": "Adopt the routes.", "agenda_item_id": str(meeting["item"])},
                    htmx=True)
    assert decided.status_code == 200 and decided.text.lstrip().startswith('<section id="decisions-section"')
    assert "Adopt the routes." in decided.text and "Decision recorded." in decided.text
    decision = session.exec(select(Decision)).one()
    assert (decision.agenda_item_id, decision.decided_on) == (meeting["item"], date(2025, 3, 11))

    set_ = _post(chair, f"{url}/actions", {"text": "Print maps", "owner_id": str(meeting["member"].id),
                                           "due_date": "2025-04-30", "agenda_item_id": str(meeting["item"])})
    action = session.exec(select(Action)).one()
    assert set_.status_code == 303 and set_.headers["location"].endswith(f"?done=action#action-{action.id}")
    assert (action.number, action.owner_id, action.due_date, action.meeting_id, action.agenda_item_id) == (
        1, meeting["member"].id, date(2025, 4, 30), meeting["id"], meeting["item"])
    page = chair.get(f"{url}?done=action").text
    assert "Print maps" in page and "Action set." in page and "Mo Member" in page


# Refusals -------------------------------------------------------------------------------------

EDITS = [
    ("agenda-items", {"title": "Sneaky item"}),
    ("agenda-items/{item}", {"title": "Renamed"}),
    ("agenda-items/{item}/remove", {}),
    ("attendance/{other}", {"status": "present"}),
    ("minutes/{item}", {"text": "Sneaky minute"}),
    ("minutes-approval", {"approved_at_meeting_id": "{later}"}),
    ("decisions", {"text": "Sneaky decision"}),
    ("actions", {"text": "Sneaky action"}),
]


def _edit_url(meeting, path):
    return f"/meetings/{meeting['id']}/" + path.format(item=meeting["item"], other=meeting["other"].id,
                                                       later=meeting["later"])


@pytest.mark.parametrize("email", [MEMBER, OUTSIDER])
def test_members_and_outsiders_are_refused_and_nothing_changes(client_factory, session, meeting, email):
    browser = _browser(client_factory, email)
    before = _snapshot(session, meeting["id"])
    for path, data in EDITS:
        data = {k: v.format(later=meeting["later"]) for k, v in data.items()}
        for htmx in (False, True):
            response = _post(browser, _edit_url(meeting, path), data, htmx=htmx)
            assert response.status_code == 403, (path, response.text)
    assert _snapshot(session, meeting["id"]) == before
    assert session.exec(select(AgendaItem).where(AgendaItem.id == meeting["item"])).one().title == "Walking routes"
    denials = _count(session, AuditEvent, AuditEvent.action == "authz.denied")
    assert denials >= len(EDITS)


def test_without_the_csrf_token_nothing_changes(client_factory, session, meeting):
    chair = _browser(client_factory, CHAIR)
    before = _snapshot(session, meeting["id"])
    for path, data in EDITS:
        data = {k: v.format(later=meeting["later"]) for k, v in data.items()}
        assert _post(chair, _edit_url(meeting, path), data, csrf=False).status_code == 403, path
        wrong = chair.post(_edit_url(meeting, path), data={**data, "csrf_token": "not-the-token"},
                           follow_redirects=False)
        assert wrong.status_code == 403, path
    assert _snapshot(session, meeting["id"]) == before


# Mistakes --------------------------------------------------------------------------------------

def _value(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|textarea)[^>]*id="{field_id}"[^>]*?(?:value="([^"]*)"[^>]*)?>([^<]*)', html)
    assert match, field_id
    return match.group(1) if match.group(1) is not None else match.group(2)


@pytest.mark.parametrize(("path", "data", "field", "message", "kept"), [
    ("agenda-items", {"title": "  ", "purpose": "Kept purpose"}, "new-item-title",
     "Enter a title for the agenda item", ("new-item-purpose", "Kept purpose")),
    ("agenda-items", {"title": "", "lead_id": "987654", "purpose": "Kept"}, "new-item-lead",
     "Lead must be one of the group&#39;s members", ("new-item-purpose", "Kept")),
    ("agenda-items", {"title": "Kept title", "lead_id": "987654"}, "new-item-lead",
     "Lead must be one of the group&#39;s members", ("new-item-title", "Kept title")),
    ("agenda-items", {"title": "Kept title", "ref": "EDG/03/25/01"}, "new-item-ref",
     "This meeting already has an agenda item EDG/03/25/01.", ("new-item-title", "Kept title")),
    ("agenda-items", {"title": "x" * 301}, "new-item-title", "Title must be 300 characters or fewer",
     None),
    ("agenda-items/{item}", {"title": "", "purpose": "Kept purpose"}, "item-{item}-title",
     "Enter a title for the agenda item", ("item-{item}-purpose", "Kept purpose")),
    ("decisions", {"text": " ", "agenda_item_id": ""}, "decision-text", "Enter the decision", None),
    ("decisions", {"text": "Kept decision", "agenda_item_id": "987654"}, "decision-item",
     "Choose an agenda item of this meeting", ("decision-text", "Kept decision")),
    ("actions", {"text": "Kept action", "owner_id": "987654"}, "action-owner",
     "Owner must be one of the group&#39;s members", ("action-text", "Kept action")),
    ("actions", {"text": "Kept action", "due_date": "2025-03-01"}, "action-due",
     "Due date cannot be before the meeting that set the action", ("action-due", "2025-03-01")),
    ("actions", {"text": "Kept action", "due_date": "31/02/2025"}, "action-due",
     "Enter the due date as a real date", ("action-due", "31/02/2025")),
    ("actions", {"text": "", "due_date": "2025-04-01"}, "action-text", "Enter the action",
     ("action-due", "2025-04-01")),
    ("minutes-approval", {"approved_at_meeting_id": "{later}"}, "approve-meeting",
     "There are no minutes to approve yet.", None),
])
def test_mistakes_are_422_with_the_typed_text_kept(client_factory, session, meeting, path, data, field, message,
                                                   kept):
    chair = _browser(client_factory, CHAIR)
    before = _snapshot(session, meeting["id"])
    data = {k: v.format(later=meeting["later"]) for k, v in data.items()}
    field = field.format(item=meeting["item"])
    for htmx in (False, True):
        response = _post(chair, _edit_url(meeting, path), data, htmx=htmx)
        assert response.status_code == 422, response.text
        assert message in response.text
        assert f'id="{field}-error"' in response.text
        assert (f'href="#{field}"' in response.text) is (field != "approve-meeting")  # no form to link to there
        assert ("<h1>" in response.text) is not htmx  # the page without JavaScript, the section with
        if kept:
            kept_id = kept[0].format(item=meeting["item"])
            assert _value(response.text, kept_id) == kept[1]
    assert _snapshot(session, meeting["id"]) == before


# Queries ---------------------------------------------------------------------------------------

def test_the_editing_page_costs_the_same_queries_for_a_bigger_meeting(client_factory, client, session, meeting,
                                                                      count_queries):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{meeting['id']}"
    _post(chair, f"{url}/attendance/{meeting['chair'].id}", {"status": "present"})
    _post(chair, f"{url}/minutes/{meeting['item']}", {"text": "One."})
    _post(chair, f"{url}/actions", {"text": "First", "owner_id": str(meeting["member"].id)})
    with count_queries() as few:
        assert chair.get(url).status_code == 200
    for n in range(6):
        person = factories.stakeholder(session, name=f"Extra Member {n}")
        factories.membership(session, group=meeting["group"], stakeholder=person)
        session.commit()
        _post(chair, f"{url}/attendance/{person.id}", {"status": "apologies"})
        _post(chair, f"{url}/agenda-items", {"title": f"Item {n}", "lead_id": str(person.id)})
        item = session.exec(select(AgendaItem).where(AgendaItem.title == f"Item {n}")).one()
        _post(chair, f"{url}/minutes/{item.id}", {"text": f"Minute {n}"})
        _post(chair, f"{url}/decisions", {"text": f"Decision {n}", "agenda_item_id": str(item.id)})
        _post(chair, f"{url}/actions", {"text": f"Action {n}", "owner_id": str(person.id),
                                        "agenda_item_id": str(item.id)})
    with count_queries() as many:
        page = chair.get(url).text
    assert "Action 5" in page and "Minute 5" in page and "Extra Member 5" in page
    assert many.count == few.count


# The service behind the one-click attendance --------------------------------------------------

def test_set_attendance_service_is_audited_and_refuses_non_officers(session, meeting):
    the_meeting = service.get_meeting(session, meeting["id"])
    admin = access_to(session, SYSTEM_SUBJECT, meeting["group"].id)
    row = attendance.set_attendance(session, access=admin, meeting=the_meeting, stakeholder_id=meeting["other"].id,
                                    status="absent")
    attendance.set_attendance(session, access=admin, meeting=the_meeting, stakeholder_id=meeting["other"].id,
                              status="present")
    session.commit()
    assert row.status == "present"
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "attendance")
                          .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["attendance.create", "attendance.update"]
    assert events[1].before == {"status": "absent"} and events[1].after == {"status": "present"}
    with pytest.raises(InvalidInput):
        attendance.set_attendance(session, access=admin, meeting=the_meeting, stakeholder_id=meeting["other"].id,
                                  status="late")
    with pytest.raises(InvalidInput):
        attendance.set_attendance(session, access=admin, meeting=the_meeting, stakeholder_id=987654, status="present")
    session.rollback()
    with pytest.raises(Forbidden):
        attendance.set_attendance(session, access=access_to(session, meeting["member_subject"], meeting["group"].id),
                                  meeting=the_meeting, stakeholder_id=meeting["other"].id, status="absent")
    session.rollback()
    assert _count(session, Attendance, Attendance.status == "absent") == 0
