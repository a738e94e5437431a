from datetime import timedelta

from api.core.types import utcnow
from api.meetings.models import Action, Attendance, Meeting
from tests import factories


def test_create_derives_initials_and_normalises_email(client, session):
    org = factories.organisation(session)
    session.commit()
    r = client.post("/api/v1/stakeholders", json={
        "name": "Dr Morwenna Quillfeather-Ash", "email": " M.Quill@Example.ORG ", "job_title": "Director",
        "organisation_id": org.id, "place_code": "E08000012", "system_leader_level": "local_champion",
    })
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["initials"] == "MQA"
    assert body["email"] == "m.quill@example.org"
    assert body["system_leader_level"] == "local_champion"


def test_duplicate_email_conflicts(client):
    assert client.post("/api/v1/stakeholders", json={"name": "A Person", "email": "a@example.org"}).status_code == 201
    r = client.post("/api/v1/stakeholders", json={"name": "B Person", "email": "A@example.org"})
    assert r.status_code == 409


def test_bad_bodies_are_rejected_with_problem_details(client):
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Ok", "email": "not-an-email"}, "email"),
        ({"name": "Ok", "system_leader_level": "emperor"}, "system_leader_level"),
        ({"name": "Ok", "organisation_id": "seven"}, "organisation_id"),
        ({"name": "Ok", "nickname": "extra"}, "nickname"),
        ({}, "name"),
    ]
    for body, field in cases:
        r = client.post("/api/v1/stakeholders", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["status"] == 422 and problem["title"] and problem["type"]
        assert any(field in e["loc"] for e in problem["errors"]), (body, problem)
    assert client.get("/api/v1/stakeholders").json()["items"] == []


def test_unknown_organisation_is_422_and_nothing_written(client):
    r = client.post("/api/v1/stakeholders", json={"name": "Ok", "organisation_id": 999})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"loc": ["body", "organisation_id"], "msg": "no organisation with this id"}]
    assert client.get("/api/v1/audit-events").json()["items"] == []


def test_patch_null_clears_optional_but_not_required(client, session):
    person = factories.stakeholder(session, job_title="Lead")
    session.commit()
    assert client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": None}).json()["job_title"] is None
    r = client.patch(f"/api/v1/stakeholders/{person.id}", json={"name": None})
    assert r.status_code == 422
    assert client.get(f"/api/v1/stakeholders/{person.id}").json()["name"] == person.name


def test_if_match_mismatch_is_412_and_changes_nothing(client, session):
    person = factories.stakeholder(session, name="Original Name")
    session.commit()
    r = client.patch(f"/api/v1/stakeholders/{person.id}", json={"name": "New"}, headers={"If-Match": '"999.9"'})
    assert r.status_code == 412
    assert r.headers["content-type"] == "application/problem+json"
    assert client.get(f"/api/v1/stakeholders/{person.id}").json()["name"] == "Original Name"
    r = client.delete(f"/api/v1/stakeholders/{person.id}", headers={"If-Match": '"999.9"'})
    assert r.status_code == 412


def test_if_none_match_gives_304(client, session):
    person = factories.stakeholder(session)
    session.commit()
    first = client.get(f"/api/v1/stakeholders/{person.id}")
    again = client.get(f"/api/v1/stakeholders/{person.id}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": "Changed"})
    assert client.get(f"/api/v1/stakeholders/{person.id}",
                      headers={"If-None-Match": first.headers["etag"]}).status_code == 200


def test_concurrent_edit_detected_by_version(client, session):
    """Two clients read version 1; the second write must not silently overwrite the first."""
    person = factories.stakeholder(session)
    session.commit()
    etag = client.get(f"/api/v1/stakeholders/{person.id}").headers["etag"]
    assert client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": "A"},
                        headers={"If-Match": etag}).status_code == 200
    r = client.patch(f"/api/v1/stakeholders/{person.id}", json={"job_title": "B"}, headers={"If-Match": etag})
    assert r.status_code == 412
    assert client.get(f"/api/v1/stakeholders/{person.id}").json()["job_title"] == "A"


def test_filters_by_organisation_place_group_and_level(client, session):
    org = factories.organisation(session)
    group = factories.group(session)
    a = factories.stakeholder(session, name="Alpha", organisation_id=org.id, place_code="E08000013")
    b = factories.stakeholder(session, name="Bravo", system_leader_level="ambassador")
    c = factories.stakeholder(session, name="Charlie")
    factories.membership(session, group=group, stakeholder=b)
    factories.membership(session, group=group, stakeholder=c, end_date=__import__("datetime").date(2024, 6, 1))
    session.commit()
    names = lambda url: [p["name"] for p in client.get(url).json()["items"]]  # noqa: E731
    assert names(f"/api/v1/stakeholders?organisation_id={org.id}") == ["Alpha"]
    assert names("/api/v1/stakeholders?place_code=E08000013") == [a.name]
    assert names(f"/api/v1/stakeholders?group_id={group.id}") == ["Bravo"]
    assert names("/api/v1/stakeholders?system_leader_level=ambassador") == ["Bravo"]
    assert names("/api/v1/stakeholders?q=arl") == ["Charlie"]


def test_delete_refused_when_membership_history_exists(client, session):
    person = factories.stakeholder(session)
    factories.membership(session, group=factories.group(session), stakeholder=person)
    session.commit()
    assert client.delete(f"/api/v1/stakeholders/{person.id}").status_code == 409
    lonely = factories.stakeholder(session)
    session.commit()
    assert client.delete(f"/api/v1/stakeholders/{lonely.id}").status_code == 204


def test_delete_refused_for_any_record_as_the_page_refuses_it(client, session):
    """Not only memberships: an account, attendance or an action held the person's id too, and
    the API once reached the database's foreign key with them (a bare 409 naming nothing). The
    rule is api/privacy.py's, the same the people page applies."""
    with_account, _ = factories.person_with_account(session, "kept.account@example.org", name="Ada Account")
    attending = factories.stakeholder(session, name="Ari Attending")
    owner = factories.stakeholder(session, name="Olu Owner")
    group = factories.group(session)
    meeting = Meeting(group_id=group.id, title="Spring meeting", starts_at=utcnow() - timedelta(days=3),
                      ends_at=utcnow() - timedelta(days=3, hours=-1), status="held")
    session.add(meeting)
    session.flush()
    session.add_all([Attendance(meeting_id=meeting.id, stakeholder_id=attending.id, status="present"),
                     Action(group_id=group.id, number=1, text="Write to schools", owner_id=owner.id)])
    session.commit()
    for person, words in ((with_account, "an account"), (attending, "attendance at a meeting"),
                          (owner, "an action they own")):
        refused = client.delete(f"/api/v1/stakeholders/{person.id}")
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert words in refused.json()["detail"] and "Anonymise" in refused.json()["detail"]
        assert client.get(f"/api/v1/stakeholders/{person.id}").status_code == 200


def test_unknown_and_malformed_ids(client):
    assert client.get("/api/v1/stakeholders/12345").status_code == 404
    assert client.get("/api/v1/stakeholders/abc").status_code == 422
    assert client.get("/api/v1/stakeholders/0").status_code == 422
    assert client.patch("/api/v1/stakeholders/12345", json={"name": "x"}).status_code == 404
