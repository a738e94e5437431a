"""A person's own data export, and anonymisation that leaves no trace of them."""

from sqlalchemy import MetaData, select

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from tests import factories
from tests.api.test_documents import PDF

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


def _meeting_history(client, person, seat, me):
    """As the group's secretary: a meeting they attend, an item they lead, minutes they write, an
    action they own and update, an interest they declare, a document they upload."""
    meeting = client.post(f"/api/v1/groups/{seat.group_id}/meetings", headers=me, json={
        "starts_at": "2024-05-01T10:00:00+01:00", "ends_at": "2024-05-01T12:00:00+01:00"}).json()
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=me,
                       json={"title": "Falls prevention", "lead_id": person.id}).json()
    client.put(f"/api/v1/meetings/{meeting['id']}/attendance", headers=me,
               json={"items": [{"stakeholder_id": person.id, "status": "present"}]})
    client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=me,
               json={"items": [{"agenda_item_id": item["id"], "text": "Strength and balance classes discussed."}]})
    action = client.post("/api/v1/actions", headers=me, json={
        "group_id": seat.group_id, "meeting_id": meeting["id"], "text": "Map classes", "owner_id": person.id}).json()
    client.post(f"/api/v1/actions/{action['id']}/updates", headers=me, json={"text": "Mapping started"})
    declared = client.post(f"/api/v1/meetings/{meeting['id']}/declarations", headers=me, json={
        "stakeholder_id": person.id, "agenda_item_id": item["id"], "kind": "non_financial_professional",
        "interest": "Trustee of a falls charity"})
    assert declared.status_code == 201, declared.text
    uploaded = client.post(f"/api/v1/meetings/{meeting['id']}/documents", headers=me,
                           files={"file": ("plan.pdf", PDF, "application/pdf")})
    assert uploaded.status_code == 201, uploaded.text
    return meeting, item, action


def test_export_holds_my_records(client, session):
    person, seat, _, me, admin = _person_with_history(client, session)
    meeting, item, action = _meeting_history(client, person, seat, me)
    client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": "Falls Prevention Lead"}, headers=admin)
    r = client.get("/api/v1/me/export", headers=me)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    data = r.json()
    assert data["account"]["email"] == EMAIL and "password_hash" not in data["account"]
    assert data["stakeholder"]["name"] == NAME
    assert [m["id"] for m in data["memberships"]] == [seat.id]
    assert [(a["meeting_id"], a["status"]) for a in data["attendance"]] == [(meeting["id"], "present")]
    assert [i["id"] for i in data["agenda_items_led"]] == [item["id"]]
    assert [a["id"] for a in data["actions_owned"]] == [action["id"]]
    assert [n["text"] for n in data["action_updates_written"]] == ["Mapping started"]
    assert [d["interest"] for d in data["declarations_of_interest"]] == ["Trustee of a falls charity"]
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
    meeting, _, action = _meeting_history(client, person, seat, me)
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
    # The meeting record stays whole, under the neutral label.
    kept = client.get(f"/api/v1/actions/{action['id']}", headers=admin).json()
    assert kept["owner_name"] == f"Former stakeholder {person.id}" and kept["updates"][0]["text"] == "Mapping started"
    minutes = client.get(f"/api/v1/meetings/{meeting['id']}/minutes", headers=admin).json()
    assert minutes["written_by"] == f"Former stakeholder {person.id}"
    attendance = client.get(f"/api/v1/meetings/{meeting['id']}/attendance", headers=admin).json()["items"]
    assert attendance[0]["stakeholder_name"] == f"Former stakeholder {person.id}"
    events = client.get("/api/v1/audit-events?action=stakeholder.anonymise", headers=admin).json()["items"]
    assert events[0]["actor_label"] == "boss@example.org"


def test_only_admins_anonymise(client, session):
    person, _, _, me, _ = _person_with_history(client, session)
    assert client.post(f"/api/v1/stakeholders/{person.id}/anonymise", headers=me).status_code == 403
    assert client.get(f"/api/v1/stakeholders/{person.id}", headers=me).json()["name"] == NAME
    assert client.post("/api/v1/stakeholders/999999/anonymise").status_code == 404
