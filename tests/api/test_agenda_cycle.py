"""The agenda through the API: a group's standing items (the template), adding them to a meeting,
reordering with references renumbered consistently, removing with renumbering, and the agenda
frozen once the minutes are approved. Run on SQLite and PostgreSQL (the UNIQUE(meeting_id, ref)
constraint must hold while references move)."""

from datetime import date

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.meetings.meetings import AGENDA_TEMPLATE
from api.meetings.models import StandingItem
from tests import factories

JAN = {"starts_at": "2026-01-13T14:00:00+00:00", "ends_at": "2026-01-13T16:00:00+00:00"}
MARCH = {"starts_at": "2026-03-10T14:00:00+00:00", "ends_at": "2026-03-10T16:00:00+00:00"}


@pytest.fixture
def group(session, app):
    """A group (code HCP) with a chair, a member and an outsider, each with a bearer token."""
    made = factories.group(session, name="Agenda Test Partnership", kind="partnership", code="HCP")
    people = {}
    for key, role in [("chair", "chair"), ("member", "member"), ("outsider", None)]:
        person, account = factories.person_with_account(session, f"agenda.{key}@example.org", name=f"Ag {key}")
        if role:
            factories.membership(session, group=made, stakeholder=person, role=role, start_date=date(2024, 1, 1))
        people[key] = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    session.commit()
    return made, people


def _meeting(client, group_id, headers, times=JAN, **extra):
    r = client.post(f"/api/v1/groups/{group_id}/meetings", json={**times, **extra}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _add(client, meeting_id, headers, title, **extra):
    r = client.post(f"/api/v1/meetings/{meeting_id}/agenda-items", json={"title": title, **extra}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _agenda(client, meeting_id, headers):
    return [(i["id"], i["position"], i["ref"], i["title"])
            for i in client.get(f"/api/v1/meetings/{meeting_id}/agenda-items", headers=headers).json()["items"]]


# Standing items ----------------------------------------------------------------------------------

def test_a_group_without_standing_items_gets_the_standard_agenda_marked_default(client, group):
    made, people = group
    r = client.get(f"/api/v1/groups/{made.id}/standing-items", headers=people["member"])
    assert r.status_code == 200
    assert r.json()["default"] is True
    assert [(i["position"], i["title"], i["purpose"]) for i in r.json()["items"]] == [
        (n, title, purpose) for n, (title, purpose) in enumerate(AGENDA_TEMPLATE, 1)]
    assert client.get("/api/v1/groups/999999/standing-items", headers=people["member"]).status_code == 404


def test_officers_replace_the_standing_items_audited_and_empty_goes_back_to_default(client, session, group):
    made, people = group
    url = f"/api/v1/groups/{made.id}/standing-items"
    body = {"items": [{"title": "Welcome and apologies", "purpose": "For information"},
                      {"title": "Declarations of interest"}, {"title": "Any other business"}]}
    r = client.put(url, json=body, headers=people["chair"])
    assert r.status_code == 200, r.text
    assert r.json() == {"default": False, "items": [
        {"position": 1, "title": "Welcome and apologies", "purpose": "For information"},
        {"position": 2, "title": "Declarations of interest", "purpose": ""},
        {"position": 3, "title": "Any other business", "purpose": ""}]}
    assert client.get(url, headers=people["member"]).json() == r.json()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "group.standing_items")).one()
    assert event.entity_id == str(made.id) and event.before == {"standing_items": None}
    assert [i["title"] for i in event.after["standing_items"]] == [i["title"] for i in body["items"]]
    # The same list again changes nothing and records nothing.
    assert client.put(url, json=body, headers=people["chair"]).status_code == 200
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "group.standing_items")).all()) == 1
    # An empty list goes back to the standard agenda.
    r = client.put(url, json={"items": []}, headers=people["chair"])
    assert r.json()["default"] is True and len(r.json()["items"]) == len(AGENDA_TEMPLATE)
    session.expire_all()
    assert session.exec(select(StandingItem)).all() == []


