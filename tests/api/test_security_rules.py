"""Issue 11: rules that must hold the same at every door.

CSV cells a spreadsheet would run as formulas, iCalendar text that could start a new property,
the password-change form as a password oracle, the domain rules both the API and the web obey
(action owners and agenda leads from the group, approval at a meeting that takes place, one-time
passwords for accounts an admin creates), and the contract of POST /users and PUT /minutes.
"""

import csv
import io
from datetime import date

import icalendar
import pytest
from sqlalchemy import insert
from sqlmodel import func, select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.authz import SYSTEM_SUBJECT
from api.core.security import verify_secret
from api.core.spreadsheet import safe_cell
from api.indicators.models import IndicatorValue
from api.meetings import actions
from api.meetings.models import Action, AgendaItem, Meeting, MinutesVersion
from tests import factories
from tests.factories import PASSWORD
from tests.web.conftest import sign_in

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JAN = {"starts_at": "2024-01-16T14:00:00+00:00", "ends_at": "2024-01-16T16:30:00+00:00"}
MARCH = {"starts_at": "2024-03-19T14:00:00+00:00", "ends_at": "2024-03-19T16:30:00+00:00"}


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def _bearer(app, account) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}


@pytest.fixture
def board(session, app):
    """A group with a secretary, a member, a former member (seated 2023 to June 2024), and an
    outsider with a stakeholder record but no seat; tokens for the secretary and the member."""
    group = factories.group(session, name="Rules Board", kind="board", code="RUL")
    secretary, secretary_account = factories.person_with_account(session, "rules.sec@example.org")
    member, member_account = factories.person_with_account(session, "rules.member@example.org")
    former = factories.stakeholder(session, name="Fran Former")
    outsider = factories.stakeholder(session, name="Otto Outsider")
    factories.membership(session, group=group, stakeholder=secretary, role="secretary", start_date=date(2023, 1, 1))
    factories.membership(session, group=group, stakeholder=member, start_date=date(2023, 1, 1))
    factories.membership(session, group=group, stakeholder=former, start_date=date(2023, 1, 1),
                         end_date=date(2024, 6, 1))
    session.commit()
    return {"group": group, "secretary": secretary, "member": member, "former": former, "outsider": outsider,
            "sec": _bearer(app, secretary_account), "member_headers": _bearer(app, member_account)}


def _meeting(client, board, times=JAN, **extra) -> dict:
    r = client.post(f"/api/v1/groups/{board['group'].id}/meetings", json={**times, **extra}, headers=board["sec"])
    assert r.status_code == 201, r.text
    return r.json()


# Finding 7: CSV formula injection --------------------------------------------------------------

def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _no_formula_cells(rows: list[list[str]]) -> None:
    """Only numbers (negative ones too) may start like a formula: a spreadsheet reads them as numbers."""
    for row in rows:
        for cell in row:
            assert _is_number(cell) or not cell.startswith(FORMULA_STARTS), (cell, row)


def test_every_cell_of_the_action_log_csv_is_neutralised_at_both_doors(client, client_factory, session, person):
    group = factories.group(session, name='=HYPERLINK("http://evil.example","Click me")', kind="thematic")
    owner = factories.stakeholder(session, name="+SUM(1,2)")
    factories.membership(session, group=group, stakeholder=owner)
    action = actions.create_action(session, subject=SYSTEM_SUBJECT, data={
        "group_id": group.id, "text": "@cmd|' /C calc'!A0", "owner_id": owner.id})
    session.commit()
    person("rules.csv.admin@example.org", is_admin=True)
    browser = client_factory()
    assert sign_in(browser, "rules.csv.admin@example.org").status_code == 303

    for response in (client.get(f"/api/v1/actions?group_id={group.id}&format=csv"),
                     browser.get(f"/actions.csv?group={group.id}")):
        rows = _csv_rows(response)
        _no_formula_cells(rows)
        record = dict(zip(rows[0], rows[1], strict=True))
        assert record["group"] == "'" + group.name
        assert record["owner"] == "'+SUM(1,2)"
        assert record["action"] == "'@cmd|' /C calc'!A0"
        assert record["number"] == str(action.number)


