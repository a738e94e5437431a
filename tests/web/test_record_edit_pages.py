"""Changing and removing decisions and actions on the meeting page, approving the previous
minutes at the next meeting through a confirmation page, and the minutes' status (DRAFT on the
printable summary) for every reader."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from api.auth import service as auth_service
from api.meetings.models import Action, Decision, MinutesVersion
from tests import factories
from tests.web.conftest import hidden_field, sign_in

CHAIR = "record.chair@example.org"
MEMBER = "record.member@example.org"
OUTSIDER = "record.outsider@example.org"


@pytest.fixture
def world(client, session, app):
    """A group with a chair and a member; a November meeting with an item, draft minutes, a
    decision and an action; a later meeting (started) with a "Minutes of the last meeting" item;
    and one still to come."""
    group = factories.group(session, name="Record Group", kind="thematic", code="REC")
    chair, account = factories.person_with_account(session, CHAIR, name="Cleo Chair")
    member, _ = factories.person_with_account(session, MEMBER, name="Max Member")
    factories.person_with_account(session, OUTSIDER, name="Oona Outsider")
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2024, 1, 1))
    factories.membership(session, group=group, stakeholder=member, start_date=date(2024, 1, 1))
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}

    def meeting(start: datetime, title: str) -> dict:
        made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
            "title": title, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
        assert made.status_code == 201, made.text
        return made.json()

    november = meeting(datetime(2025, 11, 3, 14, tzinfo=UTC), "November")
    api = f"/api/v1/meetings/{november['id']}"
    item = client.post(f"{api}/agenda-items", headers=headers, json={"title": "Parks"}).json()
    assert client.put(f"{api}/minutes", headers=headers, json={"items": [
        {"agenda_item_id": item["id"], "text": "The **parks** plan was discussed."}]}).status_code == 200
    decision = client.post(f"{api}/decisions", headers=headers, json={"text": "Parks plan adopted."}).json()
    action = client.post("/api/v1/actions", headers=headers, json={
        "group_id": group.id, "meeting_id": november["id"], "text": "Publish the plan",
        "owner_id": member.id}).json()
    january = meeting(datetime(2026, 1, 12, 14, tzinfo=UTC), "January")
    minutes_item = client.post(f"/api/v1/meetings/{january['id']}/agenda-items", headers=headers,
                               json={"title": "Minutes of the last meeting"}).json()
    future = meeting((datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0), "Future")
    return {"group": group, "headers": headers, "november": november, "january": january, "future": future,
            "item": item, "decision": decision, "action": action, "minutes_item": minutes_item, "member": member}


def _browser(client_factory, email):
    browser = client_factory()
    assert sign_in(browser, email).status_code == 303
    browser.csrf = hidden_field(browser.get("/").text, "csrf_token")
    return browser


def _post(browser, url, data, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return browser.post(url, data={**data, "csrf_token": browser.csrf}, headers=headers, follow_redirects=False)


def _textarea(page: str, field_id: str) -> str:
    match = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {field_id}"
    return html.unescape(match.group(1))


# Recording: forms empty again, the result announced and focused -------------------------------

def test_after_recording_a_decision_and_an_action_the_forms_are_empty_and_focus_lands_on_them(
        client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['november']['id']}"
    answer = _post(chair, f"{url}/decisions", {"text": "Benches agreed."}, htmx=True)
    assert answer.status_code == 200
    made = session.exec(select(Decision).where(Decision.text == "Benches agreed.")).one()
    assert re.search(rf'<li id="decision-{made.id}" tabindex="-1" data-autofocus>', answer.text)
    assert _textarea(answer.text, "decision-text") == ""
    assert "Decision recorded." in answer.text  # the live region's message
    answer = _post(chair, f"{url}/actions", {"text": "Order benches", "owner_id": str(world["member"].id)}, htmx=True)
    assert answer.status_code == 200
    action = session.exec(select(Action).where(Action.text == "Order benches")).one()
    assert re.search(rf'<tr[^>]*id="action-{action.id}" tabindex="-1" data-autofocus>', answer.text)
    assert _textarea(answer.text, "action-text") == "" and "Action set." in answer.text
    # Without JavaScript: back to the page at the new record.
    plain = _post(chair, f"{url}/decisions", {"text": "Signs agreed."})
    newest = session.exec(select(Decision).where(Decision.text == "Signs agreed.")).one()
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"?done=decision#decision-{newest.id}")
    # A mistake keeps the typed text.
    wrong = _post(chair, f"{url}/actions", {"text": "Keep me", "due_date": "31/01/2027"})
    assert wrong.status_code == 422 and _textarea(wrong.text, "action-text") == "Keep me"


# Decisions ----------------------------------------------------------------------------------

def test_the_chair_changes_a_decision_inline(client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['november']['id']}"
    did = world["decision"]["id"]
    page = chair.get(url).text
    assert "Change decision 1" in page and f'href="{url}/decisions/{did}/remove"' in page
    answer = _post(chair, f"{url}/decisions/{did}", {"text": "Parks plan adopted, with benches.",
                                                      "agenda_item_id": str(world["item"]["id"]),
                                                      "decided_on": "2025-11-03"}, htmx=True)
    assert answer.status_code == 200 and "Decision changed." in answer.text
    assert re.search(rf'<li id="decision-{did}" tabindex="-1" data-autofocus>', answer.text)
    session.expire_all()
    decision = session.get(Decision, did)
    assert (decision.text, decision.agenda_item_id) == ("Parks plan adopted, with benches.", world["item"]["id"])
    wrong = _post(chair, f"{url}/decisions/{did}", {"text": "", "decided_on": "not a date"})
    assert wrong.status_code == 422 and wrong.text.count("Error:") >= 1
    assert "Enter the decision" in wrong.text and "Enter the date of the decision" in wrong.text
    assert "<details class=\"nhsuk-details\" open>" in wrong.text


def test_removing_a_decision_asks_first_and_then_removes_it(client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['november']['id']}"
    remove = f"{url}/decisions/{world['decision']['id']}/remove"
    confirm = chair.get(remove)
    assert confirm.status_code == 200
    assert "Are you sure you want to remove this decision?" in confirm.text
    assert "It will be deleted from the record; the audit log keeps it." in confirm.text
    assert "Parks plan adopted." in confirm.text and f'href="{url}#decision-{world["decision"]["id"]}"' in confirm.text
    assert "nhsuk-button--warning" in confirm.text
    done = _post(chair, remove, {})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=decision-removed#decisions-notice")
    session.expire_all()
    assert session.get(Decision, world["decision"]["id"]) is None
    assert "Decision removed." in chair.get(f"{url}?done=decision-removed").text


def test_decisions_of_approved_minutes_cannot_be_changed_on_the_page(client, client_factory, world):
    api = f"/api/v1/meetings/{world['november']['id']}/minutes/approve"
    assert client.post(api, headers=world["headers"],
                       json={"approved_at_meeting_id": world["january"]["id"]}).status_code == 200
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['november']['id']}"
    page = chair.get(url).text
    assert "Change decision 1" not in page and "start an amendment of the minutes first" in page
    remove = f"{url}/decisions/{world['decision']['id']}/remove"
    confirm = chair.get(remove).text
    assert "This cannot be done" in confirm and "Remove the decision" not in confirm
    refused = _post(chair, remove, {})
    assert refused.status_code == 409 and "amendment" in refused.text


# Actions ------------------------------------------------------------------------------------

def test_the_chair_changes_an_action_on_its_page(client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['november']['id']}"
    aid = world["action"]["id"]
    change = f"{url}/actions/{aid}/change"
    page = chair.get(change)
    assert page.status_code == 200 and "Change action 1" in page.text
    version = hidden_field(page.text, "version")
    wrong = _post(chair, change, {"text": "", "status": "open", "version": version, "due_date": "2020-01-01"})
    assert wrong.status_code == 422 and "Enter the action" in wrong.text
    done = _post(chair, change, {"text": "Publish the plan online", "owner_id": str(world["member"].id),
                                 "due_date": "2026-02-01", "status": "closed", "version": version})
    assert done.status_code == 303 and done.headers["location"].endswith(f"?done=action-changed#action-{aid}")
    session.expire_all()
    action = session.get(Action, aid)
    assert (action.text, action.status, action.due_date) == ("Publish the plan online", "closed", date(2026, 2, 1))
    stale = _post(chair, change, {"text": "Old page", "status": "open", "version": version})
    assert stale.status_code == 422 and "Someone else changed this action" in stale.text


def test_removing_an_action_asks_first_and_one_with_updates_is_closed_instead(client, client_factory, session,
                                                                              world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['november']['id']}"
    aid = world["action"]["id"]
    confirm = chair.get(f"{url}/actions/{aid}/remove").text
    assert "Are you sure you want to remove action 1?" in confirm and "Remove action 1" in confirm
    assert client.post(f"/api/v1/actions/{aid}/updates", headers=world["headers"],
                       json={"text": "Drafted."}).status_code == 201
    blocked = chair.get(f"{url}/actions/{aid}/remove").text
    assert "close it instead" in blocked and "Remove action 1</button>" not in blocked
    assert f'href="{url}/actions/{aid}/change"' in blocked
    refused = _post(chair, f"{url}/actions/{aid}/remove", {})
    assert refused.status_code == 409
    other = client.post("/api/v1/actions", headers=world["headers"], json={
        "group_id": world["group"].id, "meeting_id": world["november"]["id"], "text": "Set in error"}).json()
    done = _post(chair, f"{url}/actions/{other['id']}/remove", {})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=action-removed#actions-notice")
    session.expire_all()
    assert session.get(Action, other["id"]) is None and session.get(Action, aid) is not None


def test_only_officers_reach_the_edit_and_confirmation_pages(client_factory, world):
    url = f"/meetings/{world['november']['id']}"
    member = _browser(client_factory, MEMBER)
    for path in (f"{url}/decisions/{world['decision']['id']}/remove", f"{url}/actions/{world['action']['id']}/remove",
                 f"{url}/actions/{world['action']['id']}/change"):
        assert member.get(path).status_code == 403
    assert _post(member, f"{url}/decisions/{world['decision']['id']}/remove", {}).status_code == 403
    assert _post(member, f"/meetings/{world['january']['id']}/previous-minutes/approve", {}).status_code == 403


# Approval at the next meeting -----------------------------------------------------------------

def test_the_next_meeting_approves_the_minutes_with_amendments_after_confirming(client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['january']['id']}"
    page = chair.get(url).text
    item_block = page[page.index(f'id="item-{world["minutes_item"]["id"]}"'):]
    assert "Minutes of the meeting of 3 November 2025" in item_block
    assert "<strong>parks</strong> plan was discussed" in item_block  # rendered, sanitised Markdown
    assert "Approve as a correct record" in item_block and "Approve with amendments" in item_block
    # "With amendments" needs the amendments.
    empty = _post(chair, f"{url}/previous-minutes/confirm", {"kind": "amended", "amendments": " ", "version": "1"})
    assert empty.status_code == 422 and "Enter the amendments" in empty.text
    confirm = _post(chair, f"{url}/previous-minutes/confirm", {
        "kind": "amended", "amendments": "Item 1: benches, not tables.", "version": "1"})
    assert confirm.status_code == 200
    assert "Approve the minutes of the meeting of 3 November 2025 subject to these amendments?" in confirm.text
    assert "Once approved they can only be changed by an amendment." in confirm.text
    assert f'href="{url}#approval-heading"' in confirm.text  # Cancel
    assert session.exec(select(MinutesVersion.status)).all() == ["draft"]  # nothing done yet
    done = _post(chair, f"{url}/previous-minutes/approve", {"amendments": hidden_field(confirm.text, "amendments"),
                                                            "version": hidden_field(confirm.text, "version")})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=approved-previous#meeting-notice")
    session.expire_all()
    version = session.exec(select(MinutesVersion)).one()
    assert (version.status, version.approved_at_meeting_id, version.amendments) == (
        "approved", world["january"]["id"], "Item 1: benches, not tables.")
    after = chair.get(f"{url}?done=approved-previous").text
    assert "Minutes of the last meeting approved." in after and "Approve as a correct record" not in after
    reader = _browser(client_factory, OUTSIDER).get(f"/meetings/{world['november']['id']}").text
    assert "approved at the meeting of 12 January 2026 with amendments" in reader
    assert "Item 1: benches, not tables." in reader


def test_approval_as_a_correct_record_and_a_stale_confirmation(client_factory, client, session, world):
    chair = _browser(client_factory, CHAIR)
    url = f"/meetings/{world['january']['id']}"
    confirm = _post(chair, f"{url}/previous-minutes/confirm", {"kind": "correct", "version": "1"})
    assert "Approve the minutes of the meeting of 3 November 2025 as a correct record?" in confirm.text
    assert "Approve as a correct record</button>" in confirm.text
    stale = _post(chair, f"{url}/previous-minutes/approve", {"amendments": "", "version": "7"})
    assert stale.status_code == 422 and "now at version 1, not version 7" in stale.text
    done = _post(chair, f"{url}/previous-minutes/approve", {"amendments": "", "version": "1"})
    assert done.status_code == 303
    session.expire_all()
    assert session.exec(select(MinutesVersion.amendments)).one() == ""


def test_a_meeting_that_has_not_started_or_was_cancelled_says_when_approval_can_be_done(
        client, client_factory, session, world):
    chair = _browser(client_factory, CHAIR)
    # The January meeting's own minutes would be approved at the future one: not yet.
    future = f"/meetings/{world['future']['id']}"
    january_api = f"/api/v1/meetings/{world['january']['id']}"
    assert client.put(f"{january_api}/minutes", headers=world["headers"], json={"items": [
        {"agenda_item_id": world["minutes_item"]["id"], "text": "Approved."}]}).status_code == 200
    page = chair.get(future).text
    assert "The minutes can be approved here once this meeting has started" in page
    assert "Approve as a correct record" not in page
    refused = _post(chair, f"{future}/previous-minutes/confirm", {"kind": "correct", "version": "1"})
    assert refused.status_code == 422 and "once this meeting has started" in refused.text
    assert client.patch(f"/api/v1/meetings/{world['future']['id']}", headers=world["headers"],
                        json={"status": "cancelled", "cancel_reason": "No quorum"}).status_code == 200
    page = chair.get(future).text
    # A cancelled meeting is not "the next meeting": its previous one is still January, but it cannot approve.
    assert "This meeting was cancelled, so it cannot approve minutes." in page
    # The earlier meeting's page points to the next meeting instead of offering a form.
    november = chair.get(f"/meetings/{world['november']['id']}").text
    assert f'href="/meetings/{world["january"]["id"]}#approval-heading"' in november


# The minutes' status for every reader, and DRAFT on the printable summary ---------------------

def test_every_reader_sees_the_minutes_status_and_the_summary_is_marked_draft(client, client_factory, world):
    url = f"/meetings/{world['november']['id']}"
    for email, expected in ((MEMBER, "Draft minutes:</strong> not yet approved"),
                            (OUTSIDER, "<strong>Minutes:</strong> not yet approved")):
        reader = _browser(client_factory, email)
        assert expected in reader.get(url).text
        summary = reader.get(f"{url}/summary").text
        assert 'class="ata-draft-mark" aria-hidden="true">DRAFT</div>' in summary
        assert "this summary is a DRAFT" in summary and 'data-print-button="Print"' in summary
        assert "<button" not in summary.split('data-print-button="Print"')[1][:40]  # added by app.mjs only
    assert client.post(f"/api/v1/meetings/{world['november']['id']}/minutes/approve", headers=world["headers"],
                       json={"approved_at_meeting_id": world["january"]["id"]}).status_code == 200
    reader = _browser(client_factory, OUTSIDER)
    assert "approved at the meeting of 12 January 2026 as a correct record" in reader.get(url).text
    summary = reader.get(f"{url}/summary").text
    assert "ata-draft-mark" not in summary and "approved at the meeting of 12 January 2026" in summary
