"""A chair, in a real browser on a desktop and on a 390px phone, records attendance at a meeting
that has started, a guest in attendance, and a declaration of interest on an item; sees them in the
chair's summary; follows the name to the person's register of interests; and removes the guest
after a confirmation page. axe-core passes on every page on the way."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from api.auth import service as auth_service
from tests import factories
from tests.e2e.conftest import accessible, sign_in_as


def _arrange(client, session, app):
    group = factories.group(session, name="Interests Journey Group", kind="thematic", code="IJG")
    chair, account = factories.person_with_account(session, "interests.chair@example.org", name="Cass Chair")
    member = factories.stakeholder(session, name="Dev Member")
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2024, 1, 1))
    factories.membership(session, group=group, stakeholder=member, start_date=date(2024, 1, 1))
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Today's meeting", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat()}).json()
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=headers,
                       json={"title": "Leisure centre contract"}).json()
    return chair, member, meeting, item


@pytest.mark.parametrize("width", [1280, 390])
def test_a_chair_records_a_guest_and_a_declaration(page, client, session, app, width):
    chair, member, meeting, item = _arrange(client, session, app)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_as(page, chair.email)
    page.goto(f"/meetings/{meeting['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today's meeting")
    accessible(page)
    status = page.locator("#edit-status")

    # Attendance, one click per person.
    page.get_by_role("button", name="Present: Cass Chair").click()
    expect(page.get_by_role("button", name="Present: Cass Chair")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Present: Dev Member").click()
    expect(page.locator("#attendance-summary")).to_contain_text("Present (2)")

    # A guest who is not in the directory: a mistake first, then the guest.
    page.get_by_role("button", name="Add guest").click()
    expect(page.get_by_role("alert").get_by_text("Enter the guest's name")).to_be_visible()
    page.get_by_label("Guest's name").fill("Gail Guest")
    page.get_by_label("Organisation (optional)").fill("Sport England")
    page.get_by_role("button", name="Add guest").click()
    expect(status).to_have_text("Guest recorded.")
    expect(page.locator("#guest-list")).to_contain_text("Gail Guest, Sport England")
    expect(page.locator("#attendance-summary")).to_contain_text("In attendance (1)")
    expect(page.get_by_label("Guest's name")).to_have_value("")
    # Focus lands on the notice beside the form (issue 15).
    page.wait_for_function("document.activeElement && document.activeElement.id === 'guests-notice'")

    # A declaration on the item.
    page.locator("#declaration-person").select_option(label="Dev Member")
    page.locator("#declaration-kind").select_option(label="Financial interest")
    page.get_by_label("Interest", exact=True).fill("Director of Leisure Ltd, a bidder")
    page.locator("#declaration-item").select_option(label=f"{item['ref']} Leisure centre contract")
    page.get_by_label("Action taken (optional)").fill("Left the meeting for this item")
    page.get_by_role("button", name="Record declaration").click()
    expect(status).to_have_text("Declaration of interest recorded.")
    row = page.locator("#declarations-section tbody tr").filter(has_text="Director of Leisure Ltd")
    expect(row).to_contain_text("Financial interest")
    expect(row).to_contain_text("Leisure centre contract")
    expect(page.get_by_label("Interest", exact=True)).to_have_value("")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'declarations-notice'")
    accessible(page, f"meeting-declarations-{width}")

    # The chair's summary shows the guest and the declaration, under the item too.
    page.get_by_role("link", name="Chair's summary report (printable)").click()
    page.wait_for_url(f"**/meetings/{meeting['id']}/summary")
    expect(page.locator("#attendance-summary")).to_contain_text("Gail Guest (Sport England)")
    expect(page.locator("#declarations-table")).to_contain_text("Director of Leisure Ltd, a bidder")
    expect(page.locator(f"#item-{item['id']}")).to_contain_text("Left the meeting for this item")
    accessible(page)

    # The name leads to the person's register of interests.
    page.locator("#declarations-table").get_by_role("link", name="Dev Member").click()
    page.wait_for_url(f"**/people/{member.id}/interests")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register of interests")
    expect(page.locator("#register")).to_contain_text("Director of Leisure Ltd, a bidder")
    accessible(page)

    # Removing the guest asks first.
    page.goto(f"/meetings/{meeting['id']}")
    page.get_by_role("link", name="Remove Gail Guest from the guests").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure you want to remove Gail Guest")
    accessible(page)
    page.get_by_role("button", name="Yes, remove this guest").click()
    page.wait_for_url(f"**/meetings/{meeting['id']}?done=guest-removed#guests-notice")
    expect(status).to_have_text("Guest removed.")
    expect(page.locator("#attendance-section")).to_contain_text("No guests have been recorded.")
    # Only the one mistake made on purpose answered with an error.
    assert page.console_errors == [f"422 {page.url.split('/meetings/')[0]}/meetings/{meeting['id']}/guests"]
