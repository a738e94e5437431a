"""Changing and removing decisions and actions, and approving minutes at the next meeting: the
rules, through the API (both databases)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.meetings.models import Action, Decision, MinutesVersion
from api.search.models import SearchDocument
from tests import factories

JAN = {"starts_at": "2024-01-16T14:00:00+00:00", "ends_at": "2024-01-16T16:30:00+00:00"}
MARCH = {"starts_at": "2024-03-19T14:00:00+00:00", "ends_at": "2024-03-19T16:30:00+00:00"}
MAY = {"starts_at": "2024-05-21T14:00:00+00:00", "ends_at": "2024-05-21T16:30:00+00:00"}


def _bearer(app, account) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}


@pytest.fixture
def board(session, app):
    """A group with a secretary and a member (each with a token), and another group with its own
    secretary."""
    group = factories.group(session, name="Edits Board", kind="board", code="EDB")
    other = factories.group(session, name="Other Board", kind="board", code="OTB")
    secretary, secretary_account = factories.person_with_account(session, "edits.sec@example.org")
    member, member_account = factories.person_with_account(session, "edits.member@example.org")
    stranger, stranger_account = factories.person_with_account(session, "edits.other@example.org")
    factories.membership(session, group=group, stakeholder=secretary, role="secretary", start_date=date(2023, 1, 1))
    factories.membership(session, group=group, stakeholder=member, start_date=date(2023, 1, 1))
    factories.membership(session, group=other, stakeholder=stranger, role="secretary", start_date=date(2023, 1, 1))
    session.commit()
    return {"group": group, "other": other, "member_id": member.id, "sec": _bearer(app, secretary_account),
            "member": _bearer(app, member_account), "stranger": _bearer(app, stranger_account)}


def _meeting(client, board, times=JAN, group=None) -> dict:
    group = group or board["group"]
    headers = board["sec"] if group is board["group"] else board["stranger"]
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json=times)
    assert made.status_code == 201, made.text
    return made.json()


def _soon(days: int) -> dict:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


@pytest.fixture
def recorded(client, board):
    """A January meeting with an item, draft minutes, a decision and an action."""
    sec = board["sec"]
    meeting = _meeting(client, board)
    url = f"/api/v1/meetings/{meeting['id']}"
    items = [client.post(f"{url}/agenda-items", headers=sec, json={"title": t}).json() for t in ("Budget", "Parks")]
    assert client.put(f"{url}/minutes", headers=sec, json={"items": [
        {"agenda_item_id": items[0]["id"], "text": "The budget was discussed."}]}).status_code == 200
    decision = client.post(f"{url}/decisions", headers=sec, json={"agenda_item_id": items[0]["id"],
                                                                  "text": "Budget agreed."}).json()
    action = client.post("/api/v1/actions", headers=sec, json={
        "group_id": board["group"].id, "meeting_id": meeting["id"], "text": "Publish the budget"}).json()
    return {"meeting": meeting, "url": url, "items": items, "decision": decision, "action": action}


# Decisions ----------------------------------------------------------------------------------

def test_an_officer_changes_a_decision_and_the_change_is_audited(client, session, board, recorded):
    decision = recorded["decision"]
    changed = client.patch(f"/api/v1/decisions/{decision['id']}", headers=board["sec"], json={
        "text": "Budget agreed, with a reserve.", "agenda_item_id": recorded["items"][1]["id"],
        "decided_on": "2024-01-17"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["text"] == "Budget agreed, with a reserve."
    assert changed.json()["agenda_item_id"] == recorded["items"][1]["id"]
    assert changed.json()["decided_on"] == "2024-01-17"
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "decision",
                                                   AuditEvent.entity_id == str(decision["id"]))).all()
    assert [e.action for e in events] == ["decision.create", "decision.update"]
    assert events[1].before["text"] == "Budget agreed." and events[1].after["text"] == "Budget agreed, with a reserve."
    found = client.get("/api/v1/search", params={"q": "reserve"}, headers=board["sec"]).json()["items"]
    assert [(h["kind"], h["id"]) for h in found] == [("decision", decision["id"])]


@pytest.mark.parametrize(("body", "field"), [
    ({"text": ""}, "text"), ({"text": None}, "text"), ({"decided_on": None}, "decided_on"),
    ({"agenda_item_id": 999_999}, "agenda_item_id"), ({"meeting_id": 1}, "meeting_id"),
])
def test_a_decision_change_refuses_bad_input(client, board, recorded, body, field):
    refused = client.patch(f"/api/v1/decisions/{recorded['decision']['id']}", headers=board["sec"], json=body)
    assert field in str(_problem(refused, 422)["errors"])


def test_a_decision_on_another_meetings_item_is_refused(client, board, recorded):
    later = _meeting(client, board, MARCH)
    item = client.post(f"/api/v1/meetings/{later['id']}/agenda-items", headers=board["sec"],
                       json={"title": "Elsewhere"}).json()
    refused = client.patch(f"/api/v1/decisions/{recorded['decision']['id']}", headers=board["sec"],
                           json={"agenda_item_id": item["id"]})
    assert _problem(refused, 422)["errors"][0]["loc"][-1] == "agenda_item_id"


def test_only_the_groups_officers_and_admins_change_or_remove_a_decision(client, board, recorded):
    url = f"/api/v1/decisions/{recorded['decision']['id']}"
    for headers in (board["member"], board["stranger"]):
        assert client.patch(url, headers=headers, json={"text": "No."}).status_code == 403
        assert client.delete(url, headers=headers).status_code == 403
    assert client.delete("/api/v1/decisions/999999", headers=board["sec"]).status_code == 404
    assert client.delete(url).status_code == 204  # the test client's admin


def test_an_officer_removes_a_decision_audited_and_gone_from_search(client, session, board, recorded):
    decision = recorded["decision"]
    kept = client.post(f"{recorded['url']}/decisions", headers=board["sec"], json={"text": "Parks kept."}).json()
    assert client.delete(f"/api/v1/decisions/{decision['id']}", headers=board["sec"]).status_code == 204
    session.expire_all()
    assert session.get(Decision, decision["id"]) is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "decision.delete")).one()
    assert event.before["text"] == "Budget agreed."
    listed = client.get(f"{recorded['url']}/decisions", headers=board["sec"]).json()["items"]
    assert [d["id"] for d in listed] == [kept["id"]]
    indexed = session.exec(select(SearchDocument.ref_id).where(SearchDocument.kind == "decision")).all()
    assert indexed == [kept["id"]]


def test_approved_minutes_freeze_the_decisions_until_an_amendment_is_started(client, board, recorded):
    later = _meeting(client, board, MARCH)
    url = f"/api/v1/decisions/{recorded['decision']['id']}"
    assert client.post(f"{recorded['url']}/minutes/approve", headers=board["sec"],
                       json={"approved_at_meeting_id": later["id"]}).status_code == 200
    refused = client.patch(url, headers=board["sec"], json={"text": "Changed after approval."})
    assert "amendment" in _problem(refused, 409)["detail"]
    assert _problem(client.delete(url, headers=board["sec"]), 409)
    # An amendment (a new draft version) opens the record again ...
    assert client.put(f"{recorded['url']}/minutes", headers=board["sec"], json={"items": [
        {"agenda_item_id": recorded["items"][0]["id"], "text": "The budget was agreed."}]}).json()["version"] == 2
    assert client.patch(url, headers=board["sec"], json={"text": "Budget agreed in full."}).status_code == 200
    # ... until it is approved and locked.
    may = _meeting(client, board, MAY)
    assert client.post(f"{recorded['url']}/minutes/approve", headers=board["sec"],
                       json={"approved_at_meeting_id": may["id"]}).status_code == 200
    assert client.post(f"{recorded['url']}/minutes/lock", headers=board["sec"]).status_code == 200
    locked = client.delete(url, headers=board["sec"])
    assert "locked" in _problem(locked, 409)["detail"]


# Actions ------------------------------------------------------------------------------------

def test_an_officer_removes_an_action_and_its_number_is_never_given_again(client, session, board, recorded):
    action = recorded["action"]
    for headers in (board["member"], board["stranger"]):
        assert client.delete(f"/api/v1/actions/{action['id']}", headers=headers).status_code == 403
    assert client.delete(f"/api/v1/actions/{action['id']}", headers=board["sec"]).status_code == 204
    session.expire_all()
    assert session.get(Action, action["id"]) is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "action.delete")).one()
    assert event.before["text"] == "Publish the budget"
    assert client.get(f"/api/v1/actions/{action['id']}", headers=board["sec"]).status_code == 404
    assert not session.exec(select(SearchDocument).where(SearchDocument.kind == "action")).all()
    again = client.post("/api/v1/actions", headers=board["sec"], json={
        "group_id": board["group"].id, "text": "Another action"})
    assert again.json()["number"] == action["number"] + 1
    reused = client.post("/api/v1/actions", headers=board["sec"], json={
        "group_id": board["group"].id, "text": "Same number", "number": action["number"]})
    assert _problem(reused, 409)


def test_an_action_with_updates_is_closed_not_removed(client, session, board, recorded):
    action = recorded["action"]
    assert client.post(f"/api/v1/actions/{action['id']}/updates", headers=board["sec"],
                       json={"text": "Drafted."}).status_code == 201
    refused = client.delete(f"/api/v1/actions/{action['id']}", headers=board["sec"])
    assert "close it instead" in _problem(refused, 409)["detail"]
    session.expire_all()
    assert session.get(Action, action["id"]) is not None


# Approval at the next meeting -----------------------------------------------------------------

def test_minutes_are_approved_with_amendments_at_a_later_meeting_that_has_started(client, board, recorded):
    later = _meeting(client, board, MARCH)
    approved = client.post(f"{recorded['url']}/minutes/approve", headers=board["sec"], json={
        "approved_at_meeting_id": later["id"], "amendments": "  Item 1: the reserve is £5,000.\n", "version": 1})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["amendments"] == "Item 1: the reserve is £5,000."
    read = client.get(f"{recorded['url']}/minutes", headers=board["member"]).json()
    assert read["amendments"] == "Item 1: the reserve is £5,000."
    versions = client.get(f"{recorded['url']}/minutes/versions", headers=board["sec"]).json()["items"]
    assert [(v["version"], v["amendments"]) for v in versions] == [(1, "Item 1: the reserve is £5,000.")]


def test_approval_as_a_correct_record_keeps_no_amendments(client, session, board, recorded):
    later = _meeting(client, board, MARCH)
    approved = client.post(f"{recorded['url']}/minutes/approve", headers=board["sec"],
                           json={"approved_at_meeting_id": later["id"]})
    assert approved.status_code == 200 and approved.json()["amendments"] == ""


def _refusal(client, board, recorded, later_id, **extra):
    response = client.post(f"{recorded['url']}/minutes/approve", headers=board["sec"],
                           json={"approved_at_meeting_id": later_id, **extra})
    return response


def test_approval_refuses_an_earlier_meeting_or_another_groups(client, session, board, recorded):
    earlier = _meeting(client, board, {"starts_at": "2023-11-07T14:00:00+00:00",
                                       "ends_at": "2023-11-07T16:00:00+00:00"})
    elsewhere = _meeting(client, board, MARCH, group=board["other"])
    for later_id in (earlier["id"], recorded["meeting"]["id"], elsewhere["id"], 999_999):
        problem = _problem(_refusal(client, board, recorded, later_id), 422)
        assert problem["errors"][0]["loc"] == ["body", "approved_at_meeting_id"]
        assert "must be a later meeting of the same group" in problem["errors"][0]["msg"]
    session.expire_all()
    assert session.exec(select(MinutesVersion.status)).all() == ["draft"]


def test_approval_refuses_a_cancelled_meeting(client, board, recorded):
    later = _meeting(client, board, MARCH)
    assert client.patch(f"/api/v1/meetings/{later['id']}", headers=board["sec"],
                        json={"status": "cancelled", "cancel_reason": "Not quorate"}).status_code == 200
    problem = _problem(_refusal(client, board, recorded, later["id"]), 422)
    assert "cancelled" in problem["errors"][0]["msg"]


def test_approval_refuses_a_meeting_that_has_not_started(client, session, board, recorded):
    future = _meeting(client, board, _soon(5))
    problem = _problem(_refusal(client, board, recorded, future["id"]), 409)
    assert "has not started yet" in problem["detail"]
    session.expire_all()
    assert session.exec(select(MinutesVersion.status)).all() == ["draft"]


def test_approval_refuses_a_stale_version_and_minutes_already_approved(client, board, recorded):
    later = _meeting(client, board, MARCH)
    assert "version 1, not version 3" in _problem(_refusal(client, board, recorded, later["id"], version=3),
                                                  409)["detail"]
    assert _refusal(client, board, recorded, later["id"]).status_code == 200
    assert "already approved" in _problem(_refusal(client, board, recorded, later["id"]), 409)["detail"]


def test_only_officers_approve_and_amendments_are_plain_text(client, board, recorded):
    later = _meeting(client, board, MARCH)
    assert client.post(f"{recorded['url']}/minutes/approve", headers=board["member"],
                       json={"approved_at_meeting_id": later["id"]}).status_code == 403
    refused = _refusal(client, board, recorded, later["id"], amendments="bad \x00 byte")
    assert _problem(refused, 422)["errors"][0]["loc"][-1] == "amendments"
    too_long = _refusal(client, board, recorded, later["id"], amendments="x" * 20_001)
    assert _problem(too_long, 422)["errors"][0]["loc"][-1] == "amendments"
