"""A person's own data export, and anonymisation that leaves no trace of them."""

from sqlalchemy import MetaData, select

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from tests import factories

NAME, EMAIL, PASSWORD = "Zebedee Quartermain", "z.quartermain@example.org", "private-password-1"


def _person_with_history(client, session):
    person = factories.stakeholder(session, name=NAME, email=EMAIL, job_title="Falls Lead")
    group = factories.group(session)
    seat = factories.membership(session, group=group, stakeholder=person, role="secretary")
    user = auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
        "email": EMAIL, "password": PASSWORD, "stakeholder_id": person.id})
    admin = factories.stakeholder(session, email="boss@example.org")
    auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
        "email": "boss@example.org", "password": PASSWORD, "is_admin": True, "stakeholder_id": admin.id})
    session.commit()
    client.post("/api/v1/auth/token", data={"grant_type": "password", "username": EMAIL, "password": "wrong-one"})
    token = client.post("/api/v1/auth/token", data={"grant_type": "password", "username": EMAIL,
                                                    "password": PASSWORD}).json()["access_token"]
    admin_token = client.post("/api/v1/auth/token", data={"grant_type": "password", "username": "boss@example.org",
                                                          "password": PASSWORD}).json()["access_token"]
    return person, seat, user, {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {admin_token}"}


def test_export_holds_my_records(client, session):
    person, seat, _, me, admin = _person_with_history(client, session)
    client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": "Falls Prevention Lead"}, headers=admin)
    r = client.get("/api/v1/me/export", headers=me)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    data = r.json()
    assert data["account"]["email"] == EMAIL and "password_hash" not in data["account"]
    assert data["stakeholder"]["name"] == NAME
    assert [m["id"] for m in data["memberships"]] == [seat.id]
    actions = {e["action"] for e in data["audit_events"]}
    assert {"stakeholder.create", "stakeholder.update", "auth.sign_in", "auth.sign_in_failed"} <= actions
    logged = client.get("/api/v1/audit-events?action=privacy.export", headers=admin).json()["items"]
    assert len(logged) == 1


def _all_text(engine) -> str:
    chunks = []
    schema = MetaData()
    schema.reflect(engine)
    with engine.connect() as connection:
        for table in schema.sorted_tables:
            for row in connection.execute(select(table)):
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks).lower()


def test_anonymise_leaves_no_trace_and_keeps_records(client, session, engine):
    person, seat, _, me, admin = _person_with_history(client, session)
    client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": "Falls Prevention Lead"}, headers=admin)
    assert NAME.lower() in _all_text(engine)

    r = client.post(f"/api/v1/stakeholders/{person.id}/anonymise", headers=admin)
    assert r.status_code == 200
    assert r.json()["name"] == f"Former stakeholder {person.id}"

    everything = _all_text(engine)
    for trace in (NAME.lower(), EMAIL, "zebedee", "quartermain"):
        assert trace not in everything, trace
    seat_now = client.get(f"/api/v1/memberships/{seat.id}", headers=admin).json()
    assert seat_now["stakeholder_name"] == f"Former stakeholder {person.id}" and seat_now["role"] == "secretary"
    assert client.get("/api/v1/me", headers=me).status_code == 401
    events = client.get("/api/v1/audit-events?action=stakeholder.anonymise", headers=admin).json()["items"]
    assert events[0]["actor_label"] == "boss@example.org"


def test_only_admins_anonymise(client, session):
    person, _, _, me, _ = _person_with_history(client, session)
    assert client.post(f"/api/v1/stakeholders/{person.id}/anonymise", headers=me).status_code == 403
    assert client.get(f"/api/v1/stakeholders/{person.id}", headers=me).json()["name"] == NAME
    assert client.post("/api/v1/stakeholders/999999/anonymise").status_code == 404
