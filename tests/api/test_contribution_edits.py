"""Changing and deleting a contribution: its maker or an admin, the same rules as logging one
(a date in the future is refused), audited; anyone else is refused and nothing changes."""

from datetime import timedelta

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.core.types import today
from api.outcomes.models import Contribution
from tests import factories


@pytest.fixture
def people(session, app):
    mine, account = factories.person_with_account(session, "edits.maker@example.org")
    _, other_account = factories.person_with_account(session, "edits.other@example.org")
    session.commit()
    settings = app.state.settings

    def bearer(user):
        return {"Authorization": f"Bearer {auth_service.user_token(settings, user).token}"}

    return mine, bearer(account), bearer(other_account)


@pytest.fixture
def logged(client, people):
    _, headers, _ = people
    response = client.post("/api/v1/contributions", headers=headers, json={
        "kind": "event", "description": "Ran a walking festival", "date": "2024-05-11", "people_reached": 120,
        "hours": 6, "place_code": "E08000012"})
    assert response.status_code == 201
    return response.json()


def _stored(session, contribution_id: int) -> Contribution | None:
    session.expire_all()
    return session.get(Contribution, contribution_id)


def test_the_maker_changes_only_the_fields_sent(client, session, people, logged):
    _, headers, _ = people
    response = client.patch(f"/api/v1/contributions/{logged['id']}", headers=headers,
                            json={"description": "Ran a walking and cycling festival", "date": "2024-05-12",
                                  "place_code": None})
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Ran a walking and cycling festival" and body["date"] == "2024-05-12"
    assert body["place_code"] is None and body["people_reached"] == 120 and body["kind"] == "event"
    stored = _stored(session, logged["id"])
    assert stored.contributed_on.isoformat() == "2024-05-12"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "contribution.update")).one()
    assert event.entity_id == str(logged["id"]) and event.before["description"] == "Ran a walking festival"


def test_a_date_in_the_future_is_refused_when_logging_and_when_changing(client, session, people, logged):
    _, headers, _ = people
    tomorrow = (today() + timedelta(days=1)).isoformat()
    added = client.post("/api/v1/contributions", headers=headers,
                        json={"kind": "event", "description": "Not yet", "date": tomorrow})
    assert added.status_code == 422 and added.headers["content-type"].startswith("application/problem+json")
    changed = client.patch(f"/api/v1/contributions/{logged['id']}", headers=headers, json={"date": tomorrow})
    assert changed.status_code == 422 and changed.headers["content-type"].startswith("application/problem+json")
    assert changed.json()["errors"] == [{"loc": ["body", "date"], "msg": "cannot be in the future"}]
    assert _stored(session, logged["id"]).contributed_on.isoformat() == "2024-05-11"
    assert client.patch(f"/api/v1/contributions/{logged['id']}", headers=headers,
                        json={"date": today().isoformat()}).status_code == 200


@pytest.mark.parametrize("body", [{"date": None}, {"kind": None}, {"description": ""}, {"kind": "party"},
                                  {"hours": -1}, {"place_code": "W06000001"}, {"group_id": 999999},
                                  {"stakeholder_id": 1}])
def test_bad_changes_are_422_and_change_nothing(client, session, people, logged, body):
    _, headers, _ = people
    response = client.patch(f"/api/v1/contributions/{logged['id']}", headers=headers, json=body)
    assert response.status_code == 422
    stored = _stored(session, logged["id"])
    assert stored.description == "Ran a walking festival" and stored.place_code == "E08000012"


def test_someone_else_may_neither_change_nor_delete_it_but_an_admin_may(client, session, people, logged):
    _, _, other = people
    assert client.patch(f"/api/v1/contributions/{logged['id']}", headers=other,
                        json={"description": "Mine now"}).status_code == 403
    assert client.delete(f"/api/v1/contributions/{logged['id']}", headers=other).status_code == 403
    assert _stored(session, logged["id"]).description == "Ran a walking festival"
    denials = session.exec(select(AuditEvent).where(AuditEvent.action == "authz.denied")).all()
    assert [e.entity_id for e in denials] == [f"contribution {logged['id']}"] * 2
    # The client fixture signs in as an admin.
    assert client.patch(f"/api/v1/contributions/{logged['id']}", json={"hours": 7}).json()["hours"] == 7
    assert client.delete(f"/api/v1/contributions/{logged['id']}").status_code == 204
    assert _stored(session, logged["id"]) is None


def test_the_maker_deletes_it_and_the_audit_log_keeps_what_it_said(client, session, people, logged):
    _, headers, _ = people
    response = client.delete(f"/api/v1/contributions/{logged['id']}", headers=headers)
    assert response.status_code == 204 and response.content == b""
    assert _stored(session, logged["id"]) is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "contribution.delete")).one()
    assert event.before["description"] == "Ran a walking festival"
    assert client.delete(f"/api/v1/contributions/{logged['id']}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/contributions/{logged['id']}", headers=headers, json={"hours": 1}).status_code == 404


def test_unknown_ids_are_404_and_the_statuses_are_declared(client, people):
    _, headers, _ = people
    assert client.patch("/api/v1/contributions/999999", headers=headers, json={"hours": 1}).status_code == 404
    assert client.delete("/api/v1/contributions/999999", headers=headers).status_code == 404
    spec = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/contributions/{contribution_id}"]
    assert {"200", "403", "404", "422"} <= set(spec["patch"]["responses"])
    assert {"204", "403", "404", "422"} <= set(spec["delete"]["responses"])