def test_every_text_cell_of_the_indicator_csv_is_neutralised_and_numbers_stay_numbers(client, engine, indicator):
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [{
            "indicator_id": indicator["id"], "area_code": "E06000049", "period": "2023/24", "breakdown": "-2+3",
            "value": -3.5, "lower_ci": -4.25, "upper_ci": -2.0, "count": 12, "denominator": 100,
            "note": "\t=cmd"}])
    for url in (f"/api/v1/indicators/{indicator['id']}/data?format=csv", "/api/v1/data?format=csv"):
        rows = _csv_rows(client.get(url))
        _no_formula_cells(rows)
        records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        mine = next(r for r in records if r["period"] == "2023/24")
        assert mine["breakdown"] == "'-2+3" and mine["note"] == "'\t=cmd"
        assert (mine["value"], mine["lower_ci"], mine["upper_ci"]) == ("-3.5", "-4.25", "-2.0")
        assert any(r["note"] == "'=HYPERLINK(\"http://evil.example\")" for r in records)


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("\uff1d1+1", "'\uff1d1+1"), ("plain", "plain"), ("", ""), (None, ""), (-3.5, -3.5), (-2, -2), (0, 0),
])
def test_safe_cell_quotes_only_text_that_starts_like_a_formula(value, expected):
    assert safe_cell(value) == expected


# Finding 8: iCalendar text ------------------------------------------------------------------

def test_a_carriage_return_in_a_meeting_title_cannot_start_a_property(client, session, board):
    made = _meeting(client, board, title="Budget", venue="Room 1")
    meeting = session.get(Meeting, made["id"])
    # Written directly: older rows, imports and other doors may hold what the API now refuses.
    meeting.title = "Budget\rATTENDEE:mailto:x@evil.example"
    meeting.venue = "Room 1\r\nX-INJECTED:1\nLOCATION:Elsewhere"
    session.add(meeting)
    session.commit()

    feed = client.get(f"/api/v1/groups/{board['group'].id}/meetings.ics", headers=board["sec"])
    assert feed.status_code == 200
    assert b"\r" not in feed.content.replace(b"\r\n", b""), "a bare CR ends a line for some calendar apps"
    assert b"\n" not in feed.content.replace(b"\r\n", b"")
    # Read as a calendar app that takes a bare CR for a line break would.
    for content in (feed.content, feed.content.replace(b"\r\n", b"\n").replace(b"\r", b"\n")):
        events = icalendar.Calendar.from_ical(content).walk("VEVENT")
        assert len(events) == 1
        event = events[0]
        assert "ATTENDEE" not in event and "X-INJECTED" not in event
        assert len(event.property_items()) == len({name for name, _ in event.property_items()})
        assert str(event["SUMMARY"]) == "Rules Board: Budget\nATTENDEE:mailto:x@evil.example"
        assert str(event["LOCATION"]) == "Room 1\nX-INJECTED:1\nLOCATION:Elsewhere"


# Finding 9: the password-change oracle -------------------------------------------------------

