"""A chair records a meeting end to end in a real browser: opens the group's next meeting, adds
agenda items, records attendance with one click per person, writes a minute, records a
decision, sets an action, finds where the minutes are approved (the next meeting); the printable summary shows
it all, and the edited page passes axe-core. The screenshot goes to docs/screenshots/."""

import re
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect

from api.auth import service as auth_service
from tests import factories
from tests.e2e.conftest import accessible, sign_in_as


def _arrange(client, session, app):
    group = factories.group(session, name="Journey Active Travel Group", kind="thematic", code="JAT")
    chair, account = factories.person_with_account(session, "journey.chair@example.org", name="Cam Chair")
    people = [factories.stakeholder(session, name=name) for name in ("Ade Member", "Bea Member", "Cy Member")]
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2024, 1, 1))
    for person in people:
        factories.membership(session, group=group, stakeholder=person, start_date=date(2024, 1, 1))
    session.commit()
    headers = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    # Three days ago: attendance is recorded only once a meeting has started.
    soon = (datetime.now(UTC) - timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    meetings = []
    for start, title in ((soon, "Spring review"), (soon + timedelta(days=42), "Summer review")):
        made = client.post(f"/api/v1/groups/{group.id}/meetings", headers=headers, json={
            "title": title, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
        assert made.status_code == 201, made.text
        meetings.append(made.json())
    return group, chair, people, meetings, soon


def test_a_chair_records_a_meeting_end_to_end(page, client, session, app):
    group, chair, _, (meeting, later), soon = _arrange(client, session, app)
    sign_in_as(page, chair.email)
    page.goto(f"/groups/{group.slug}")
    page.locator(f'a[href="/meetings/{meeting["id"]}"]').first.click()
    page.wait_for_url(f"**/meetings/{meeting['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spring review")
    accessible(page)
    status = page.locator("#edit-status")

    # Two agenda items; a mistake first (kept text, error shown in place, nothing lost).
    add = page.locator("#agenda-section form").filter(has=page.get_by_role("button", name="Add agenda item"))
    add.get_by_label("Purpose (optional)").fill("For decision")
    add.get_by_role("button", name="Add agenda item").click()
    expect(page.get_by_role("alert").get_by_text("Enter a title for the agenda item")).to_be_visible()
    expect(page.locator("#new-item-purpose")).to_have_value("For decision")
    accessible(page)
    page.locator("#new-item-title").fill("Cycle hire scheme")
    page.locator("#new-item-lead").select_option(label="Ade Member")
    page.get_by_role("button", name="Add agenda item").click()
    expect(status).to_have_text(re.compile(r"Agenda item JAT/\d\d/\d\d/01 added\."))
    expect(page.locator("#agenda-section h3").filter(has_text="Cycle hire scheme")).to_be_visible()
    expect(page.locator("#agenda-section h3").filter(has_text="Cycle hire scheme")).to_be_focused()
    expect(page.locator("#new-item-title")).to_have_value("")  # the form is empty again
    page.locator("#new-item-title").fill("School streets")
    page.get_by_role("button", name="Add agenda item").click()
    expect(page.locator("#agenda-section h3").filter(has_text="School streets")).to_be_visible()
    assert page.get_by_role("heading", level=1).count() == 1  # sections were swapped, not pages nested

    # Attendance: one click per person; the row changes and the live region says so.
    page.get_by_role("button", name="Present: Cam Chair").click()
    expect(page.get_by_role("button", name="Present: Cam Chair")).to_have_attribute("aria-pressed", "true")
    expect(status).to_have_text("Attendance recorded.")
    page.get_by_role("button", name="Present: Ade Member").click()
    expect(page.get_by_role("button", name="Present: Ade Member")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Apologies: Bea Member").click()
    expect(page.get_by_role("button", name="Apologies: Bea Member")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Absent: Cy Member").click()
    expect(page.locator("#attendance-summary")).to_contain_text("Absent (1)")
    expect(page.locator("#attendance-summary")).to_contain_text("Present (2)")
    page.wait_for_function("document.activeElement && document.activeElement.getAttribute('aria-pressed') === 'true'")

    # A minute for the first item, in Markdown, shown sanitised.
    first = page.locator("#agenda-section article").filter(has_text="Cycle hire scheme")
    first.get_by_label("Minute of item JAT/").fill("The scheme **starts in May**.\n\n- 40 bikes\n- 6 docks")
    first.get_by_role("button", name="Save minute").click()
    expect(status).to_have_text("Minute saved.")
    expect(page.locator("#agenda-section article").filter(has_text="Cycle hire scheme").locator("strong")
           .filter(has_text="starts in May")).to_be_visible()
    expect(page.locator("#minutes-status")).to_contain_text("version 1 of the minutes: a draft")

    # A decision and an action, against the first item.
    page.get_by_label("Decision", exact=True).fill("Back the cycle hire scheme.")
    page.locator("#decision-item").select_option(label=first.locator("h3 .ata-ref").inner_text() + " Cycle hire scheme")
    page.get_by_role("button", name="Record decision").click()
    expect(status).to_have_text("Decision recorded.")
    expect(page.locator("#decisions-section li").filter(has_text="Back the cycle hire scheme.")).to_be_visible()
    page.get_by_label("Action", exact=True).fill("Map the docking stations")
    page.locator("#action-owner").select_option(label="Ade Member")
    page.get_by_label("Due date (optional)").fill((soon + timedelta(days=14)).date().isoformat())
    page.get_by_role("button", name="Set action").click()
    expect(status).to_have_text("Action set.")
    expect(page.locator("#actions-section").get_by_role("cell", name="Map the docking stations")).to_be_visible()

    # Approval happens at the later meeting, once it has started (tests/e2e/test_approval_journey.py):
    # this page points there.
    expect(page.locator(f'#agenda-section a[href="/meetings/{later["id"]}#approval-heading"]')).to_be_visible()
    accessible(page, "meeting-editing")

    # The printable summary shows it all, without the forms.
    page.get_by_role("link", name="Chair's summary report (printable)").click()
    page.wait_for_url(f"**/meetings/{meeting['id']}/summary")
    for text in ("Cycle hire scheme", "School streets", "starts in May", "Back the cycle hire scheme.",
                 "Map the docking stations", "Present 2, in attendance 0, apologies 1", "Lead: Ade Member"):
        expect(page.get_by_text(text).first).to_be_visible()
    accessible(page)
    page.emulate_media(media="print")
    expect(page.locator("header.nhsuk-header")).to_be_hidden()
    expect(page.locator("form").first).to_be_hidden()
    # Only the one mistake made on purpose answered with an error (422, swapped in place).
    assert page.console_errors == [f"422 {page.url.split('/meetings/')[0]}/meetings/{meeting['id']}/agenda-items"]


def test_a_chair_records_attendance_without_javascript(browser, server, client, session, app):
    _, chair, _, (meeting, _), _ = _arrange(client, session, app)
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, chair.email)
    page.goto(f"/meetings/{meeting['id']}")
    page.get_by_role("button", name="In attendance: Bea Member").click()
    page.wait_for_url(f"**/meetings/{meeting['id']}?done=attendance#attendee-*")
    expect(page.get_by_role("status")).to_have_text("Attendance recorded.")
    expect(page.get_by_role("button", name="In attendance: Bea Member")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").get_by_text("Enter the decision")).to_be_visible()
    context.close()
