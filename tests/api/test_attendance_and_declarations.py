"""Attendance only once a meeting has started; attendance rates over held meetings only; guests in
attendance who are not in the directory; declarations of interest per meeting and item, and each
person's register across meetings (a confidential item never leaks). Through the API, on
whichever database the suite runs on."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.meetings.models import Meeting
from tests import factories

PAST = {"starts_at": "2024-01-16T14:00:00+00:00", "ends_at": "2024-01-16T16:30:00+00:00"}
LATER_PAST = {"starts_at": "2024-03-19T14:00:00+00:00", "ends_at": "2024-03-19T16:30:00+00:00"}


def _future(days=10):
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}


@pytest.fixture
def world(session, app):
    """A group with a chair, secretary, two members and an observer; an outsider, a person in the
    directory who is not a member ("visitor"), an admin; a token for each."""
    group = factories.group(session, name="Declarations Group", kind="thematic", code="DCL")
    people = {}
    for key, role in [("chair", "chair"), ("secretary", "secretary"), ("member", "member"),
                      ("member2", "member"), ("observer", "observer"), ("outsider", None), ("visitor", None),
                      ("admin", None)]:
        person, account = factories.person_with_account(session, f"dcl.{key}@example.org", name=f"Dcl {key.title()}",
                                                        is_admin=key == "admin")
        if role:
            factories.membership(session, group=group, stakeholder=person, role=role, start_date=date(2023, 1, 1))
        token = auth_service.user_token(app.state.settings, account).token
        people[key] = (person, {"Authorization": f"Bearer {token}"})
    session.commit()
    return group, people


def _meeting(client, group, headers, times=PAST):
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json=times)
    assert made.status_code == 201, made.text
    return made.json()


def _cancel(session, meeting_id):
    meeting = session.get(Meeting, meeting_id)
    meeting.status = "cancelled"
    session.add(meeting)
    session.commit()


# Attendance only once the meeting has started ------------------------------------------------

def test_attendance_is_refused_before_the_meeting_starts_and_for_a_cancelled_meeting(client, session, world):
    group, people = world
    sec = people["secretary"][1]
    member = people["member"][0].id
    future = _meeting(client, group, sec, _future())
    body = {"items": [{"stakeholder_id": member, "status": "present"}]}
    early = client.put(f"/api/v1/meetings/{future['id']}/attendance", headers=sec, json=body)
    assert early.status_code == 409, early.text
    assert early.json()["detail"] == "Attendance can be recorded once the meeting has started."
    assert early.headers["content-type"].startswith("application/problem+json")
    # Officers only still comes first: a member is refused (403), not told about the time.
    assert client.put(f"/api/v1/meetings/{future['id']}/attendance", headers=people["member"][1],
                      json=body).status_code == 403
    assert client.get(f"/api/v1/meetings/{future['id']}/attendance", headers=sec).json()["items"] == []

    held = _meeting(client, group, sec)
    assert client.put(f"/api/v1/meetings/{held['id']}/attendance", headers=sec, json=body).status_code == 200
    _cancel(session, held["id"])
    cancelled = client.put(f"/api/v1/meetings/{held['id']}/attendance", headers=sec, json=body)
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json()["detail"]


def test_a_meeting_that_started_a_minute_ago_takes_attendance(client, world):
    group, people = world
    sec = people["secretary"][1]
    start = datetime.now(UTC) - timedelta(minutes=1)
    meeting = _meeting(client, group, sec, {"starts_at": start.isoformat(),
                                            "ends_at": (start + timedelta(hours=1)).isoformat()})
    r = client.put(f"/api/v1/meetings/{meeting['id']}/attendance", headers=sec, json={"items": [
        {"stakeholder_id": people["visitor"][0].id, "status": "in_attendance"}]})
    assert r.status_code == 200, r.text  # someone in the directory, not a member: in attendance
    assert r.json()["items"][0]["status"] == "in_attendance"


# Rates count held meetings only ------------------------------------------------------------------

def test_rates_count_held_meetings_only(client, session, world):
    group, people = world
    sec = people["secretary"][1]
    member = people["member"][0].id
    first, second = _meeting(client, group, sec), _meeting(client, group, sec, LATER_PAST)
    for meeting, status in ((first, "present"), (second, "apologies")):
        assert client.put(f"/api/v1/meetings/{meeting['id']}/attendance", headers=sec, json={"items": [
            {"stakeholder_id": member, "status": status}]}).status_code == 200
    # A cancelled meeting's old record, and a future meeting's record (written before it was
    # moved on), count for nothing.
    _cancel(session, second["id"])
    rates = {r["id"]: r for r in client.get(f"/api/v1/groups/{group.id}/attendance", headers=sec).json()["items"]}
    assert (rates[member]["recorded"], rates[member]["attended"], rates[member]["rate"]) == (1, 1, 1.0)

    future = _meeting(client, group, sec, _future(30))
    moved = session.get(Meeting, first["id"])
    moved.starts_at, moved.ends_at = (datetime.now(UTC) + timedelta(days=20),
                                      datetime.now(UTC) + timedelta(days=20, hours=2))
    session.add(moved)
    session.commit()
    assert future["id"] != first["id"]
    rates = client.get(f"/api/v1/groups/{group.id}/attendance", headers=sec).json()["items"]
    assert rates == []
    mine = client.get(f"/api/v1/stakeholders/{member}/attendance", headers=sec).json()["items"]
    assert mine == []


# Guests ----------------------------------------------------------------------------------------

def test_guests_are_recorded_listed_and_removed_by_officers(client, session, world):
    group, people = world
    sec, chair = people["secretary"][1], people["chair"][1]
    meeting = _meeting(client, group, sec)
    url = f"/api/v1/meetings/{meeting['id']}"
    made = client.post(f"{url}/guests", headers=chair, json={"name": "  Pat Guest ", "organisation": "Sport England"})
    assert made.status_code == 201, made.text
    guest = made.json()
    assert (guest["name"], guest["organisation"], guest["meeting_id"]) == ("Pat Guest", "Sport England", meeting["id"])
    assert client.post(f"{url}/guests", headers=sec, json={"name": "Sam Speaker"}).status_code == 201
    listed = client.get(f"{url}/guests", headers=people["outsider"][1]).json()
    assert [g["name"] for g in listed] == ["Pat Guest", "Sam Speaker"]
    attendance = client.get(f"{url}/attendance", headers=sec).json()
    assert [g["name"] for g in attendance["guests"]] == ["Pat Guest", "Sam Speaker"]
    summary = client.get(f"{url}/summary", headers=sec).json()
    assert {(g["name"], g["organisation"]) for g in summary["guests"]} == {("Pat Guest", "Sport England"),
                                                                          ("Sam Speaker", "")}
    # Refusals: a member and an observer (403), bad input (422), a future meeting (409).
    for who in ("member", "observer", "outsider"):
        assert client.post(f"{url}/guests", headers=people[who][1], json={"name": "X"}).status_code == 403
        assert client.delete(f"/api/v1/guests/{guest['id']}", headers=people[who][1]).status_code == 403
    for body in ({"name": ""}, {"name": "   "}, {"name": "A\x00B"}, {"name": "x" * 201}, {"name": "Ok", "extra": 1},
                 {"name": "Ok", "organisation": "y" * 201}):
        assert client.post(f"{url}/guests", headers=sec, json=body).status_code == 422, body
    future = _meeting(client, group, sec, _future())
    early = client.post(f"/api/v1/meetings/{future['id']}/guests", headers=sec, json={"name": "Too Soon"})
    assert early.status_code == 409
    assert early.json()["detail"] == "Attendance can be recorded once the meeting has started."

    assert client.delete(f"/api/v1/guests/{guest['id']}", headers=sec).status_code == 204
    assert client.delete(f"/api/v1/guests/{guest['id']}", headers=sec).status_code == 404
    assert [g["name"] for g in client.get(f"{url}/guests", headers=sec).json()] == ["Sam Speaker"]
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity_type == "meeting_guest")
                                               .order_by(AuditEvent.id))]
    assert actions == ["meeting_guest.create", "meeting_guest.create", "meeting_guest.delete"]


# Declarations ----------------------------------------------------------------------------------

def _declare(client, meeting_id, headers, **body):
    return client.post(f"/api/v1/meetings/{meeting_id}/declarations", headers=headers, json=body)


def test_declarations_are_recorded_on_a_meeting_and_its_items(client, session, world):
    group, people = world
    sec = people["secretary"][1]
    meeting = _meeting(client, group, sec)
    url = f"/api/v1/meetings/{meeting['id']}"
    item = client.post(f"{url}/agenda-items", headers=sec, json={"title": "Leisure contract"}).json()
    member = people["member"][0]
    made = _declare(client, meeting["id"], sec, stakeholder_id=member.id, kind="financial",
                    interest="Director of Leisure Co, a bidder", agenda_item_id=item["id"],
                    action_taken="Left the meeting for this item")
    assert made.status_code == 201, made.text
    declared = made.json()
    assert declared["stakeholder_name"] == "Dcl Member" and declared["agenda_item_ref"] == item["ref"]
    assert declared["agenda_item_title"] == "Leisure contract" and declared["kind"] == "financial"
    whole = _declare(client, meeting["id"], people["chair"][1], stakeholder_id=people["member2"][0].id,
                     kind="non_financial_personal", interest="Volunteers at a parkrun")
    assert whole.status_code == 201 and whole.json()["agenda_item_id"] is None

    # Someone recorded in attendance who is not a member may declare too, once recorded.
    visitor = people["visitor"][0].id
    refused = _declare(client, meeting["id"], sec, stakeholder_id=visitor, kind="indirect", interest="Spouse at LA")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "stakeholder_id"]
    client.put(f"{url}/attendance", headers=sec, json={"items": [{"stakeholder_id": visitor,
                                                                  "status": "in_attendance"}]})
    assert _declare(client, meeting["id"], sec, stakeholder_id=visitor, kind="indirect",
                    interest="Spouse works for the council").status_code == 201

    listed = client.get(f"{url}/declarations", headers=people["outsider"][1]).json()
    assert [d["stakeholder_name"] for d in listed] == ["Dcl Member2", "Dcl Visitor", "Dcl Member"]  # meeting first
    summary = client.get(f"{url}/summary", headers=sec).json()
    assert len(summary["declarations"]) == 3

    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "declaration")).all()
    assert [e.action for e in events] == ["declaration.create"] * 3


def test_declarations_refuse_bad_input_and_non_officers(client, session, world):
    group, people = world
    sec = people["secretary"][1]
    meeting, other = _meeting(client, group, sec), _meeting(client, group, sec, LATER_PAST)
    elsewhere = client.post(f"/api/v1/meetings/{other['id']}/agenda-items", headers=sec, json={"title": "Else"}).json()
    member = people["member"][0].id
    good = {"stakeholder_id": member, "kind": "financial", "interest": "Shares in a gym chain"}
    for who in ("member", "observer", "outsider"):
        assert _declare(client, meeting["id"], people[who][1], **good).status_code == 403
    cases = [
        ({**good, "kind": "pecuniary"}, "kind"),
        ({**good, "interest": "  "}, "interest"),
        ({**good, "interest": "x" * 2001}, "interest"),
        ({**good, "action_taken": "y" * 301}, "action_taken"),
        ({**good, "agenda_item_id": elsewhere["id"]}, "agenda_item_id"),
        ({**good, "agenda_item_id": 987654}, "agenda_item_id"),
        ({**good, "stakeholder_id": 987654}, "stakeholder_id"),
        ({**good, "stakeholder_id": people["outsider"][0].id}, "stakeholder_id"),
        ({**good, "interest": "bad\x00"}, "interest"),
    ]
    for body, field in cases:
        r = _declare(client, meeting["id"], sec, **body)
        assert r.status_code == 422, (body, r.text)
        assert ["body", field] in [e["loc"][:2] for e in r.json()["errors"]], (body, r.json())
    assert client.get(f"/api/v1/meetings/{meeting['id']}/declarations", headers=sec).json() == []

    # Nothing is declared at a cancelled meeting.
    _cancel(session, other["id"])
    assert _declare(client, other["id"], sec, **good).status_code == 409

    made = _declare(client, meeting["id"], sec, **good).json()
    for who in ("member", "observer", "outsider"):
        assert client.delete(f"/api/v1/declarations/{made['id']}", headers=people[who][1]).status_code == 403
    assert client.delete(f"/api/v1/declarations/{made['id']}", headers=people["admin"][1]).status_code == 204
    assert client.delete(f"/api/v1/declarations/{made['id']}", headers=sec).status_code == 404
    removed = session.exec(select(AuditEvent).where(AuditEvent.action == "declaration.delete")).one()
    assert removed.before["interest"] == "Shares in a gym chain"


def test_the_register_lists_a_persons_declarations_newest_first_and_hides_confidential_items(client, world):
    group, people = world
    sec = people["secretary"][1]
    january, march = _meeting(client, group, sec), _meeting(client, group, sec, LATER_PAST)
    secret = client.post(f"/api/v1/meetings/{march['id']}/agenda-items", headers=sec,
                         json={"title": "Acquisition of Secret Gym Ltd", "confidential": True}).json()
    open_item = client.post(f"/api/v1/meetings/{january['id']}/agenda-items", headers=sec,
                            json={"title": "Park run"}).json()
    member = people["member"][0].id
    _declare(client, january["id"], sec, stakeholder_id=member, kind="non_financial_professional",
             interest="Trustee of the parkrun charity", agenda_item_id=open_item["id"])
    _declare(client, march["id"], sec, stakeholder_id=member, kind="financial",
             interest="Owns shares in Secret Gym Ltd", agenda_item_id=secret["id"])
    _declare(client, march["id"], sec, stakeholder_id=member, kind="indirect", interest="Partner is a councillor")

    url = f"/api/v1/stakeholders/{member}/declarations"
    mine = client.get(url, headers=sec).json()
    assert [d["interest"] for d in mine["items"]] == ["Partner is a councillor", "Owns shares in Secret Gym Ltd",
                                                      "Trustee of the parkrun charity"]
    assert mine["items"][1]["agenda_item_title"] == "Acquisition of Secret Gym Ltd"
    assert mine["items"][0]["group_name"] == "Declarations Group"
    assert mine["items"][0]["meeting_starts_at"].startswith("2024-03-19")

    # Paged: one at a time, in the same order, with a Link to the next page.
    seen, cursor = [], None
    while True:
        page = client.get(url, headers=sec, params={"limit": 1, **({"cursor": cursor} if cursor else {})})
        seen += [d["interest"] for d in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
        assert 'rel="next"' in page.headers["link"]
    assert seen == [d["interest"] for d in mine["items"]]
    assert client.get(url, headers=sec, params={"cursor": "nonsense"}).status_code == 400

    for who in ("outsider", "observer", "member2", "admin"):  # observers do not see confidential items
        shown = client.get(url, headers=people[who][1])
        assert shown.status_code == 200
        if who in ("outsider", "observer"):
            assert "Secret Gym" not in shown.text and len(shown.json()["items"]) == 2
        else:
            assert "Secret Gym" in shown.text and len(shown.json()["items"]) == 3
    listed = client.get(f"/api/v1/meetings/{march['id']}/declarations", headers=people["outsider"][1])
    assert "Secret Gym" not in listed.text and len(listed.json()) == 1
    summary = client.get(f"/api/v1/meetings/{march['id']}/summary", headers=people["outsider"][1])
    assert "Secret Gym" not in summary.text
    hidden = client.get(url, headers=sec).json()["items"][1]["id"]
    assert client.delete(f"/api/v1/declarations/{hidden}", headers=people["outsider"][1]).status_code == 404
    assert client.get("/api/v1/stakeholders/987654/declarations", headers=sec).status_code == 404


def test_register_and_meeting_reads_take_a_fixed_number_of_queries(client, world, count_queries):
    group, people = world
    sec = people["secretary"][1]
    meeting = _meeting(client, group, sec)
    member = people["member"][0].id

    def measure():
        with count_queries() as counted:
            assert client.get(f"/api/v1/stakeholders/{member}/declarations", headers=sec).status_code == 200
            assert client.get(f"/api/v1/meetings/{meeting['id']}/declarations", headers=sec).status_code == 200
            assert client.get(f"/api/v1/meetings/{meeting['id']}/attendance", headers=sec).status_code == 200
        return counted.count

    _declare(client, meeting["id"], sec, stakeholder_id=member, kind="financial", interest="One")
    client.post(f"/api/v1/meetings/{meeting['id']}/guests", headers=sec, json={"name": "G1"})
    few = measure()
    for n in range(5):
        item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=sec,
                           json={"title": f"I{n}"}).json()
        _declare(client, meeting["id"], sec, stakeholder_id=member, kind="indirect", interest=f"More {n}",
                 agenda_item_id=item["id"])
        client.post(f"/api/v1/meetings/{meeting['id']}/guests", headers=sec, json={"name": f"G{n + 2}"})
    assert measure() == few


def test_every_declaration_kind_has_words():
    from typing import get_args

    from api.meetings.schemas import DeclarationKind
    from web.labels import AUDIT_TYPE_LABELS, DECLARATION_KIND_LABELS

    assert set(DECLARATION_KIND_LABELS) == set(get_args(DeclarationKind))
    assert {"meeting_guest", "declaration"} <= set(AUDIT_TYPE_LABELS)


def test_an_item_with_a_declaration_is_not_removed_silently(client, world):
    group, people = world
    sec = people["secretary"][1]
    meeting = _meeting(client, group, sec)
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=sec, json={"title": "Budget"}).json()
    _declare(client, meeting["id"], sec, stakeholder_id=people["member"][0].id, kind="financial",
             interest="Supplier", agenda_item_id=item["id"])
    removed = client.delete(f"/api/v1/agenda-items/{item['id']}", headers=sec)
    assert removed.status_code == 409, removed.text  # the declaration stays with its item
    assert len(client.get(f"/api/v1/meetings/{meeting['id']}/declarations", headers=sec).json()) == 1
