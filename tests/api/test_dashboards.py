"""The personal and group dashboards: what each person sees, what they must not, and a fixed
number of queries however many groups and actions there are."""

from datetime import UTC, date, datetime, timedelta

import pytest

from api.auth import service as auth_service
from tests import factories


def _iso(days: int, hour: int = 10) -> str:
    moment = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return moment.isoformat()


@pytest.fixture
def board(session, app):
    """A group with a chair and a member (who owns actions) and an outsider, each with a token."""
    group = factories.group(session, name="Test Evaluation Group", kind="working", code="EVAL")
    people = {}
    for key, role in [("chair", "chair"), ("member", "member"), ("outsider", None)]:
        person, account = factories.person_with_account(session, f"dash.{key}@example.org", name=f"Dash {key.title()}")
        if role:
            factories.membership(session, group=group, stakeholder=person, role=role, start_date=date(2023, 1, 1))
        token = auth_service.user_token(app.state.settings, account).token
        people[key] = (person, {"Authorization": f"Bearer {token}"})
    session.commit()
    return group, people


def _record(client, group, people, shift=0):
    """A past meeting with draft minutes, an upcoming and a cancelled one, and the member's actions."""
    chair = people["chair"][1]
    member_id = people["member"][0].id

    def meeting(days, **extra):
        r = client.post(f"/api/v1/groups/{group.id}/meetings", headers=chair,
                        json={"starts_at": _iso(days + shift), "ends_at": _iso(days + shift, 11), **extra})
        assert r.status_code == 201, r.text
        return r.json()

    past, upcoming = meeting(-30), meeting(14, title="Next evaluation meeting")
    meeting(7, status="cancelled", cancel_reason="No quorum")
    item = client.post(f"/api/v1/meetings/{past['id']}/agenda-items", json={"title": "Logic models"},
                       headers=chair).json()
    assert client.put(f"/api/v1/meetings/{past['id']}/minutes", headers=chair, json={
        "items": [{"agenda_item_id": item["id"], "text": "Draft: models agreed in principle."}]}).status_code == 200
    client.post(f"/api/v1/meetings/{past['id']}/decisions", json={"text": "Adopt the logic models."}, headers=chair)
    due = {"overdue": date.today() - timedelta(days=3), "later": date.today() + timedelta(days=20)}
    ids = {}
    for key, when in due.items():
        r = client.post("/api/v1/actions", headers=chair, json={"group_id": group.id, "text": f"Action {key}",
                                                                "owner_id": member_id, "due_date": when.isoformat()})
        assert r.status_code == 201, r.text
        ids[key] = r.json()["id"]
    done = client.post("/api/v1/actions", headers=chair, json={"group_id": group.id, "text": "Done already",
                                                               "owner_id": member_id}).json()
    assert client.patch(f"/api/v1/actions/{done['id']}", json={"status": "closed"}, headers=chair).status_code == 200
    return past, upcoming, ids


def test_my_dashboard_shows_my_groups_meetings_minutes_actions_and_contributions(client, board):
    group, people = board
    past, upcoming, ids = _record(client, group, people)
    member = people["member"][1]
    client.post("/api/v1/contributions", headers=member, json={
        "kind": "event", "description": "Ran a walking netball taster", "date": "2025-05-01", "people_reached": 30})

    body = client.get("/api/v1/dashboards/me", headers=member).json()
    assert body["groups"] == [{"id": group.id, "slug": group.slug, "name": group.name, "kind": "working",
                               "roles": ["member"]}]
    assert [m["id"] for m in body["upcoming_meetings"]] == [upcoming["id"]]  # not the cancelled one
    assert body["upcoming_meetings"][0]["group_name"] == group.name
    assert [(m["meeting"]["id"], m["status"]) for m in body["latest_minutes"]] == [(past["id"], "draft")]
    assert [a["id"] for a in body["open_actions"]] == [ids["overdue"], ids["later"]]
    assert body["open_actions"][0]["overdue"] and body["open_actions"][0]["group_name"] == group.name
    assert body["overdue_actions"] == 1
    assert body["contributions"]["logged"] == 1 and body["contributions"]["actions_owned"] == 3
    calendar = client.get(body["calendar_url"].replace("http://testserver", ""), headers={"Authorization": ""})
    assert calendar.status_code == 200 and "Next evaluation meeting" in calendar.text


def test_an_outsider_sees_an_empty_dashboard_and_only_published_group_business(client, board):
    group, people = board
    _record(client, group, people)
    outsider = people["outsider"][1]
    mine = client.get("/api/v1/dashboards/me", headers=outsider).json()
    assert (mine["groups"], mine["upcoming_meetings"], mine["latest_minutes"], mine["open_actions"]) == ([], [], [], [])
    theirs = client.get(f"/api/v1/dashboards/groups/{group.id}", headers=outsider).json()
    assert theirs["latest_minutes"] == []  # the minutes are still a draft
    assert theirs["members"] == 2 and theirs["members_by_role"] == {"chair": 1, "member": 1}
    members_view = client.get(f"/api/v1/dashboards/groups/{group.id}", headers=people["member"][1]).json()
    assert [m["status"] for m in members_view["latest_minutes"]] == ["draft"]
    assert members_view["recent_decisions"][0]["text"] == "Adopt the logic models."
    assert members_view["overdue_actions"] == 1 and len(members_view["open_actions"]) == 2
    assert len(members_view["upcoming_meetings"]) == 1


def test_dashboards_refuse_partners_and_unknown_groups(client, board, partner):
    reader, _ = partner
    assert client.get("/api/v1/dashboards/me", headers=reader).status_code == 403
    assert client.get("/api/v1/dashboards/groups/999999").status_code == 404
    assert client.get("/api/v1/dashboards/groups/0").status_code == 422


def test_my_dashboard_runs_a_fixed_number_of_queries(client, board, session, count_queries):
    group, people = board
    _record(client, group, people)
    member = people["member"][1]
    with count_queries() as small:
        assert client.get("/api/v1/dashboards/me", headers=member).status_code == 200
    member_person = people["member"][0]
    for n in range(3):
        extra = factories.group(session, name=f"Extra Group {n}", kind="working", code=f"X{n}")
        factories.membership(session, group=extra, stakeholder=member_person, role="member",
                             start_date=date(2023, 1, 1))
    session.commit()
    _record(client, group, people, shift=1)  # twice the meetings, minutes and actions
    with count_queries() as large:
        assert client.get("/api/v1/dashboards/me", headers=member).status_code == 200
    assert large.count == small.count
    with count_queries() as group_view:
        client.get(f"/api/v1/dashboards/groups/{group.id}", headers=member)
    assert group_view.count <= 16
