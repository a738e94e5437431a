"""A chair builds an agenda in a real browser: adds the group's standing items to an empty
meeting's agenda, moves an item up with the keyboard (focus stays on the moved item), removes one
through the confirmation page, and tidies the group's standing items; axe-core finds nothing
serious at desktop (1280px) and phone (390px) widths on each page."""

import re
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect

from api.auth import service as auth_service
from api.meetings.meetings import AGENDA_TEMPLATE
from tests import factories
from tests.e2e.conftest import accessible_at_both_widths, sign_in_as


def _arrange(client, session, app):
    group = factories.group(session, name="Journey Agenda Group", kind="thematic", code="JAG")
    chair, account = factories.person_with_account(session, "agenda.journey.chair@example.org", name="Kit Chair")
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2024, 1, 1))
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    start = (datetime.now(UTC) + timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
        "title": "Agenda journey", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
    assert made.status_code == 201, made.text
    return group, chair, made.json()


def test_a_chair_builds_the_agenda_from_the_standing_items(page, client, session, app):
    group, chair, meeting = _arrange(client, session, app)
    sign_in_as(page, chair.email)
    page.goto(f"/meetings/{meeting['id']}")
    status = page.locator("#edit-status")
    titles = [title for title, _ in AGENDA_TEMPLATE]

    # The empty agenda offers the standing items; one click adds them, announced and focused.
    expect(page.get_by_text("Start the agenda from the group's 6 standing items")).to_be_visible()
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Add the standing items").click()
    expect(status).to_contain_text("6 standing items added to the agenda")
    headings = page.locator("#agenda-section article h3")
    expect(headings).to_have_count(6)
    expect(headings.first).to_be_focused()
    expect(page.get_by_role("button", name="Add the standing items")).to_have_count(0)
    ref = re.compile(r"JAG/\d\d/\d\d/0(\d)")
    expect(headings.nth(2)).to_contain_text(titles[2])
    accessible_at_both_widths(page, "agenda-standing-items")

    # Move the third item up with the keyboard: from its heading, Tab reaches "Move up", Enter moves it.
    third = page.locator("#agenda-section article").nth(2)
    third_id = third.get_attribute("id")
    third.locator("h3").focus()
    page.keyboard.press("Tab")
    move_up = third.get_by_role("button", name=f"Move up item {third.locator('.ata-ref').inner_text()}, ")
    expect(move_up).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_contain_text(f"\u2018{titles[2]}\u2019 moved up: it is now item JAG/")
    expect(page.locator(f"#{third_id}-heading")).to_be_focused()
    expect(headings.nth(1)).to_contain_text(titles[2])
    expect(headings.nth(2)).to_contain_text(titles[1])
    numbers = [ref.search(text).group(1) for text in headings.all_inner_texts()]
    assert numbers == ["1", "2", "3", "4", "5", "6"]  # refs follow the new order
    # The first item offers no Move up, the last no Move down.
    expect(page.locator("#agenda-section article").first.get_by_role("button", name=re.compile("^Move up"))
           ).to_have_count(0)
    expect(page.locator("#agenda-section article").last.get_by_role("button", name=re.compile("^Move down"))
           ).to_have_count(0)

    # Remove the last item ("Review of the meeting") through the confirmation page.
    last = page.locator("#agenda-section article").last
    last.locator("summary").click()
    last.get_by_role("link", name=re.compile(r"^Remove item JAG\/\d\d\/\d\d\/06$")).click()
    page.wait_for_url(re.compile(r"/agenda-items/\d+/remove$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(
        r"Are you sure you want to remove item JAG\/\d\d\/\d\d\/06 .Review of the meeting.\?"))
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    accessible_at_both_widths(page)
    page.get_by_role("link", name="Cancel").click()  # Cancel goes back, nothing removed
    expect(headings).to_have_count(6)
    page.goto(page.url.split("#")[0])
    page.locator("#agenda-section article").last.locator("summary").click()
    page.locator("#agenda-section article").last.get_by_role("link", name=re.compile("^Remove item")).click()
    page.get_by_role("button", name=re.compile(r"^Remove item JAG\/")).click()
    page.wait_for_url(re.compile(r"\?done=item-removed#agenda-heading$"))
    expect(page.get_by_role("status")).to_have_text("Agenda item removed.")
    expect(headings).to_have_count(5)
    expect(page.get_by_text("Review of the meeting")).to_have_count(1)  # offered again as a standing item
    expect(page.get_by_role("button", name="Add the standing items")).to_be_visible()

    # The group's standing items: the page from the group's page, without the review item.
    page.goto(f"/groups/{group.slug}")
    page.get_by_role("link", name="Standing agenda items").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Standing agenda items")
    accessible_at_both_widths(page, "standing-items")
    page.get_by_role("button", name="Remove standing item 6, Review of the meeting").click()
    # Removing asks first, on a page of its own (issue 15).
    question = "Remove standing item 6, \u2018Review of the meeting\u2019?"
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Remove standing item").click()
    expect(page.get_by_role("status")).to_have_text("Standing item removed.")
    expect(page.get_by_role("heading", name="5 standing items")).to_be_visible()
    page.get_by_label("Title", exact=True).last.fill("Safeguarding update")
    page.get_by_role("button", name="Add standing item").click()
    expect(page.get_by_role("status")).to_have_text("Standing item added.")
    expect(page.get_by_role("heading", name="6. Safeguarding update")).to_be_visible()
    accessible_at_both_widths(page)

    # Back on the meeting, only the new standing item is offered.
    page.goto(f"/meetings/{meeting['id']}")
    expect(page.get_by_text("does not yet have 1 of the group's standing items: Safeguarding update")).to_be_visible()
    assert page.console_errors == []
