"""A member updates an action from their dashboard and reads minutes (with the mouse, then with
the keyboard alone); the outcome pages and the tartan rug render and pass axe-core. Screenshots
of the main pages go to docs/screenshots/."""

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import insert

from api.auth import service as auth_service
from api.indicators.models import IndicatorValue
from tests import factories
from tests.e2e.conftest import accessible, sign_in_as
from tests.factories import PASSWORD, PLACES


def _arrange(client, session, app, person, email):
    group = factories.group(session, name="Journey Workforce Group", kind="working", code="JWG")
    me, _ = person(email, name="Riley Member")
    secretary, account = factories.person_with_account(session, f"sec.{email}", name="Sam Secretary")
    factories.membership(session, group=group, stakeholder=me, role="member", start_date=date(2023, 1, 1))
    factories.membership(session, group=group, stakeholder=secretary, role="secretary", start_date=date(2023, 1, 1))
    session.commit()
    sec = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=sec, json={
        "title": "Workforce", "starts_at": "2024-02-06T10:00:00+00:00", "ends_at": "2024-02-06T11:30:00+00:00"}).json()
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=sec,
                       json={"title": "Training offer"}).json()
    client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=sec, json={
        "items": [{"agenda_item_id": item["id"], "text": "The MECC training reached 56 people."}]})
    action = client.post("/api/v1/actions", headers=sec, json={
        "group_id": group.id, "meeting_id": meeting["id"], "text": "Share the training dates", "owner_id": me.id,
        "due_date": (date.today() - timedelta(days=2)).isoformat()}).json()
    return me, meeting, action


def test_member_updates_an_action_and_reads_minutes(page, client, session, app, person):
    me, meeting, action = _arrange(client, session, app, person, "e2e.member@example.org")
    sign_in_as(page, me.email)
    expect(page.get_by_text("Share the training dates")).to_be_visible()
    accessible(page, "dashboard")

    card = page.locator(f"#action-{action['id']}")
    card.get_by_label(f"Update on action {action['number']}").fill("Dates sent to the Places.")
    card.get_by_role("button", name="Post update", exact=True).click()
    expect(page.locator(f"#action-{action['id']}").get_by_role("status")).to_have_text("Update posted.")
    expect(page.locator(f"#action-{action['id']}")).to_contain_text("Dates sent to the Places.")
    assert page.get_by_role("heading", level=1).count() == 1  # the card was swapped, not the page
    accessible(page)

    page.get_by_role("link", name="Journey Workforce Group, 6 February 2024").click()
    page.wait_for_url(f"**/meetings/{meeting['id']}*")
    expect(page.get_by_text("The MECC training reached 56 people.")).to_be_visible()
    page.get_by_role("link", name="Actions", exact=True).click()
    page.wait_for_url("**/actions")
    expect(page.get_by_role("cell", name="Share the training dates")).to_be_visible()
    accessible(page, "action-log")
    assert page.console_errors == []


def _tab_to(page, predicate: str, limit: int = 120) -> None:
    """Press Tab until `predicate` (JS, about document.activeElement) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({predicate}); }})()"):
            return
    raise AssertionError(f"never reached: {predicate}")


def test_keyboard_only_sign_in_close_an_action_and_read_minutes(page, client, session, app, person):
    me, meeting, action = _arrange(client, session, app, person, "e2e.keys@example.org")
    page.goto("/login")
    _tab_to(page, "el.id === 'email'")
    page.keyboard.type(me.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")

    _tab_to(page, f"el.id === 'update-{action['id']}'")
    page.keyboard.type("Done: dates shared.")
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('and close')")
    page.keyboard.press("Enter")
    expect(page.locator(f"#action-{action['id']}").get_by_role("status")).to_have_text("Action closed.")
    # Focus lands in the updated card, not back at the top of the page.
    page.wait_for_function(f"document.activeElement.closest('#action-{action['id']}') !== null")

    _tab_to(page, f"el.tagName === 'A' && el.getAttribute('href') === '/meetings/{meeting['id']}#record-status'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/meetings/{meeting['id']}*")
    expect(page.get_by_text("The MECC training reached 56 people.")).to_be_visible()
    assert page.console_errors == []


def test_outcome_pages_and_the_tartan_rug(page, client, session, person, indicator, engine):
    me, _ = person("e2e.outcomes@example.org")
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [
            {"indicator_id": "93014", "area_code": "E92000001", "period": period, "breakdown": "Persons",
             "value": value, "lower_ci": value - 0.1, "upper_ci": value + 0.1, "note": ""}
            for period, value in [("2021/22", 24.0), ("2022/23", 25.0)]])
    client.post(f"/api/v1/places/{PLACES[5]}/updates", json={
        "period": "2024-Q1", "plan_status": "launched", "people_reached": 9000, "people_more_active": 3000})
    client.post("/api/v1/pilots", json={"name": "Journey Pilot", "pathway": "workforce", "status": "scaling",
                                        "summary": "Training staff.", "measures": [
                                            {"name": "Participants", "value": 56, "unit": "people"}]})
    sign_in_as(page, me.email)

    page.get_by_role("link", name="Indicators", exact=True).click()
    page.wait_for_url("**/indicators")
    rug = page.get_by_role("table", name="Indicators by area, latest period, compared with England")
    expect(rug.get_by_role("cell", name="21.0 Better")).to_be_visible()
    expect(rug.get_by_role("cell", name="29.0 Worse")).to_be_visible()
    accessible(page, "tartan-rug")
    rug.get_by_role("link", name=indicator["name"]).click()
    page.wait_for_url("**/indicators/93014")
    expect(page.get_by_role("img", name=f"{indicator['name']} over time; the values are in the table below")
           ).to_be_visible()
    accessible(page, "indicator")
    for link, shot in [("Places", "places"), ("Pilots", "pilots"), ("People", "people"), ("Search", "search")]:
        page.get_by_role("link", name=link, exact=True).click()
        page.wait_for_url(f"**/{shot}")
        accessible(page, shot)
    page.get_by_label("Search people, organisations, pilots, Place updates and meeting records").fill("training")
    expect(page.get_by_role("link", name="Journey Pilot")).to_be_visible()  # as you type: pilots are searched too
    accessible(page)
    page.goto("/pilots")
    expect(page.get_by_text("Journey Pilot")).to_be_visible()
    assert page.console_errors == []