@pytest.mark.parametrize(("body", "where"), [
    ({"items": [{"title": "AOB"}, {"title": " aob "}]}, ["body", "items", 1, "title"]),
    ({"items": [{"title": f"Item {n}"} for n in range(31)]}, ["body", "items"]),
    ({"items": [{"title": ""}]}, ["body", "items", 0, "title"]),
    ({"items": [{"title": "x" * 301}]}, ["body", "items", 0, "title"]),
    ({"items": [{"title": "Tab\there"}]}, ["body", "items", 0, "title"]),
    ({"items": [{"title": "Fine", "purpose": "p" * 201}]}, ["body", "items", 0, "purpose"]),
])
def test_standing_items_are_validated(client, session, group, body, where):
    made, people = group
    r = client.put(f"/api/v1/groups/{made.id}/standing-items", json=body, headers=people["chair"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert where in [e["loc"] for e in r.json()["errors"]]
    assert session.exec(select(StandingItem)).all() == []


def test_only_officers_and_admins_change_standing_items(client, anonymous_client, session, group):
    made, people = group
    url = f"/api/v1/groups/{made.id}/standing-items"
    body = {"items": [{"title": "Welcome"}]}
    for who in ("member", "outsider"):
        r = client.put(url, json=body, headers=people[who])
        assert r.status_code == 403, (who, r.text)
    assert session.exec(select(StandingItem)).all() == []
    assert client.put(url, json=body).status_code == 200  # the test client's own token is an admin's
    assert anonymous_client.get(url, headers={"Authorization": ""}).status_code == 401


# Adding the standing items to a meeting -----------------------------------------------------------

def test_adding_the_standing_items_adds_only_those_missing_at_the_end(client, group):
    made, people = group
    chair = people["chair"]
    client.put(f"/api/v1/groups/{made.id}/standing-items", headers=chair, json={"items": [
        {"title": "Welcome and apologies", "purpose": "For information"}, {"title": "Minutes of the last meeting"},
        {"title": "Any other business"}]})
    meeting = _meeting(client, made.id, chair)
    _add(client, meeting, chair, "minutes of the LAST meeting")  # already there (titles match loosely)
    _add(client, meeting, chair, "Budget", ref="HCP/BUDGET")
    r = client.post(f"/api/v1/meetings/{meeting}/agenda-items/standing", headers=chair)
    assert r.status_code == 201, r.text
    assert [(i["position"], i["ref"], i["title"], i["purpose"]) for i in r.json()["items"]] == [
        (3, "HCP/01/26/03", "Welcome and apologies", "For information"), (4, "HCP/01/26/04", "Any other business", "")]
    # Nothing missing: nothing added.
    again = client.post(f"/api/v1/meetings/{meeting}/agenda-items/standing", headers=chair)
    assert again.status_code == 201 and again.json()["items"] == []
    assert len(_agenda(client, meeting, chair)) == 4
    assert client.post(f"/api/v1/meetings/{meeting}/agenda-items/standing",
                       headers=people["member"]).status_code == 403


def test_a_new_meeting_from_the_template_uses_the_groups_standing_items(client, group):
    made, people = group
    chair = people["chair"]
    standard = _meeting(client, made.id, chair, use_template=True)
    assert [t for *_, t in _agenda(client, standard, chair)] == [title for title, _ in AGENDA_TEMPLATE]
    client.put(f"/api/v1/groups/{made.id}/standing-items", headers=chair,
               json={"items": [{"title": "Welcome"}, {"title": "Any other business"}]})
    own = _meeting(client, made.id, chair, times=MARCH, use_template=True)
    assert [(r, t) for _, _, r, t in _agenda(client, own, chair)] == [
        ("HCP/03/26/01", "Welcome"), ("HCP/03/26/02", "Any other business")]


# Reordering ---------------------------------------------------------------------------------------

def test_reordering_renumbers_generated_refs_and_keeps_custom_ones(client, session, group):
    made, people = group
    chair = people["chair"]
    meeting = _meeting(client, made.id, chair)
    a, b, c = (_add(client, meeting, chair, t)["id"] for t in ("Alpha", "Beta", "Gamma"))
    d = _add(client, meeting, chair, "Delta", ref="HCP/AOB")["id"]
    e = _add(client, meeting, chair, "Epsilon", confidential=True)["id"]
    r = client.put(f"/api/v1/meetings/{meeting}/agenda-order", headers=chair, json={"item_ids": [e, d, c, a, b]})
    assert r.status_code == 200, r.text
    expected = [(e, 1, "HCP/01/26/01", "Epsilon"), (d, 2, "HCP/AOB", "Delta"), (c, 3, "HCP/01/26/03", "Gamma"),
                (a, 4, "HCP/01/26/04", "Alpha"), (b, 5, "HCP/01/26/05", "Beta")]
    assert [(i["id"], i["position"], i["ref"], i["title"]) for i in r.json()["items"]] == expected
    assert _agenda(client, meeting, chair) == expected
    # A full reversal: every generated ref swaps with another's (the unique constraint holds).
    r = client.put(f"/api/v1/meetings/{meeting}/agenda-order", headers=chair, json={"item_ids": [b, a, c, d, e]})
    assert [i["ref"] for i in r.json()["items"]] == ["HCP/01/26/01", "HCP/01/26/02", "HCP/01/26/03", "HCP/AOB",
                                                     "HCP/01/26/05"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "agenda.reorder")
                         .order_by(AuditEvent.id.desc())).first()
    assert event.entity_type == "meeting" and event.entity_id == str(meeting)
    assert event.after == {"agenda": [[b, "HCP/01/26/01"], [a, "HCP/01/26/02"], [c, "HCP/01/26/03"],
                                      [d, "HCP/AOB"], [e, "HCP/01/26/05"]]}


@pytest.mark.parametrize("order", ["missing", "extra", "twice", "other", "empty"])
def test_the_new_order_must_list_exactly_the_meetings_items(client, group, order):
    made, people = group
    chair = people["chair"]
    meeting = _meeting(client, made.id, chair)
    other = _meeting(client, made.id, chair, times=MARCH)
    a, b = (_add(client, meeting, chair, t)["id"] for t in ("Alpha", "Beta"))
    foreign = _add(client, other, chair, "Elsewhere")["id"]
    ids = {"missing": [b], "extra": [b, a, foreign], "twice": [b, a, a], "other": [b, foreign],
           "empty": []}[order]
    before = _agenda(client, meeting, chair)
    r = client.put(f"/api/v1/meetings/{meeting}/agenda-order", headers=chair, json={"item_ids": ids})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert _agenda(client, meeting, chair) == before


def test_only_officers_reorder(client, group):
    made, people = group
    chair = people["chair"]
    meeting = _meeting(client, made.id, chair)
    a, b = (_add(client, meeting, chair, t)["id"] for t in ("Alpha", "Beta"))
    for who in ("member", "outsider"):
        r = client.put(f"/api/v1/meetings/{meeting}/agenda-order", headers=people[who], json={"item_ids": [b, a]})
        assert r.status_code == 403, who
    assert [t for *_, t in _agenda(client, meeting, chair)] == ["Alpha", "Beta"]
    assert client.put("/api/v1/meetings/999999/agenda-order", headers=chair, json={"item_ids": [a]}).status_code == 404


def test_refs_of_a_meeting_moved_to_another_month_stay_until_the_agenda_is_renumbered(client, group):
    made, people = group
    chair = people["chair"]
    meeting = _meeting(client, made.id, chair)
    a, b = (_add(client, meeting, chair, t)["id"] for t in ("Alpha", "Beta"))
    moved = client.patch(f"/api/v1/meetings/{meeting}", headers=chair, json=MARCH)
    assert moved.status_code == 200, moved.text
    assert [r for _, _, r, _ in _agenda(client, meeting, chair)] == ["HCP/01/26/01", "HCP/01/26/02"]
    r = client.put(f"/api/v1/meetings/{meeting}/agenda-order", headers=chair, json={"item_ids": [b, a]})
    assert [i["ref"] for i in r.json()["items"]] == ["HCP/03/26/01", "HCP/03/26/02"]


# Removing -----------------------------------------------------------------------------------------

def test_removing_an_item_renumbers_the_generated_refs_after_it(client, group):
    made, people = group
    chair = people["chair"]
    meeting = _meeting(client, made.id, chair)
    a, b, c, d = (_add(client, meeting, chair, t)["id"] for t in ("Alpha", "Beta", "Gamma", "Delta"))
    client.patch(f"/api/v1/agenda-items/{c}", headers=chair, json={"ref": "HCP/SPECIAL"})
    assert client.delete(f"/api/v1/agenda-items/{b}", headers=chair).status_code == 204
    assert _agenda(client, meeting, chair) == [(a, 1, "HCP/01/26/01", "Alpha"), (c, 2, "HCP/SPECIAL", "Gamma"),
                                               (d, 3, "HCP/01/26/03", "Delta")]
    # The next item added follows on.
    assert _add(client, meeting, chair, "Epsilon")["ref"] == "HCP/01/26/04"


# The agenda is the record once the minutes are approved ---------------------------------------------

def test_after_approval_the_agenda_cannot_be_reordered_added_to_or_removed_from(client, group):
    made, people = group
    chair = people["chair"]
    meeting = _meeting(client, made.id, chair)
    later = _meeting(client, made.id, chair, times=MARCH)
    a, b = (_add(client, meeting, chair, t)["id"] for t in ("Alpha", "Beta"))
    r = client.put(f"/api/v1/meetings/{meeting}/minutes", headers=chair,
                   json={"items": [{"agenda_item_id": a, "text": "Noted."}]})
    assert r.status_code in (200, 201), r.text
    # A draft does not freeze the agenda.
    assert client.put(f"/api/v1/meetings/{meeting}/agenda-order", headers=chair,
                      json={"item_ids": [b, a]}).status_code == 200
    r = client.post(f"/api/v1/meetings/{meeting}/minutes/approve", headers=chair,
                    json={"approved_at_meeting_id": later})
    assert r.status_code == 200, r.text
    before = _agenda(client, meeting, chair)
    refused = [
        client.put(f"/api/v1/meetings/{meeting}/agenda-order", headers=chair, json={"item_ids": [a, b]}),
        client.post(f"/api/v1/meetings/{meeting}/agenda-items", headers=chair, json={"title": "Late"}),
        client.post(f"/api/v1/meetings/{meeting}/agenda-items/standing", headers=chair),
        client.delete(f"/api/v1/agenda-items/{b}", headers=chair),
        client.patch(f"/api/v1/agenda-items/{b}", headers=chair, json={"ref": "HCP/NEW"}),
    ]
    assert [r.status_code for r in refused] == [409] * 5, [r.text for r in refused]
    assert "approved" in refused[0].json()["detail"]
    assert _agenda(client, meeting, chair) == before


def test_an_item_with_a_record_against_it_is_not_removed(client, group):
    made, people = group
    chair = people["chair"]
    meeting = _meeting(client, made.id, chair)
    a, b = (_add(client, meeting, chair, t)["id"] for t in ("Alpha", "Beta"))
    r = client.post(f"/api/v1/meetings/{meeting}/decisions", headers=chair, json={"agenda_item_id": a,
                                                                                  "text": "Agreed."})
    assert r.status_code == 201, r.text
    refused = client.delete(f"/api/v1/agenda-items/{a}", headers=chair)
    assert refused.status_code == 409 and "recorded against it" in refused.json()["detail"]
    assert [r for _, _, r, _ in _agenda(client, meeting, chair)] == ["HCP/01/26/01", "HCP/01/26/02"]
    assert client.delete(f"/api/v1/agenda-items/{b}", headers=people["member"]).status_code == 403
