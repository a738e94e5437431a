"""Forms in a real browser (issue 15, defects 1-7): the action log's filter as it opens; an empty
update answered in place; a form sent after the session ended keeps its text through signing in;
after success the form is empty and the notice beside it; ending a membership asks first."""

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import select

from api.auth import service as auth_service
from api.auth.models import WebSession
from api.meetings.models import Action, Decision
from api.registry.models import Membership
from tests import factories
from tests.e2e.conftest import accessible, accessible_at_both_widths, sign_in_as

CHAIR = "journey.forms.chair@example.org"


def _arrange(client, session, app):
    group = factories.group(session, name="Journey Forms Group", kind="thematic", code="JFG")
    chair, account = factories.person_with_account(session, CHAIR, name="Fran Chair", is_admin=True)
    member = factories.stakeholder(session, name="Tomasz Whitfield")
    factories.membership(session, group=group, stakeholder=chair, role="chair")
    seat = factories.membership(session, group=group, stakeholder=member, start_date=date(2023, 4, 1))
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Spring", "starts_at": "2025-03-11T10:00:00+00:00", "ends_at": "2025-03-11T12:00:00+00:00"}).json()
    client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=headers, json={"title": "Walking routes"})
    action = Action(group_id=group.id, number=1, text="Map the walking routes", owner_id=chair.id,
                    due_date=date.today() + timedelta(days=30))
    session.add(action)
    session.commit()
    return group, meeting, action, seat


def _expected_failures(page) -> list[str]:
    """Console errors other than the answers given on purpose (422 mistakes, 401 after the session ended)."""
    return [e for e in page.console_errors if not e.startswith(("422 ", "401 "))]


def test_filters_mistakes_and_notices_on_the_existing_forms(page, client, session, app):
    _, meeting, action, _ = _arrange(client, session, app)
    sign_in_as(page, CHAIR)

    # 1. The action log's filter, applied as it opens ("All groups"), shows the actions.
    page.goto("/actions")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#action-results")).to_contain_text("Map the walking routes")
    expect(page.locator("#action-results")).not_to_contain_text("There is a problem")

    # 2 and 6. An empty update is answered in place, in plain words, with focus on the field.
    page.goto(f"/actions/{action.id}")
    card = page.locator(f"#action-{action.id}")
    card.get_by_role("button", name="Post update", exact=True).click()
    expect(card.locator(".nhsuk-error-message")).to_have_text("Error: Enter an update")
    expect(page.get_by_label("Update on action 1")).to_be_focused()
    assert page.title().startswith("Error: ")
    accessible(page)
    # 4 and 5. A good one: the form is empty again, the notice in the card takes focus.
    page.get_by_label("Update on action 1").fill("Half the routes are mapped.")
    card.get_by_role("button", name="Post update", exact=True).click()
    notice = page.locator(f"#action-{action.id}-notice")
    expect(notice).to_have_text("Update posted.")
    expect(notice).to_be_focused()
    expect(page.get_by_label("Update on action 1")).to_have_value("")
    assert not page.title().startswith("Error: ")

    # On the meeting's page: a mistake puts focus on the error summary; a decision recorded
    # empties the form and shows its notice beside it, in view.
    page.goto(f"/meetings/{meeting['id']}")
    decisions = page.locator("#decisions-section")
    decisions.get_by_role("button", name="Record decision").click()
    expect(decisions.locator(".nhsuk-error-summary")).to_be_focused()
    expect(decisions.locator(".nhsuk-error-summary")).to_contain_text("Enter the decision")
    page.locator("#decision-text").fill("Fund the walking routes for two years.")
    decisions.get_by_role("button", name="Record decision").click()
    expect(page.locator("#decisions-notice")).to_contain_text("Decision recorded.")
    expect(page.locator("#decisions-notice")).to_be_in_viewport()
    page.wait_for_function("document.activeElement && document.activeElement.id.startsWith('decision-')")
    expect(page.locator("#decision-text")).to_have_value("")
    expect(page.locator("#edit-status")).to_have_text("Decision recorded.")
    accessible_at_both_widths(page, "meeting-notice-beside-the-form")

    # An agenda item and an action: their forms are empty after success too.
    agenda = page.locator("#agenda-section")
    page.locator("#new-item-title").fill("Cycle hire")
    agenda.get_by_role("button", name="Add agenda item").click()
    expect(page.locator("#agenda-notice")).to_contain_text("added")
    expect(page.locator("#new-item-title")).to_have_value("")
    page.locator("#action-text").fill("Write to the Places.")
    page.locator("#actions-section").get_by_role("button", name="Set action").click()
    expect(page.locator("#actions-notice")).to_contain_text("Action set.")
    expect(page.locator("#action-text")).to_have_value("")
    assert _expected_failures(page) == []


def test_a_session_that_ends_mid_form_keeps_the_text(page, client, session, app):
    _, meeting, _, _ = _arrange(client, session, app)
    sign_in_as(page, CHAIR)
    page.goto(f"/meetings/{meeting['id']}")
    page.locator("#decision-text").fill("Ask the Places for their walking maps.")
    # The session ends (idle too long, or signed out elsewhere) while the text is being typed.
    session.exec(delete(WebSession))
    session.commit()
    page.locator("#decisions-section").get_by_role("button", name="Record decision").click()
    notice = page.locator("#session-ended")
    expect(notice).to_contain_text("Your session ended")
    expect(notice).to_contain_text("what you typed is kept")
    expect(notice).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    accessible_at_both_widths(page, "session-ended-sign-in")
    page.get_by_label("Email").fill(CHAIR)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Signed in again: what was typed is back, and sent only when they say so.
    expect(page.get_by_role("heading", level=1)).to_have_text("Send what you typed")
    expect(page.get_by_text("Ask the Places for their walking maps.")).to_be_visible()
    session.expire_all()
    assert session.exec(select(Decision)).all() == []
    accessible_at_both_widths(page, "carry-on-after-sign-in")
    page.get_by_role("button", name="Send it").click()
    page.wait_for_url(f"**/meetings/{meeting['id']}?done=decision#decision-*")
    expect(page.locator("#decisions-notice")).to_contain_text("Decision recorded.")
    expect(page.locator("#decisions-section")).to_contain_text("Ask the Places for their walking maps.")
    session.expire_all()
    assert [d.text for d in session.exec(select(Decision))] == ["Ask the Places for their walking maps."]
    assert "Method Not Allowed" not in page.content()
    assert _expected_failures(page) == []


def test_ending_a_membership_asks_first(page, client, session, app):
    group, _, _, seat = _arrange(client, session, app)
    sign_in_as(page, CHAIR)
    page.goto(f"/admin/memberships/{group.slug}")
    page.get_by_label("End date of Tomasz Whitfield's membership").fill(date.today().isoformat())
    page.get_by_role("button", name="End membership of Tomasz Whitfield").click()
    heading = "End Tomasz Whitfield's membership of Journey Forms Group?"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    session.expire_all()
    assert session.get(Membership, seat.id).end_date is None
    accessible_at_both_widths(page, "end-membership-confirm")
    page.get_by_role("button", name="End membership").click()
    page.wait_for_url(f"**/admin/memberships/{group.slug}?done=ended#members")
    expect(page.locator("#membership-status")).to_contain_text("Membership ended.")
    expect(page.locator("#members")).not_to_contain_text("Tomasz Whitfield")
    session.expire_all()
    assert session.get(Membership, seat.id).end_date == date.today()
    assert _expected_failures(page) == []