def test_wrong_current_passwords_count_like_failed_sign_ins_on_the_api(client, session, person, app):
    _, account = person("rules.oracle@example.org")
    headers = _bearer(app, account)
    new = {"new_password": "a-brand-new-password"}
    for n in range(app.state.settings.login_max_failures_per_account):
        wrong = client.post("/api/v1/me/password", headers=headers, json={"current_password": f"guess-{n:04d}xx",
                                                                           **new})
        assert _problem(wrong, 422)["errors"][0]["loc"] == ["body", "current_password"]
    locked = client.post("/api/v1/me/password", headers=headers, json={"current_password": PASSWORD, **new})
    _problem(locked, 429)
    assert 0 < int(locked.headers["retry-after"]) <= app.state.settings.login_window_seconds
    session.expire_all()
    assert verify_secret(PASSWORD, session.get(UserAccount, account.id).password_hash)  # nothing changed
    failures = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "auth.password_change_failed", AuditEvent.entity_id == str(account.id))).one()
    assert failures == app.state.settings.login_max_failures_per_account  # kept, though each request failed
    # The same account counter as sign-in: the guesses also lock the token endpoint.
    grant = {"grant_type": "password", "username": "rules.oracle@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=grant).status_code == 429


def test_the_right_current_password_does_not_count(client, person, app):
    _, account = person("rules.fine@example.org")
    headers = _bearer(app, account)
    for n in range(app.state.settings.login_max_failures_per_account - 1):
        client.post("/api/v1/me/password", headers=headers,
                    json={"current_password": f"guess-{n:04d}xx", "new_password": "a-brand-new-password"})
    changed = client.post("/api/v1/me/password", headers=headers,
                          json={"current_password": PASSWORD, "new_password": "a-brand-new-password"})
    assert changed.status_code == 200, changed.text


# Finding 11: one rule at both doors -------------------------------------------------------------

def test_an_action_owner_must_hold_a_seat_in_the_group(client, session, board):
    meeting = _meeting(client, board)
    base = {"group_id": board["group"].id, "text": "Map the routes"}
    for owner in (board["outsider"], board["former"]):
        refused = client.post("/api/v1/actions", headers=board["sec"], json={**base, "owner_id": owner.id})
        assert _problem(refused, 422)["errors"][0]["loc"] == ["body", "owner_id"]
    assert session.exec(select(func.count()).select_from(Action)).one() == 0
    # A seat on the day of the meeting that set the action is enough (a historic log).
    historic = client.post("/api/v1/actions", headers=board["sec"],
                           json={**base, "meeting_id": meeting["id"], "owner_id": board["former"].id})
    assert historic.status_code == 201, historic.text
    made = client.post("/api/v1/actions", headers=board["sec"], json={**base, "owner_id": board["member"].id})
    assert made.status_code == 201, made.text
    moved = client.patch(f"/api/v1/actions/{made.json()['id']}", headers=board["sec"],
                         json={"owner_id": board["outsider"].id})
    assert _problem(moved, 422)["errors"][0]["loc"] == ["body", "owner_id"]
    session.expire_all()
    assert session.get(Action, made.json()["id"]).owner_id == board["member"].id


def test_an_agenda_lead_must_hold_a_seat_in_the_group(client, session, board):
    meeting = _meeting(client, board, times={"starts_at": "2030-01-15T14:00:00+00:00",
                                            "ends_at": "2030-01-15T16:00:00+00:00"})
    url = f"/api/v1/meetings/{meeting['id']}/agenda-items"
    for lead in (board["outsider"], board["former"]):
        refused = client.post(url, headers=board["sec"], json={"title": "Finance", "lead_id": lead.id})
        assert _problem(refused, 422)["errors"][0]["loc"] == ["body", "lead_id"]
    assert session.exec(select(func.count()).select_from(AgendaItem)).one() == 0
    item = client.post(url, headers=board["sec"], json={"title": "Finance", "lead_id": board["member"].id})
    assert item.status_code == 201, item.text
    moved = client.patch(f"/api/v1/agenda-items/{item.json()['id']}", headers=board["sec"],
                         json={"lead_id": board["outsider"].id})
    assert _problem(moved, 422)["errors"][0]["loc"] == ["body", "lead_id"]
    session.expire_all()
    assert session.get(AgendaItem, item.json()["id"]).lead_id == board["member"].id


def test_minutes_cannot_be_approved_at_a_cancelled_meeting(client, session, board):
    meeting = _meeting(client, board)
    later = _meeting(client, board, times=MARCH)
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=board["sec"],
                       json={"title": "Welcome"}).json()
    assert client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=board["sec"], json={
        "items": [{"agenda_item_id": item["id"], "text": "Welcomed all."}]}).status_code == 200
    assert client.patch(f"/api/v1/meetings/{later['id']}", headers=board["sec"],
                        json={"status": "cancelled", "cancel_reason": "Snow"}).status_code == 200
    refused = client.post(f"/api/v1/meetings/{meeting['id']}/minutes/approve", headers=board["sec"],
                          json={"approved_at_meeting_id": later["id"]})
    assert _problem(refused, 422)["errors"][0]["loc"] == ["body", "approved_at_meeting_id"]
    session.expire_all()
    assert session.exec(select(MinutesVersion.status)).all() == ["draft"]


