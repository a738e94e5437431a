"""Guests and declarations of interest on a meeting's page, as the group's chair: the attendance
form only once the meeting has started; guests added and removed (with a confirmation page);
declarations recorded (with mistakes kept on the form), shown in the minutes and the chair's
summary, and removed after a confirmation; each person's register of interests, linked from the
meeting and the people directory, never showing a confidential item to those who may not see it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from api.auth import service as auth_service
from api.meetings.models import Declaration, MeetingGuest
from tests import factories
from tests.web.conftest import hidden_field, sign_in

CHAIR = "decl.chair@example.org"
MEMBER = "decl.member@example.org"
OUTSIDER = "decl.outsider@example.org"


@pytest.fixture
def world(client, session, app):
    group = factories.group(session, name="Interests Group", kind="thematic", code="INT")
    chair, account = factories.person_with_account(session, CHAIR, name="Cleo Chair")
    member, _ = factories.person_with_account(session, MEMBER, name="Max Member")
    factories.person_with_account(session, OUTSIDER, name="Oona Outsider")
    factories.membership(session, group=group, stakeholder=chair, role="chair")
    factories.membership(session, group=group, stakeholder=member)
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    held = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Autumn", "starts_at": "2025-10-07T10:00:00+01:00", "ends_at": "2025-10-07T12:00:00+01:00"}).json()
    soon = (datetime.now(UTC) + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    future = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Next", "starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=2)).isoformat()}).json()
    item = client.post(f"/api/v1/meetings/{held['id']}/agenda-items", headers=headers,
                       json={"title": "Leisure centre contract"}).json()
    secret = client.post(f"/api/v1/meetings/{held['id']}/agenda-items", headers=headers,
                         json={"title": "Takeover of Hidden Gym", "confidential": True}).json()
    return {"group": group, "chair": chair, "member": member, "headers": headers, "held": held["id"],
            "future": future["id"], "item": item, "secret": secret}


def _browser(client_factory, email):
    browser = client_factory()
    assert sign_in(browser, email).status_code == 303
    browser.csrf = hidden_field(browser.get("/").text, "csrf_token")
    return browser


def _post(browser, url, data, *, htmx=False, csrf=True):
    body = {**data, **({"csrf_token": browser.csrf} if csrf else {})}
    return browser.post(url, data=body, headers={"HX-Request": "true"} if htmx else {}, follow_redirects=False)


def _count(session, model):
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_attendance_is_offered_only_once_the_meeting_has_started(client_factory, world):
    chair = _browser(client_factory, CHAIR)
    future = chair.get(f"/meetings/{world['future']}").text
    assert "Attendance can be recorded once the meeting has started, from " in future
    assert 'aria-label="Present: Max Member"' not in future and "Add guest" not in future
    refused = _post(chair, f"/meetings/{world['future']}/attendance/{world['member'].id}", {"status": "present"})
    assert refused.status_code == 422
    assert "Attendance can be recorded once the meeting has started" in refused.text
    held = chair.get(f"/meetings/{world['held']}").text
    assert 'aria-label="Present: Max Member"' in held and "Add guest" in held
    assert "Attendance can be recorded once" not in held


def test_a_guest_is_added_shown_in_attendance_and_removed_after_confirming(client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['held']}"
    missing = _post(chair, f"{url}/guests", {"name": "  ", "organisation": "Kept Org"})
    assert missing.status_code == 422 and "Enter the guest&#39;s name" in missing.text
    assert 'value="Kept Org"' in missing.text and "<title>Error: " in missing.text

    added = _post(chair, f"{url}/guests", {"name": "Gina Guest", "organisation": "Sport England"})
    assert added.status_code == 303 and added.headers["location"] == f"{url}?done=guest-added#guests-notice"
    page = chair.get(added.headers["location"]).text
    assert "Guest recorded." in page and "Gina Guest, Sport England" in page
    assert "In attendance (1)" in page and "Gina Guest (Sport England)" in page

    # htmx: the attendance section comes back with the form empty again.
    swapped = _post(chair, f"{url}/guests", {"name": "Hal Helper", "organisation": ""}, htmx=True)
    assert swapped.status_code == 200 and swapped.text.lstrip().startswith('<section id="attendance-section"')
    assert "Guest recorded." in swapped.text and "Hal Helper" in swapped.text
    assert re.search(r'<input[^>]*id="guest-name"[^>]*value=""', swapped.text)  # empty again

    guest = session.exec(select(MeetingGuest).where(MeetingGuest.name == "Gina Guest")).one()
    confirm = chair.get(f"{url}/guests/{guest.id}/remove")
    assert confirm.status_code == 200
    assert "Are you sure you want to remove Gina Guest (Sport England) from the guests in attendance?" in confirm.text
    assert f'href="{url}#guests-heading">Cancel</a>' in confirm.text
    assert _count(session, MeetingGuest) == 2  # asking changes nothing
    removed = _post(chair, f"{url}/guests/{guest.id}/remove", {})
    assert removed.status_code == 303 and removed.headers["location"] == f"{url}?done=guest-removed#guests-notice"
    assert _count(session, MeetingGuest) == 1
    assert "Guest removed." in chair.get(removed.headers["location"]).text

    # The summary lists the remaining guest in attendance.
    summary = chair.get(f"{url}/summary").text
    assert "Hal Helper" in summary and "Gina Guest" not in summary


def test_a_declaration_is_recorded_shown_and_removed(client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['held']}"
    page = chair.get(url).text
    assert "Declarations of interest" in page and "None declared." in page
    assert '<option value="financial">Financial interest</option>' in page

    mistakes = _post(chair, f"{url}/declarations", {"stakeholder_id": "", "kind": "", "interest": "",
                                                    "action_taken": "Kept action"})
    assert mistakes.status_code == 422
    for message in ("Choose the person declaring an interest", "Choose the kind of interest", "Describe the interest"):
        assert message in mistakes.text
    assert 'value="Kept action"' in mistakes.text

    outsider = session.exec(select(func.min(Declaration.id))).one()  # nothing yet
    assert outsider is None
    made = _post(chair, f"{url}/declarations", {
        "stakeholder_id": str(world["member"].id), "kind": "financial", "interest": "Director of Leisure Ltd",
        "agenda_item_id": str(world["item"]["id"]), "action_taken": "Left the room for this item"})
    assert made.status_code == 303 and made.headers["location"] == f"{url}?done=declaration#declarations-notice"
    page = chair.get(made.headers["location"]).text
    assert "Declaration of interest recorded." in page and "Director of Leisure Ltd" in page
    assert f'<a href="/people/{world["member"].id}/interests">Max Member</a>' in page

    # htmx, on the meeting as a whole: the section comes back, the form empty again.
    swapped = _post(chair, f"{url}/declarations", {"stakeholder_id": str(world["chair"].id),
                                                   "kind": "non_financial_personal",
                                                   "interest": "Volunteers at the parkrun"}, htmx=True)
    assert swapped.status_code == 200 and swapped.text.lstrip().startswith('<section id="declarations-section"')
    assert "The meeting as a whole" in swapped.text and "Declaration of interest recorded." in swapped.text
    assert '<textarea class="nhsuk-textarea" id="declaration-interest" name="interest" rows="2"' in swapped.text
    assert "Volunteers at the parkrun</textarea>" not in swapped.text

    # Shown in the minutes (read-only page) under the item, and in the chair's summary.
    member = _browser(client_factory, MEMBER)
    record = member.get(url).text
    assert "<h2 id=\"declarations-heading\">Declarations of interest</h2>" in record
    item_part = record[record.index(world["item"]["title"]):]
    assert "Declarations of interest:" in item_part and "Director of Leisure Ltd" in item_part
    summary = member.get(f"{url}/summary").text
    assert "Director of Leisure Ltd" in summary and "Left the room for this item" in summary

    declaration = session.exec(select(Declaration).where(Declaration.interest == "Director of Leisure Ltd")).one()
    confirm = chair.get(f"{url}/declarations/{declaration.id}/remove")
    assert confirm.status_code == 200
    assert "Are you sure you want to remove Max Member&#39;s declaration of interest on item" in confirm.text
    assert member.get(f"{url}/declarations/{declaration.id}/remove").status_code == 403
    assert _post(member, f"{url}/declarations/{declaration.id}/remove", {}).status_code == 403
    removed = _post(chair, f"{url}/declarations/{declaration.id}/remove", {})
    assert removed.status_code == 303
    assert _count(session, Declaration) == 1
    assert "Declaration of interest removed." in chair.get(removed.headers["location"]).text


def test_declaration_refusals_are_shown_on_the_form(client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['held']}"
    outsider = session.exec(select(factories.Stakeholder).where(factories.Stakeholder.email == OUTSIDER)).one()
    refused = _post(chair, f"{url}/declarations", {"stakeholder_id": str(outsider.id), "kind": "indirect",
                                                   "interest": "Kept interest"})
    assert refused.status_code == 422
    assert "Person must be a member of the group or recorded as present or in attendance" in refused.text
    assert "Kept interest</textarea>" in refused.text
    bad_kind = _post(chair, f"{url}/declarations", {"stakeholder_id": str(world["member"].id), "kind": "pecuniary",
                                                    "interest": "x"})
    assert bad_kind.status_code == 422 and "Choose the kind of interest" in bad_kind.text
    assert _count(session, Declaration) == 0
    member = _browser(client_factory, MEMBER)
    for htmx in (False, True):
        assert _post(member, f"{url}/declarations", {"stakeholder_id": str(world["member"].id), "kind": "financial",
                                                     "interest": "x"}, htmx=htmx).status_code == 403
        assert _post(member, f"{url}/guests", {"name": "Sneaky"}, htmx=htmx).status_code == 403
    assert _post(chair, f"{url}/declarations", {"stakeholder_id": str(world["member"].id), "kind": "financial",
                                                "interest": "x"}, csrf=False).status_code == 403
    assert _count(session, Declaration) == 0 and _count(session, MeetingGuest) == 0


def test_the_register_page_lists_declarations_and_hides_confidential_items(client_factory, client, world):
    headers, member = world["headers"], world["member"].id
    for item, interest in ((world["item"], "Director of Leisure Ltd"), (world["secret"], "Shares in Hidden Gym")):
        r = client.post(f"/api/v1/meetings/{world['held']}/declarations", headers=headers, json={
            "stakeholder_id": member, "kind": "financial", "interest": interest, "agenda_item_id": item["id"]})
        assert r.status_code == 201, r.text

    insider = _browser(client_factory, MEMBER).get(f"/people/{member}/interests")
    assert insider.status_code == 200
    assert "<h1>Register of interests</h1>" in insider.text and "Max Member" in insider.text
    assert "Shares in Hidden Gym" in insider.text and "Takeover of Hidden Gym" in insider.text
    assert f'<a href="/meetings/{world["held"]}">7 October 2025</a>' in insider.text
    assert "Interests Group" in insider.text and "Financial interest" in insider.text

    outsider = _browser(client_factory, OUTSIDER)
    page = outsider.get(f"/people/{member}/interests").text
    assert "Director of Leisure Ltd" in page and "Hidden Gym" not in page
    meeting = outsider.get(f"/meetings/{world['held']}").text
    assert "Director of Leisure Ltd" in meeting and "Hidden Gym" not in meeting
    assert "Hidden Gym" not in outsider.get(f"/meetings/{world['held']}/summary").text
    assert f'href="/people/{member}/interests"' in outsider.get("/people?q=Max").text
    assert outsider.get("/people/987654/interests").status_code == 404
    empty = outsider.get(f"/people/{world['chair'].id}/interests").text
    assert "No declarations of interest are recorded for Cleo Chair." in empty
