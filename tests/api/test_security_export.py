"""A person's export holds their own records only, found by their ids, never by matching text
(issue 11, finding 2)."""

import json

from api.auth import service as auth_service
from tests import factories
from tests.factories import PASSWORD


def _token(client, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"grant_type": "password", "username": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _fail_sign_in(client, email: str) -> None:
    r = client.post("/api/v1/auth/token", data={"grant_type": "password", "username": email,
                                                "password": "not-the-password"})
    assert r.status_code in (400, 401), r.text


def _export(client, headers) -> dict:
    r = client.get("/api/v1/me/export", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_email_inside_another_accounts_email_brings_none_of_its_records(client, session):
    """`ctim@example.org` is inside `victim@example.org`: nothing of the victim's may reach ctim."""
    victim, victim_account = factories.person_with_account(session, "victim@example.org", name="Val Victim",
                                                           job_title="Safeguarding Lead")
    factories.person_with_account(session, "ctim@example.org", name="Cat Tim")
    session.commit()
    _fail_sign_in(client, "victim@example.org")
    _fail_sign_in(client, "VICTIM@example.org")
    _fail_sign_in(client, "ctim@example.org")
    _token(client, "victim@example.org")
    # An admin changes the victim's account and record (the events hold the victim's email).
    assert client.patch(f"/api/v1/users/{victim_account.id}", json={"is_admin": True}).status_code == 200
    assert client.patch(f"/api/v1/stakeholders/{victim.id}", json={"job_title": "Head of Safeguarding"}
                        ).status_code == 200

    data = _export(client, _token(client, "ctim@example.org"))
    text = json.dumps(data).lower()
    for trace in ("victim@", "val victim", "safeguarding"):
        assert trace not in text, trace
    failures = [e for e in data["audit_events"] if e["action"] == "auth.sign_in_failed"]
    assert [e["after"]["username"] for e in failures] == ["ctim@example.org"]

    mine = _export(client, _token(client, "victim@example.org"))
    failures = [e for e in mine["audit_events"] if e["action"] == "auth.sign_in_failed"]
    assert [e["after"]["username"] for e in failures] == ["victim@example.org"] * 2
    assert '"ctim@example.org"' not in json.dumps(mine) and "cat tim" not in json.dumps(mine).lower()


def test_a_draft_minute_that_mentions_me_is_not_in_my_export(client, session, app):
    """Minutes (drafts of a group I am not in, on a confidential item) are the group's record,
    not mine, even where they name me."""
    group = factories.group(session, code="SEC")
    secretary, account = factories.person_with_account(session, "sec.writer@example.org")
    factories.membership(session, group=group, stakeholder=secretary, role="secretary")
    factories.person_with_account(session, "pat.named@example.org", name="Pat Named")
    session.commit()
    sec = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=sec, json={
        "starts_at": "2024-05-01T10:00:00+01:00", "ends_at": "2024-05-01T12:00:00+01:00"}).json()
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=sec,
                       json={"title": "Complaint", "confidential": True}).json()
    r = client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=sec, json={"items": [
        {"agenda_item_id": item["id"], "text": "Complaint from pat.named@example.org: refer to the panel."}]})
    assert r.status_code == 200, r.text

    data = _export(client, _token(client, "pat.named@example.org"))
    text = json.dumps(data).lower()
    assert "refer to the panel" not in text and "complaint" not in text
    assert {e["action"] for e in data["audit_events"]} >= {"stakeholder.create", "user.create", "auth.sign_in"}


def test_my_own_records_are_all_there(client, session, app):
    group = factories.group(session, name="Falls Group")
    person, account = factories.person_with_account(session, "own.records@example.org", name="Olive Own")
    seat = factories.membership(session, group=group, stakeholder=person, role="secretary")
    session.commit()
    _fail_sign_in(client, "own.records@example.org")
    me = _token(client, "own.records@example.org")
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=me, json={
        "starts_at": "2024-05-01T10:00:00+01:00", "ends_at": "2024-05-01T12:00:00+01:00"}).json()
    assert client.put(f"/api/v1/meetings/{meeting['id']}/attendance", headers=me, json={"items": [
        {"stakeholder_id": person.id, "status": "present"}]}).status_code == 200
    contribution = client.post("/api/v1/contributions", headers=me, json={
        "kind": "event", "description": "Walking football taster", "date": "2024-04-20", "people_reached": 40})
    assert contribution.status_code == 201, contribution.text
    assert client.patch(f"/api/v1/memberships/{seat.id}", json={"end_date": "2030-01-01"}).status_code == 200

    data = _export(client, me)
    assert data["account"]["id"] == account.id and data["stakeholder"]["id"] == person.id
    assert [c["description"] for c in data["contributions"]] == ["Walking football taster"]
    assert data["contributions"][0]["people_reached"] == 40
    events = {(e["action"], e["entity_type"], e["entity_id"]) for e in data["audit_events"]}
    assert {("stakeholder.create", "stakeholder", str(person.id)), ("user.create", "user", str(account.id)),
            ("membership.create", "membership", str(seat.id)), ("membership.update", "membership", str(seat.id)),
            ("auth.sign_in", "user", str(account.id)), ("meeting.create", "meeting", str(meeting["id"])),
            ("contribution.create", "contribution", str(contribution.json()["id"]))} <= events
    assert [e["after"]["username"] for e in data["audit_events"]
            if e["action"] == "auth.sign_in_failed"] == ["own.records@example.org"]


def test_failed_sign_ins_from_before_the_account_held_its_email_are_not_mine(client, session):
    """Someone tried `later.address@` before any account had it: that attempt was against no one."""
    _fail_sign_in(client, "later.address@example.org")
    _, account = factories.person_with_account(session, "first.address@example.org")
    session.commit()
    assert client.patch(f"/api/v1/users/{account.id}", json={"email": "later.address@example.org"}
                        ).status_code == 200
    _fail_sign_in(client, "later.address@example.org")
    data = _export(client, _token(client, "later.address@example.org"))
    failures = [e for e in data["audit_events"] if e["action"] == "auth.sign_in_failed"]
    assert len(failures) == 1


def test_anonymising_ctim_leaves_victims_records_whole(client, session):
    """Anonymising replaces the person's identity where it stands whole, never inside another's."""
    _, victim_account = factories.person_with_account(session, "victim@example.org", name="Val Victim")
    ctim, _ = factories.person_with_account(session, "ctim@example.org", name="Cat Tim")
    session.commit()
    _fail_sign_in(client, "victim@example.org")
    assert client.post(f"/api/v1/stakeholders/{ctim.id}/anonymise").status_code == 200
    created = client.get("/api/v1/audit-events", params={"entity_type": "user", "entity_id": victim_account.id,
                                                         "action": "user.create"}).json()["items"]
    assert created[0]["after"]["email"] == "victim@example.org"
    failed = client.get("/api/v1/audit-events", params={"action": "auth.sign_in_failed"}).json()["items"]
    assert [e["after"]["username"] for e in failed] == ["victim@example.org"]
    own = client.get("/api/v1/audit-events", params={"entity_type": "stakeholder", "entity_id": ctim.id,
                                                     "action": "stakeholder.create"}).json()["items"]
    assert "ctim@example.org" not in json.dumps(own) and own[0]["after"]["name"] == f"Former stakeholder {ctim.id}"