def test_an_account_an_admin_creates_has_a_one_time_password(client, session):
    created = client.post("/api/v1/users", json={"email": "rules.new@example.org", "password": "set-by-the-admin"})
    assert created.status_code == 201, created.text
    assert created.json()["must_change_password"] is True
    session.expire_all()
    assert session.exec(select(UserAccount.must_change_password).where(
        UserAccount.email == "rules.new@example.org")).one() is True


# Contract conformance -------------------------------------------------------------------------

def test_post_users_accepts_is_active(client):
    disabled = client.post("/api/v1/users", json={"email": "rules.off@example.org", "password": "set-by-the-admin",
                                                  "is_admin": False, "is_active": False, "stakeholder_id": None})
    assert disabled.status_code == 201, disabled.text
    assert disabled.json()["is_active"] is False
    fetched = client.get(f"/api/v1/users/{disabled.json()['id']}").json()
    assert fetched["is_active"] is False
    enabled = client.post("/api/v1/users", json={"email": "rules.on@example.org", "password": "set-by-the-admin",
                                                 "is_active": True})
    assert enabled.status_code == 201 and enabled.json()["is_active"] is True


@pytest.fixture
def drafted(client, board):
    """A meeting with two agenda items and draft minutes (version 1), and a later meeting."""
    meeting = _meeting(client, board)
    later = _meeting(client, board, times=MARCH)
    items = [client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=board["sec"],
                         json={"title": title}).json() for title in ("Welcome", "Finance")]
    url = f"/api/v1/meetings/{meeting['id']}/minutes"
    first = client.put(url, headers=board["sec"], json={"status": "draft", "version": 0, "items": [
        {"agenda_item_id": items[0]["id"], "text": "Welcomed all."}]})
    assert first.status_code == 200, first.text
    return {"url": url, "meeting": meeting, "later": later, "items": items}


def test_put_minutes_with_a_stale_version_is_a_conflict_naming_the_current_one(client, session, board, drafted):
    url, items = drafted["url"], drafted["items"]
    read = client.get(url, headers=board["sec"]).json()
    assert read["version"] == 1
    # What the client read, sent back: status, version, items.
    body = {"status": read["status"], "version": read["version"],
            "items": [{"agenda_item_id": i["agenda_item_id"], "text": i["text"]} for i in read["items"]]}
    assert client.put(url, headers=board["sec"], json=body).status_code == 200
    approved = client.post(f"{url}/approve", headers=board["sec"],
                           json={"approved_at_meeting_id": drafted["later"]["id"]})
    assert approved.status_code == 200
    # One secretary starts an amendment (version 2) from the approved version 1 ...
    amendment = {**body, "items": [{"agenda_item_id": items[1]["id"], "text": "Budget agreed."}]}
    assert client.put(url, headers=board["sec"], json=amendment).json()["version"] == 2
    # ... and another, still holding version 1, cannot overwrite it.
    stale = client.put(url, headers=board["sec"], json=body)
    problem = _problem(stale, 409)
    assert "version 2" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "version"]
    session.expire_all()
    latest = client.get(url, headers=board["sec"]).json()
    assert latest["version"] == 2 and [i["text"] for i in latest["items"]] == ["Budget agreed."]


def test_put_minutes_honours_if_match(client, board, drafted):
    url, items = drafted["url"], drafted["items"]
    read = client.get(url, headers=board["sec"])
    tag = read.headers["etag"]
    one = {"items": [{"agenda_item_id": items[0]["id"], "text": "Welcomed all, with apologies."}]}
    written = client.put(url, headers={**board["sec"], "If-Match": tag}, json=one)
    assert written.status_code == 200, written.text
    assert written.headers["etag"] != tag and written.headers["etag"] == client.get(url, headers=board["sec"]).headers[
        "etag"]
    # Both secretaries read the same draft; the second write, from the old tag, is refused.
    other = {"items": [{"agenda_item_id": items[1]["id"], "text": "Overwrites the first."}]}
    _problem(client.put(url, headers={**board["sec"], "If-Match": tag}, json=other), 412)
    assert [i["text"] for i in client.get(url, headers=board["sec"]).json()["items"]] == [
        "Welcomed all, with apologies."]
    assert client.put(url, headers={**board["sec"], "If-Match": "*"}, json=other).status_code == 200
