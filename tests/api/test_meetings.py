"""Meetings end to end through the API: the shape of the HCP meeting of 16 January 2024 (with
fictional people), the permissions around it, and the bad input it must refuse."""

import csv
import io
from datetime import date, timedelta

import icalendar
import pytest

from api.auth import service as auth_service
from tests import factories

JAN = {"starts_at": "2024-01-16T14:00:00+00:00", "ends_at": "2024-01-16T16:30:00+00:00"}
MARCH = {"starts_at": "2024-03-19T14:00:00+00:00", "ends_at": "2024-03-19T16:30:00+00:00"}
NINE_ITEMS = [
    "Welcome, Introductions and Apologies", "Declarations of Interest",
    "Minutes of last meeting and matters arising", "Action Log from previous meetings",
    "Sustainability Update", "All Together Fairer stocktake", "Alignment of All Together Fairer and the HCP strategy",
    "HCP - Current Regional Pressures", "Review of meeting",
]


@pytest.fixture
def hcp(session, app):
    """The HCP group with a chair, a secretary, members, a guest and an outsider, each with a token."""
    group = factories.group(session, name="Test Health and Care Partnership", kind="partnership", code="HCP")
    people = {}
    for key, role in [("chair", "chair"), ("secretary", "secretary"), ("member", "member"),
                      ("member2", "member"), ("observer", "observer"), ("outsider", None), ("guest", None)]:
        person, account = factories.person_with_account(session, f"hcp.{key}@example.org", name=f"Hcp {key.title()}")
        if role:
            factories.membership(session, group=group, stakeholder=person, role=role, start_date=date(2023, 1, 1))
        token = auth_service.user_token(app.state.settings, account).token
        people[key] = (person, {"Authorization": f"Bearer {token}"})
    session.commit()
    return group, people


