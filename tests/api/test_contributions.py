"""Contributions: logged by the person themselves, summarised with what the system knows."""

from datetime import date, timedelta

import pytest

from api.auth import service as auth_service
from tests import factories


@pytest.fixture
def me(session, app):
    person, account = factories.person_with_account(session, "contributor@example.org")
    other, other_account = factories.person_with_account(session, "someone.else@example.org")
    session.commit()
    settings = app.state.settings
    return (person, {"Authorization": f"Bearer {auth_service.user_token(settings, account).token}"}, other,
            {"Authorization": f"Bearer {auth_service.user_token(settings, other_account).token}"})


def test_log_and_summarise_my_contributions(client, session, me):
    person, headers, _other, other_headers = me
    group = factories.group(session, name="Contribution Group", kind="thematic", code="CG")
    factories.membership(session, group=group, stakeholder=person, role="secretary")
    session.commit()
    r = client.post("/api/v1/contributions", headers=headers, json={
        "kind": "event", "description": "Ran a walking festival", "date": "2024-05-11", "group_id": group.id,
        "place_code": "E08000012", "people_reached": 120, "hours": 6})
    assert r.status_code == 201 and r.json()["stakeholder_id"] == person.id and r.json()["date"] == "2024-05-11"
    client.post("/api/v1/contributions", headers=headers, json={
        "kind": "training", "description": "MECC session", "date": "2024-06-01", "people_reached": 15, "hours": 2.5})
    client.post("/api/v1/contributions", headers=other_headers, json={
        "kind": "other", "description": "Not mine", "date": "2024-06-01"})

    mine = client.get("/api/v1/contributions", headers=headers).json()["items"]
    assert [c["description"] for c in mine] == ["MECC session", "Ran a walking festival"]
    # someone else cannot list mine by asking for my id
    assert [c["description"] for c in client.get(f"/api/v1/contributions?stakeholder_id={person.id}",
                                                 headers=other_headers).json()["items"]] == ["Not mine"]
    assert len(client.get("/api/v1/contributions").json()["items"]) == 3  # an admin sees all

    # what the system knows: an action owned and closed, an item led, a meeting attended
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "starts_at": "2024-05-01T10:00:00+00:00", "ends_at": "2024-05-01T11:00:00+00:00"}).json()
    client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=headers,
                json={"title": "Festival", "lead_id": person.id})
    client.put(f"/api/v1/meetings/{meeting['id']}/attendance", headers=headers,
               json={"items": [{"stakeholder_id": person.id, "status": "present"}]})
    action = client.post("/api/v1/actions", headers=headers, json={"group_id": group.id, "text": "Book the park",
                                                                   "owner_id": person.id}).json()
    client.post(f"/api/v1/actions/{action['id']}/updates", headers=headers, json={"text": "Booked", "close": True})
    summary = client.get("/api/v1/me/contributions/summary", headers=headers).json()
    assert summary == {"logged": 2, "people_reached": 135, "hours": 8.5, "by_kind": {"event": 1, "training": 1},
                       "actions_owned": 1, "actions_closed": 1, "agenda_items_led": 1, "meetings_attended": 1}


def test_bad_contributions_are_refused(client, me):
    _person, headers, other, _ = me
    good = {"kind": "event", "description": "x", "date": "2024-05-11"}
    assert client.post("/api/v1/contributions", headers=headers, json={**good, "stakeholder_id": other.id}
                       ).status_code == 403
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert client.post("/api/v1/contributions", headers=headers, json={**good, "date": tomorrow}).status_code == 422
    assert client.post("/api/v1/contributions", headers=headers, json={**good, "kind": "party"}).status_code == 422
    assert client.post("/api/v1/contributions", headers=headers, json={**good, "group_id": 987654}).status_code == 422
    assert client.post("/api/v1/contributions", headers=headers,
                       json={**good, "place_code": "E92000001"}).status_code == 422
    assert client.post("/api/v1/contributions", headers=headers, json={**good, "hours": -1}).status_code == 422
    assert client.post("/api/v1/contributions", headers=headers, json={**good, "description": ""}).status_code == 422
    assert client.post("/api/v1/contributions", json=good).status_code == 422  # the test admin is no stakeholder
    assert client.get("/api/v1/contributions", headers=headers).json()["items"] == []
