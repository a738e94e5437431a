from datetime import date, timedelta

from api.core.types import today
from tests import factories


def _setup(session):
    group = factories.group(session)
    person = factories.stakeholder(session)
    org = factories.organisation(session)
    session.commit()
    return group, person, org


def test_add_change_and_end_membership_keeps_history(client, session):
    group, person, org = _setup(session)
    r = client.post(f"/api/v1/groups/{group.id}/memberships", json={
        "stakeholder_id": person.id, "role": "chair", "start_date": "2023-01-10", "on_behalf_of_id": org.id,
    })
    assert r.status_code == 201, r.text
    seat = r.json()
    assert seat["is_current"] and seat["stakeholder_name"] == person.name

    ended = client.patch(f"/api/v1/memberships/{seat['id']}", json={"end_date": "2024-03-31"},
                         headers={"If-Match": r.headers["etag"]})
    assert ended.status_code == 200
    assert ended.json()["is_current"] is False

    current = client.get(f"/api/v1/groups/{group.id}/memberships").json()["items"]
    assert current == []
    history = client.get(f"/api/v1/groups/{group.id}/memberships?include_ended=true").json()["items"]
    assert [m["id"] for m in history] == [seat["id"]]

    # After the first seat ended, the same person may join again.
    again = client.post(f"/api/v1/groups/{group.id}/memberships",
                        json={"stakeholder_id": person.id, "start_date": "2024-04-01"})
    assert again.status_code == 201


def test_second_active_membership_is_409_and_nothing_written(client, session):
    group, person, _ = _setup(session)
    first = client.post(f"/api/v1/groups/{group.id}/memberships", json={"stakeholder_id": person.id})
    assert first.status_code == 201
    second = client.post(f"/api/v1/groups/{group.id}/memberships",
                         json={"stakeholder_id": person.id, "role": "vice_chair"})
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    items = client.get(f"/api/v1/groups/{group.id}/memberships?include_ended=true").json()["items"]
    assert len(items) == 1


def test_overlapping_historic_periods_conflict(client, session):
    group, person, _ = _setup(session)
    post = lambda body: client.post(f"/api/v1/groups/{group.id}/memberships",  # noqa: E731
                                    json={"stakeholder_id": person.id} | body)
    assert post({"start_date": "2022-01-01", "end_date": "2022-12-31"}).status_code == 201
    assert post({"start_date": "2022-06-01", "end_date": "2023-06-01"}).status_code == 409
    assert post({"start_date": "2022-12-31"}).status_code == 201  # starts the day the first ended


def test_future_end_date_is_current(client, session):
    group, person, _ = _setup(session)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    r = client.post(f"/api/v1/groups/{group.id}/memberships",
                    json={"stakeholder_id": person.id, "start_date": "2024-01-01", "end_date": tomorrow})
    assert r.json()["is_current"] is True
    assert len(client.get(f"/api/v1/groups/{group.id}/memberships").json()["items"]) == 1
    assert client.get(f"/api/v1/stakeholders?group_id={group.id}").json()["items"][0]["id"] == person.id


def test_bad_membership_input(client, session):
    group, person, _ = _setup(session)
    url = f"/api/v1/groups/{group.id}/memberships"
    assert client.post(url, json={"stakeholder_id": 999}).status_code == 422
    assert client.post(url, json={"stakeholder_id": person.id, "role": "king"}).status_code == 422
    assert client.post(url, json={"stakeholder_id": person.id, "start_date": "2024-02-30"}).status_code == 422
    r = client.post(url, json={"stakeholder_id": person.id, "start_date": "2024-05-01", "end_date": "2024-04-01"})
    assert r.status_code == 422
    assert client.post(url, json={"stakeholder_id": person.id, "on_behalf_of_id": 999}).status_code == 422
    assert client.post("/api/v1/groups/999/memberships", json={"stakeholder_id": person.id}).status_code == 404
    assert client.get(f"{url}?include_ended=true").json()["items"] == []


def test_patch_end_before_start_and_reopen_conflict(client, session):
    group, person, _ = _setup(session)
    old = factories.membership(session, group=group, stakeholder=person, start_date=date(2022, 1, 1),
                               end_date=date(2022, 12, 31))
    factories.membership(session, group=group, stakeholder=person, start_date=date(2023, 1, 1))
    session.commit()
    r = client.patch(f"/api/v1/memberships/{old.id}", json={"end_date": "2021-01-01"})
    assert r.status_code == 422
    reopen = client.patch(f"/api/v1/memberships/{old.id}", json={"end_date": None})
    assert reopen.status_code == 409
    assert client.get(f"/api/v1/memberships/{old.id}").json()["end_date"] == "2022-12-31"


def test_membership_writes_are_audited_with_before_and_after(client, session):
    group, person, _ = _setup(session)
    seat = client.post(f"/api/v1/groups/{group.id}/memberships", json={"stakeholder_id": person.id}).json()
    client.patch(f"/api/v1/memberships/{seat['id']}", json={"role": "secretary"})
    events = client.get(f"/api/v1/audit-events?entity_type=membership&entity_id={seat['id']}").json()["items"]
    assert [e["action"] for e in events] == ["membership.update", "membership.create"]
    assert events[0]["before"] == {"role": "member"} and events[0]["after"] == {"role": "secretary"}
    assert events[0]["actor_label"] and events[0]["occurred_at"] and events[0]["request_id"]
