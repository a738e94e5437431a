"""My dashboard and the action log as pages: inline action updates (htmx and plain forms),
logging a contribution, filters and CSV; mistakes re-render with the text kept."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.meetings.models import Action, ActionUpdate
from api.outcomes.models import Contribution
from tests import factories
from tests.web.conftest import hidden_field, sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def mine(signed_in, session):
    """The signed-in member's group, with two open actions of theirs (one overdue) and a colleague's."""
    client, me = signed_in
    group = factories.group(session, name="Test Workforce Group", kind="working", code="TWG")
    other = factories.stakeholder(session, name="Colleague Example", email="colleague@example.org")
    factories.membership(session, group=group, stakeholder=me, role="member", start_date=date(2023, 4, 1))
    factories.membership(session, group=group, stakeholder=other, role="chair", start_date=date(2023, 4, 1))
    old = factories.group(session, name="Test Old Group", kind="working", code="TOG")
    factories.membership(session, group=old, stakeholder=me, start_date=date(2022, 1, 1), end_date=date(2022, 12, 31))
    rows = [Action(group_id=group.id, number=n, text=text, owner_id=owner, due_date=due)
            for n, text, owner, due in [(1, "Map the training offer", me.id, date.today() - timedelta(days=5)),
                                        (2, "Draft the workforce survey", me.id, date.today() + timedelta(days=30)),
                                        (3, "Book the venue", other.id, None)]]
    session.add_all(rows)
    session.commit()
    return client, me, group, rows


def test_dashboard_shows_my_groups_actions_and_calendar(mine):
    client, _, _, _ = mine
    page = client.get("/")
    assert page.status_code == 200
    groups = page.text[page.text.index('id="my-groups"'):page.text.index('id="upcoming"')]
    assert "Test Workforce Group</a>: Member" in groups and "Groups I used to sit on (1)" in groups
    actions = page.text[page.text.index('id="my-actions"'):page.text.index('id="latest-minutes"')]
    assert "Map the training offer" in actions and "Draft the workforce survey" in actions
    assert "Book the venue" not in actions  # someone else's
    assert "2 open, <strong>1 overdue</strong>" in actions and "Overdue" in actions
    assert "/api/v1/me/meetings.ics?token=" in page.text


def test_posting_an_update_inline_returns_the_card_and_writes_it(mine, session):
    client, _, _, rows = mine
    token = hidden_field(client.get("/").text, "csrf_token")
    response = client.post(f"/actions/{rows[0].id}/updates", headers=HTMX,
                           data={"text": "Half the Places have replied.", "csrf_token": token, "next": "/"})
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="action-{rows[0].id}"' in response.text and "Update posted." in response.text
    assert "Half the Places have replied." in response.text
    closed = client.post(f"/actions/{rows[0].id}/updates", headers=HTMX,
                         data={"text": "All replied.", "close": "1", "csrf_token": token, "next": "/"})
    assert "Action closed." in closed.text and "Closed" in closed.text and "<form" not in closed.text
    session.expire_all()
    assert session.get(Action, rows[0].id).status == "closed"
    assert len(session.exec(select(ActionUpdate).where(ActionUpdate.action_id == rows[0].id)).all()) == 2


def test_without_javascript_an_update_redirects_and_a_blank_one_keeps_the_form(mine, session):
    client, _, _, rows = mine
    token = hidden_field(client.get("/").text, "csrf_token")
    done = client.post(f"/actions/{rows[1].id}/updates", follow_redirects=False,
                       data={"text": "Survey drafted.", "csrf_token": token, "next": "/"})
    assert done.status_code == 303 and done.headers["location"] == "/?done=updated"
    assert "Update posted." in client.get(done.headers["location"]).text
    blank = client.post(f"/actions/{rows[1].id}/updates", data={"text": "   ", "csrf_token": token, "next": "/"})
    assert blank.status_code == 422 and "There is a problem" in blank.text and "<html" in blank.text
    assert "Enter an update" in blank.text and "<title>Error: " in blank.text
    inline = client.post(f"/actions/{rows[1].id}/updates", headers=HTMX,
                         data={"text": "", "csrf_token": token, "next": "/"})
    assert inline.status_code == 422 and "nhsuk-error-message" in inline.text
    assert len(session.exec(select(ActionUpdate).where(ActionUpdate.action_id == rows[1].id)).all()) == 1


def test_updates_need_the_csrf_token_and_the_right_person(mine, session, client_factory, person):
    client, _, _, rows = mine
    assert client.post(f"/actions/{rows[0].id}/updates", data={"text": "x", "next": "/"}).status_code == 403
    stranger, _ = person("stranger@example.org")
    other = client_factory()
    assert sign_in(other, stranger.email).status_code == 303
    token = hidden_field(other.get("/").text, "csrf_token")
    refused = other.post(f"/actions/{rows[0].id}/updates", data={"text": "Not mine", "csrf_token": token})
    assert refused.status_code == 403
    assert client.post(f"/actions/{rows[0].id}/updates", data={"text": "x", "csrf_token": token}).status_code == 403
    assert session.exec(select(ActionUpdate)).all() == []
    # An offsite "next" is ignored.
    mine_token = hidden_field(client.get("/").text, "csrf_token")
    away = client.post(f"/actions/{rows[0].id}/updates", follow_redirects=False,
                       data={"text": "ok", "csrf_token": mine_token, "next": "https://evil.example/"})
    assert away.headers["location"] == "/?done=updated"


def test_logging_a_contribution_and_fixing_mistakes(mine, session):
    client, me, _, _ = mine
    token = hidden_field(client.get("/").text, "csrf_token")
    future = (date.today() + timedelta(days=3)).isoformat()
    wrong = client.post("/contributions", data={"kind": "event", "description": "Ran a taster session",
                                                "date": future, "people_reached": "-4", "csrf_token": token})
    assert wrong.status_code == 422 and "There is a problem" in wrong.text
    assert "Ran a taster session</textarea>" in wrong.text  # nothing typed is lost
    assert session.exec(select(Contribution)).all() == []
    ok = client.post("/contributions", follow_redirects=False, data={
        "kind": "event", "description": "Ran a taster session", "date": "2025-05-01", "people_reached": "40",
        "hours": "3", "csrf_token": token})
    assert ok.status_code == 303
    page = client.get(ok.headers["location"])
    assert "Contribution logged" in page.text and "reaching 40 people" in page.text
    [saved] = session.exec(select(Contribution)).all()
    assert saved.stakeholder_id == me.id and saved.people_reached == 40


def test_action_log_filters_and_csv(mine):
    client, _, group, _ = mine
    everything = client.get("/actions")
    assert everything.status_code == 200 and everything.text.count("<tr>") == 4  # header + 3
    mine_only = client.get("/actions?owner=me&overdue=true")
    assert "Map the training offer" in mine_only.text and "Draft the workforce survey" not in mine_only.text
    assert "Book the venue" not in mine_only.text
    fragment = client.get(f"/actions?group={group.id}&status=open", headers=HTMX)
    assert "<html" not in fragment.text and "Book the venue" in fragment.text
    download = client.get("/actions.csv?owner=me")
    rows = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert {r["action"] for r in rows} == {"Map the training offer", "Draft the workforce survey"}
    assert client.get("/actions?owner=everyone").status_code == 422


def test_the_action_log_filter_form_submitted_as_it_opens_filters_nothing_out(mine):
    # The form's blank "All groups" option arrives as `group=`: it means any group, not a bad id.
    client, _, group, _ = mine
    as_opened = client.get("/actions?owner=all&group=&status=open&sort=group")
    assert as_opened.status_code == 200 and as_opened.text.count("<tr>") == 4
    assert client.get("/actions.csv?owner=all&group=&status=").status_code == 200
    assert "Book the venue" in client.get(f"/actions?owner=all&group={group.id}&status=open").text
    for bad in ("abc", "0", str(2**31)):
        refused = client.get(f"/actions?owner=all&group={bad}&status=open")
        assert refused.status_code == 422 and "There is a problem" in refused.text


def test_action_log_sorts_and_pages_through_every_order(mine, session):
    client, me, group, rows = mine
    # More than a page (25), with undated actions and shared due dates, so paging crosses them.
    extra = [Action(group_id=group.id, number=10 + n, text=f"Extra action {n:02d}", owner_id=me.id,
                    due_date=None if n % 3 == 0 else date.today() + timedelta(days=n % 5)) for n in range(30)]
    session.add_all(extra)
    session.commit()
    everyone = rows + extra

    def walk(sort: str) -> list[str]:
        seen, url = [], f"/actions?owner=all&status=open&sort={sort}"
        while url:
            page = client.get(url)
            assert page.status_code == 200
            seen += re.findall(r"<td>(?:<a [^>]*>)?((?:Extra action \d\d)|Map the training offer|"
                               r"Draft the workforce survey|Book the venue)", page.text)
            more = re.search(r'href="(/actions\?[^"]*cursor=[^"]*)"', page.text)
            url = more.group(1).replace("&amp;", "&") if more else None
            assert url is None or f"sort={sort}" in url or sort == "group"
        return seen

    by_due = walk("due")
    dated = sorted((a for a in everyone if a.due_date), key=lambda a: (a.due_date, a.id))
    undated = sorted((a for a in everyone if a.due_date is None), key=lambda a: a.id)
    assert by_due == [a.text for a in dated + undated]
    assert walk("newest") == [a.text for a in sorted(everyone, key=lambda a: -a.id)]
    assert walk("group") == [a.text for a in sorted(everyone, key=lambda a: a.number)]
    assert "sorted by due date, soonest first" in client.get("/actions?sort=due").text
    assert client.get("/actions?sort=sideways").status_code == 422


def test_api_action_log_sort_by_due_date_pages_undated_last(mine, session, client_factory):
    _, me, _, _ = mine
    api = client_factory()
    account = session.exec(select(UserAccount).where(UserAccount.stakeholder_id == me.id)).one()
    api.headers["Authorization"] = f"Bearer {auth_service.user_token(api.app.state.settings, account).token}"
    seen, cursor = [], None
    while True:
        page = api.get("/api/v1/actions", params={"sort": "due", "limit": 1, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        seen += [a["number"] for a in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [1, 2, 3]  # overdue, then due later, then the undated one
    assert api.get("/api/v1/actions", params={"sort": "soonest"}).status_code == 422