def _meeting(client, group_id, headers, times=JAN, **extra):
    r = client.post(f"/api/v1/groups/{group_id}/meetings", json={**times, "venue_kind": "hybrid",
                                                                 "venue": "Lakeside, Warrington", **extra},
                    headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_the_january_2024_hcp_meeting_recorded_completely(client, hcp):
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    assert meeting["status"] == "scheduled" and meeting["sequence"] == 0

    items = []
    for title in NINE_ITEMS:
        r = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", json={"title": title}, headers=sec)
        assert r.status_code == 201, r.text
        items.append(r.json())
    assert [i["ref"] for i in items] == [f"HCP/01/24/{n:02d}" for n in range(1, 10)]

    present = [people["chair"][0].id, people["secretary"][0].id]
    r = client.put(f"/api/v1/meetings/{meeting['id']}/attendance", headers=sec, json={"items": [
        {"stakeholder_id": present[0], "status": "present"},
        {"stakeholder_id": present[1], "status": "present"},
        {"stakeholder_id": people["guest"][0].id, "status": "in_attendance", "note": "for item 5"},
        {"stakeholder_id": people["member"][0].id, "status": "apologies"},
        {"stakeholder_id": people["member2"][0].id, "status": "absent"},
    ]})
    assert r.status_code == 200
    assert sorted(a["status"] for a in r.json()["items"]) == ["absent", "apologies", "in_attendance", "present",
                                                              "present"]

    minute = {"agenda_item_id": items[1]["id"], "text": "There were **no** declarations of interest."}
    r = client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=sec,
                   json={"items": [minute, {"agenda_item_id": items[4]["id"], "text": "Green plan noted."}]})
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["version"] == 1
    assert r.json()["items"][0]["html"] == "<p>There were <strong>no</strong> declarations of interest.</p>\n"

    decision = client.post(f"/api/v1/meetings/{meeting['id']}/decisions", headers=sec, json={
        "agenda_item_id": items[6]["id"], "text": "The HCP endorsed aligning its strategy with All Together Fairer."})
    assert decision.status_code == 201 and decision.json()["decided_on"] == "2024-01-16"

    older = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "number": 35, "text": "Full financial update to a future agenda",
        "owner_id": people["member"][0].id, "due_date": "2024-01-16"})
    assert older.status_code == 201
    made = {}
    for number, item, text in [(40, items[7], "Homelessness and rough sleeping to a future agenda"),
                               (42, items[8], "Look at the pre-election period restrictions")]:
        r = client.post("/api/v1/actions", headers=sec, json={
            "group_id": group.id, "number": number, "meeting_id": meeting["id"], "agenda_item_id": item["id"],
            "text": text, "owner_id": people["chair"][0].id, "due_date": "2024-03-19"})
        assert r.status_code == 201, r.text
        made[number] = r.json()
    nxt = client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "text": "Next one"}).json()
    assert nxt["number"] == 43  # sequential after the highest, never reusing a number

    owner = people["chair"][1]
    r = client.post(f"/api/v1/actions/{made[40]['id']}/updates", headers=owner,
                    json={"date": "2024-02-28", "text": "Added to the forward plan.", "close": True})
    assert r.status_code == 201 and r.json()["status"] == "closed" and r.json()["closed_on"] == "2024-02-28"
    client.post(f"/api/v1/actions/{made[42]['id']}/updates", headers=owner,
                json={"date": "2024-03-01", "text": "March meeting going ahead, April cancelled.", "close": True})

    log = client.get(f"/api/v1/actions?group_id={group.id}").json()["items"]
    assert [(a["number"], a["status"]) for a in log] == [(35, "open"), (40, "closed"), (42, "closed"), (43, "open")]
    assert log[0]["overdue"] is True and log[1]["overdue"] is False
    assert log[1]["updates"] == [{"date": "2024-02-28", "text": "Added to the forward plan.",
                                  "author_id": people["chair"][0].id}]
    overdue = client.get(f"/api/v1/actions?group_id={group.id}&overdue=true").json()["items"]
    assert [a["number"] for a in overdue] == [35]

    exported = client.get(f"/api/v1/actions?group_id={group.id}&format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["number"] for r in rows] == ["35", "40", "42", "43"]
    assert rows[1]["status"] == "closed" and rows[1]["updates"] == "2024-02-28: Added to the forward plan."
    assert rows[1]["meeting_date"] == "2024-01-16" and rows[1]["owner"] == "Hcp Chair"

    # Approval by the March meeting freezes the text; a change after it is an amendment.
    march = _meeting(client, group.id, sec, times=MARCH)
    r = client.post(f"/api/v1/meetings/{meeting['id']}/minutes/approve", headers=people["chair"][1],
                    json={"approved_at_meeting_id": march["id"]})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["approved_at_meeting_id"] == march["id"]
    amended = client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=sec,
                         json={"items": [{**minute, "text": "No declarations of interest were made."}]})
    assert amended.json()["version"] == 2 and amended.json()["status"] == "draft"
    versions = client.get(f"/api/v1/meetings/{meeting['id']}/minutes/versions", headers=sec).json()["items"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "approved"), (2, "draft")]
    v1 = client.get(f"/api/v1/meetings/{meeting['id']}/minutes?version=1", headers=sec).json()
    assert v1["items"][0]["text"] == minute["text"]  # every version is kept

    # Non-members read the approved version, not the draft amendment.
    outside = people["outsider"][1]
    assert client.get(f"/api/v1/meetings/{meeting['id']}/minutes", headers=outside).json()["version"] == 1
    assert client.get(f"/api/v1/meetings/{meeting['id']}/minutes?version=2", headers=outside).status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting['id']}/minutes", headers=people["member"][1]).json()["version"] == 2

    client.post(f"/api/v1/meetings/{meeting['id']}/minutes/approve", headers=sec,
                json={"approved_at_meeting_id": march["id"]})
    assert client.post(f"/api/v1/meetings/{meeting['id']}/minutes/lock", headers=sec).status_code == 200
    locked = client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=sec, json={"items": [minute]})
    assert locked.status_code == 409 and "locked" in locked.json()["detail"]

    decisions = client.get(f"/api/v1/decisions?group_id={group.id}", headers=outside).json()["items"]
    assert [d["id"] for d in decisions] == [decision.json()["id"]]

    # The calendar feed, read by a real iCalendar parser.
    feed = icalendar.Calendar.from_ical(client.get(f"/api/v1/groups/{group.id}/meetings.ics", headers=outside).content)
    starts = sorted(e.decoded("DTSTART").isoformat() for e in feed.walk("VEVENT"))
    assert starts == ["2024-01-16T14:00:00+00:00", "2024-03-19T14:00:00+00:00"]
    # Search finds the locked minutes, the decision and the actions for everyone signed in.
    found = client.get("/api/v1/search", params={"q": "declarations"}, headers=outside).json()["items"]
    assert [h["kind"] for h in found] == ["minutes"]
    found = client.get("/api/v1/search", params={"q": "homelessness"}, headers=outside).json()["items"]
    assert {h["kind"] for h in found} == {"action"}


def test_only_officers_change_a_groups_business(client, hcp):
    group, people = hcp
    meeting = _meeting(client, group.id, people["secretary"][1])
    for who in ("member", "observer", "outsider"):
        headers = people[who][1]
        assert client.post(f"/api/v1/groups/{group.id}/meetings", json=MARCH, headers=headers).status_code == 403
        assert client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", json={"title": "x"},
                           headers=headers).status_code == 403
        assert client.patch(f"/api/v1/meetings/{meeting['id']}", json={"venue": "x"},
                            headers=headers).status_code == 403
        assert client.put(f"/api/v1/meetings/{meeting['id']}/attendance", json={"items": []},
                          headers=headers).status_code == 403
        assert client.post("/api/v1/actions", json={"group_id": group.id, "text": "x"},
                           headers=headers).status_code == 403
    # ...but everyone signed in reads it, and the chair (and an admin) may change it.
    assert client.get(f"/api/v1/meetings/{meeting['id']}", headers=people["outsider"][1]).status_code == 200
    r = client.patch(f"/api/v1/meetings/{meeting['id']}", json={"venue": "Online"}, headers=people["chair"][1])
    assert r.status_code == 200 and r.json()["sequence"] == 1
    assert client.patch(f"/api/v1/meetings/{meeting['id']}", json={"title": "Board"}).status_code == 200


def test_drafts_and_confidential_items_are_for_members_only(client, hcp):
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    public = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", json={"title": "Open"}, headers=sec).json()
    secret = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items",
                         json={"title": "Commercial in confidence", "confidential": True}, headers=sec).json()
    client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=sec, json={"items": [
        {"agenda_item_id": public["id"], "text": "Open minute"},
        {"agenda_item_id": secret["id"], "text": "Confidential minute"}]})
    client.post(f"/api/v1/meetings/{meeting['id']}/decisions", headers=sec,
                json={"agenda_item_id": secret["id"], "text": "A confidential decision"})
    action = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "meeting_id": meeting["id"], "agenda_item_id": secret["id"], "text": "Hush"}).json()

    for who, sees in [("member", True), ("secretary", True), ("observer", False), ("outsider", False)]:
        headers = people[who][1]
        titles = [i["title"] for i in client.get(f"/api/v1/meetings/{meeting['id']}/agenda-items",
                                                 headers=headers).json()["items"]]
        assert ("Commercial in confidence" in titles) is sees, who
        assert (client.get(f"/api/v1/agenda-items/{secret['id']}", headers=headers).status_code == 200) is sees
        minutes = client.get(f"/api/v1/meetings/{meeting['id']}/minutes", headers=headers)
        assert minutes.status_code == (200 if sees else 404), who  # a draft is members-only
        assert (client.get(f"/api/v1/actions/{action['id']}", headers=headers).status_code == 200) is sees
        decisions = client.get("/api/v1/decisions", headers=headers).json()["items"]
        assert (len(decisions) == 1) is sees, who
        log = client.get(f"/api/v1/actions?group_id={group.id}", headers=headers).json()["items"]
        assert (len(log) == 1) is sees, who


def test_bad_meeting_input_is_refused_and_writes_nothing(client, hcp):
    group, people = hcp
    sec = people["secretary"][1]
    reversed_times = {"starts_at": JAN["ends_at"], "ends_at": JAN["starts_at"]}
    assert client.post(f"/api/v1/groups/{group.id}/meetings", json=reversed_times, headers=sec).status_code == 422
    naive = {"starts_at": "2024-01-16T14:00:00", "ends_at": "2024-01-16T15:00:00"}
    assert client.post(f"/api/v1/groups/{group.id}/meetings", json=naive, headers=sec).status_code == 422
    meeting = _meeting(client, group.id, sec)
    overlap = {"starts_at": "2024-01-16T15:00:00+00:00", "ends_at": "2024-01-16T17:00:00+00:00"}
    assert client.post(f"/api/v1/groups/{group.id}/meetings", json=overlap, headers=sec).status_code == 409
    assert len(client.get(f"/api/v1/groups/{group.id}/meetings").json()["items"]) == 1

    url = f"/api/v1/meetings/{meeting['id']}"
    client.post(f"{url}/agenda-items", json={"title": "One", "ref": "HCP/01/24/01"}, headers=sec)
    dup = client.post(f"{url}/agenda-items", json={"title": "Two", "ref": "HCP/01/24/01"}, headers=sec)
    assert dup.status_code == 409
    outside_slot = client.post(f"{url}/agenda-items", json={"title": "Late", "starts_at": "2024-01-16T18:00:00+00:00"},
                               headers=sec)
    assert outside_slot.status_code == 422
    assert client.post(f"{url}/agenda-items", json={"title": "Who", "lead_id": 987654}, headers=sec).status_code == 422

    known = people["member"][0].id
    r = client.put(f"{url}/attendance", headers=sec, json={"items": [
        {"stakeholder_id": known, "status": "present"}, {"stakeholder_id": 987654, "status": "present"},
        {"stakeholder_id": known, "status": "absent"}]})
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["errors"]} == {("body", "items", 1, "stakeholder_id"),
                                                              ("body", "items", 2, "stakeholder_id")}
    assert client.get(f"{url}/attendance").json()["items"] == []
    assert client.put(f"{url}/attendance", headers=sec, json={"items": [
        {"stakeholder_id": known, "status": "asleep"}]}).status_code == 422

    early = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "meeting_id": meeting["id"], "text": "x", "due_date": "2024-01-01"})
    assert early.status_code == 422 and early.json()["errors"][0]["loc"] == ["body", "due_date"]
    client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "number": 7, "text": "first"})
    taken = client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "number": 7, "text": "again"})
    assert taken.status_code == 409
    other = factories_meeting_of_another_group(client)
    assert client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "meeting_id": other, "text": "x"}).status_code == 422

    bad_minutes = client.put(f"{url}/minutes", headers=sec, json={"items": [{"agenda_item_id": 987654, "text": "x"}]})
    assert bad_minutes.status_code == 422
    assert client.get(f"{url}/minutes", headers=sec).status_code == 404
    assert client.post(f"{url}/minutes/approve", headers=sec,
                       json={"approved_at_meeting_id": meeting["id"]}).status_code == 422

    etag = client.get(url).headers["etag"]
    client.patch(url, json={"venue": "Changed"}, headers=sec)
    stale = client.patch(url, json={"venue": "Again"}, headers={**sec, "If-Match": etag})
    assert stale.status_code == 412
    assert client.get(url).json()["venue"] == "Changed"


def factories_meeting_of_another_group(client) -> int:
    group = client.post("/api/v1/groups", json={"name": "Another Group", "kind": "thematic"}).json()
    return _meeting(client, group["id"], {}, times=MARCH)["id"]


def test_only_owners_officers_and_admins_update_actions(client, hcp):
    group, people = hcp
    sec = people["secretary"][1]
    action = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "text": "Do it", "owner_id": people["member"][0].id}).json()
    url = f"/api/v1/actions/{action['id']}/updates"
    assert client.post(url, json={"text": "not mine"}, headers=people["member2"][1]).status_code == 403
    assert client.post(url, json={"text": "done", "close": True}, headers=people["member"][1]).status_code == 201
    future = (date.today() + timedelta(days=3)).isoformat()
    assert client.post(url, json={"text": "later", "date": future}, headers=sec).status_code == 422


def test_cancelled_meetings_and_deleting(client, hcp):
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    cancelled = client.patch(f"/api/v1/meetings/{meeting['id']}", headers=sec,
                             json={"status": "cancelled", "cancel_reason": "Not quorate"}).json()
    assert cancelled["status"] == "cancelled" and cancelled["sequence"] == 1
    _meeting(client, group.id, sec)  # the slot is free again
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", json={"title": "x"}, headers=sec).json()
    client.post(f"/api/v1/meetings/{meeting['id']}/decisions", json={"text": "kept", "agenda_item_id": item["id"]},
                headers=sec)
    assert client.delete(f"/api/v1/meetings/{meeting['id']}", headers=sec).status_code == 409
    assert client.delete(f"/api/v1/agenda-items/{item['id']}", headers=sec).status_code == 409
    empty = _meeting(client, group.id, sec, times=MARCH)
    assert client.delete(f"/api/v1/meetings/{empty['id']}", headers=sec).status_code == 204
    assert client.get(f"/api/v1/meetings/{empty['id']}").status_code == 404


def test_meeting_template_agenda(client, hcp):
    group, people = hcp
    meeting = _meeting(client, group.id, people["secretary"][1], use_template=True)
    items = client.get(f"/api/v1/meetings/{meeting['id']}/agenda-items").json()["items"]
    assert items[0]["title"] == "Welcome, introductions and apologies" and items[0]["ref"] == "HCP/01/24/01"
    assert items[-1]["title"] == "Review of the meeting" and len(items) == 6


def test_action_log_costs_the_same_queries_for_more_actions(client, hcp, count_queries):
    group, people = hcp
    sec = people["secretary"][1]
    for n in range(3):
        client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "text": f"a{n}",
                                                          "owner_id": people["member"][0].id})
    with count_queries() as few:
        client.get("/api/v1/actions", headers=sec)
    for n in range(12):
        a = client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "text": f"b{n}",
                                                              "owner_id": people["chair"][0].id}).json()
        client.post(f"/api/v1/actions/{a['id']}/updates", headers=sec, json={"text": "note"})
    with count_queries() as many:
        assert len(client.get("/api/v1/actions", headers=sec).json()["items"]) == 15
    assert many.count == few.count


def test_attendance_rates_carried_forward_and_chair_summary(client, hcp, count_queries):
    group, people = hcp
    sec = people["secretary"][1]
    jan, march = _meeting(client, group.id, sec), _meeting(client, group.id, sec, times=MARCH)
    member, chair = people["member"][0].id, people["chair"][0].id
    client.put(f"/api/v1/meetings/{jan['id']}/attendance", headers=sec, json={"items": [
        {"stakeholder_id": member, "status": "present"}, {"stakeholder_id": chair, "status": "present"}]})
    client.put(f"/api/v1/meetings/{march['id']}/attendance", headers=sec, json={"items": [
        {"stakeholder_id": member, "status": "apologies"}, {"stakeholder_id": chair, "status": "in_attendance"}]})
    rates = {r["name"]: r for r in client.get(f"/api/v1/groups/{group.id}/attendance").json()["items"]}
    member_rate = rates["Hcp Member"]
    assert (member_rate["recorded"], member_rate["attended"], member_rate["rate"]) == (2, 1, 0.5)
    assert rates["Hcp Chair"]["rate"] == 1.0
    mine = client.get(f"/api/v1/stakeholders/{member}/attendance").json()["items"]
    assert [(r["name"], r["rate"]) for r in mine] == [("Test Health and Care Partnership", 0.5)]
    since = client.get(f"/api/v1/groups/{group.id}/attendance?since=2024-02-01").json()["items"]
    assert {r["name"]: r["recorded"] for r in since}["Hcp Member"] == 1

    item = client.post(f"/api/v1/meetings/{jan['id']}/agenda-items", headers=sec,
                       json={"title": "Finance", "lead_id": chair}).json()
    set_in_jan = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "meeting_id": jan["id"], "agenda_item_id": item["id"], "text": "Report back"}).json()
    closed = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "meeting_id": jan["id"], "text": "Done already", "status": "closed"}).json()
    client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "meeting_id": march["id"],
                                                      "text": "Set in March"})
    forward = client.get(f"/api/v1/meetings/{march['id']}/carried-forward").json()["items"]
    assert [a["id"] for a in forward] == [set_in_jan["id"]]  # open, earlier; not the closed or March one
    assert closed["closed_on"]

    client.put(f"/api/v1/meetings/{jan['id']}/minutes", headers=sec,
               json={"items": [{"agenda_item_id": item["id"], "text": "Finance *noted*."}]})
    client.post(f"/api/v1/meetings/{jan['id']}/decisions", headers=sec,
                json={"agenda_item_id": item["id"], "text": "Budget approved."})
    summary = client.get(f"/api/v1/meetings/{jan['id']}/summary", headers=sec).json()
    assert summary["group_name"] == "Test Health and Care Partnership"
    assert summary["attendance"] == {"present": 2, "in_attendance": 0, "apologies": 0, "absent": 0}
    assert summary["items"] == [{"ref": "HCP/01/24/01", "title": "Finance", "lead_name": "Hcp Chair",
                                 "minute_html": "<p>Finance <em>noted</em>.</p>\n"}]
    assert [d["text"] for d in summary["decisions"]] == ["Budget approved."]
    assert {a["text"] for a in summary["actions"]} == {"Report back", "Done already"}
    # the draft minutes are not in an outsider's summary
    outsider_view = client.get(f"/api/v1/meetings/{jan['id']}/summary", headers=people["outsider"][1]).json()
    assert outsider_view["items"][0]["minute_html"] is None

    with count_queries() as few:
        client.get(f"/api/v1/meetings/{jan['id']}/summary", headers=sec)
    for n in range(6):
        extra = client.post(f"/api/v1/meetings/{jan['id']}/agenda-items", headers=sec,
                            json={"title": f"Item {n}", "lead_id": member}).json()
        client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "meeting_id": jan["id"],
                                                          "agenda_item_id": extra["id"], "text": f"a{n}"})
        client.post(f"/api/v1/meetings/{jan['id']}/decisions", headers=sec, json={"text": f"d{n}"})
    with count_queries() as many:
        client.get(f"/api/v1/meetings/{jan['id']}/summary", headers=sec)
    assert many.count == few.count
