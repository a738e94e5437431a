"""A chair schedules a series of meetings from the group's page in a real browser, sees them on
the forward plan, changes one, and cancels another with a reason; every page passes axe-core on
a desktop (1280px) and a phone (390px). Screenshots go to docs/screenshots/."""

from datetime import date, timedelta

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import DESKTOP, accessible, accessible_at_both_widths, sign_in_as


def _arrange(session):
    group = factories.group(session, name="Journey Scheduling Group", kind="thematic", code="JSG")
    chair, _ = factories.person_with_account(session, "schedule.chair@example.org", name="Sol Chair")
    factories.membership(session, group=group, stakeholder=chair, role="chair", start_date=date(2024, 1, 1))
    session.commit()
    return group, chair


def test_a_chair_schedules_a_series_and_cancels_one_meeting(page, session):
    group, chair = _arrange(session)
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, chair.email)
    page.goto(f"/groups/{group.slug}")
    page.get_by_role("button", name="Schedule a meeting").click()
    page.wait_for_url(f"**/groups/{group.slug}/meetings/new")
    accessible_at_both_widths(page)

    # A series: every 4 weeks on Tuesday, three months ahead, starting from the standing items.
    page.get_by_role("link", name="Schedule a series of meetings").click()
    page.wait_for_url(f"**/groups/{group.slug}/meeting-series/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a series of meetings")
    first = date.today() + timedelta(days=7)
    first += timedelta(days=(1 - first.weekday()) % 7)  # a Tuesday
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_label("How often").select_option("4")
    page.get_by_label("Day of the week").select_option(label="Tuesday")
    page.get_by_label("First date").fill(first.isoformat())
    page.get_by_label("Last date").fill((first + timedelta(weeks=12)).isoformat())
    page.get_by_label("Start time").fill("14:00")
    # A mistake first: the end before the start, said in plain English, the rest kept.
    page.get_by_label("End time").fill("13:00")
    page.get_by_label("How people attend").select_option("hybrid")
    page.get_by_label("Venue (optional)").fill("Town Hall, Committee Room 2")
    page.get_by_label("Online meeting link (optional)").fill("https://meet.example.org/jsg")
    page.get_by_label("Start the agenda from the group's standing items").check()
    page.get_by_role("button", name="Schedule the meetings").click()
    expect(page.get_by_role("alert").get_by_text("The end time must be after the start time")).to_be_visible()
    page.wait_for_function("document.activeElement && document.activeElement.matches('.nhsuk-error-summary')")
    assert page.title().startswith("Error: Schedule a series of meetings: Journey Scheduling Group")
    expect(page.get_by_label("Venue (optional)")).to_have_value("Town Hall, Committee Room 2")
    accessible_at_both_widths(page)
    page.get_by_label("End time").fill("16:00")
    accessible(page, "schedule-series-1280")
    page.get_by_role("button", name="Schedule the meetings").click()

    # The forward plan: the notice names what was made; each meeting with its planned items.
    page.wait_for_url(f"**/groups/{group.slug}/forward-plan?series=*")
    expect(page.get_by_role("status")).to_contain_text("4 meetings scheduled: every 4 weeks on Tuesday")
    sections = page.locator("section.ata-plan-meeting")
    expect(sections).to_have_count(4)
    expect(sections.first.get_by_role("cell", name="Declarations of interest")).to_be_visible()
    accessible_at_both_widths(page, "forward-plan")

    # Move the first meeting by an hour.
    sections.first.get_by_role("link", name="Meeting page").click()
    page.wait_for_url("**/meetings/*")
    meeting_url = page.url
    expect(page.get_by_text("Every 4 weeks on Tuesday")).to_be_visible()
    page.get_by_role("link", name="Change meeting details").click()
    expect(page.get_by_label("Start time")).to_have_value("14:00")
    accessible_at_both_widths(page)
    page.get_by_label("Start time").fill("15:00")
    page.get_by_label("End time").fill("17:00")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(meeting_url + "?done=meeting-changed")
    expect(page.locator("#edit-status")).to_have_text("Meeting details changed.")
    expect(page.locator(".nhsuk-summary-list").get_by_text("3pm to 5pm")).to_be_visible()

    # Cancel the second, with a reason (a confirmation page; a missing reason is an error).
    page.goto(f"/groups/{group.slug}/forward-plan")
    sections.nth(1).get_by_role("link", name="Meeting page").click()
    page.wait_for_url("**/meetings/*")
    page.get_by_role("link", name="Cancel meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure you want to cancel the meeting of")
    expect(page.get_by_text("The meeting stays in the record, marked cancelled")).to_be_visible()
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Cancel meeting").click()
    expect(page.get_by_role("alert").get_by_text("Enter the reason the meeting is cancelled")).to_be_visible()
    accessible_at_both_widths(page)
    page.get_by_label("Reason for cancelling").fill("Clashes with the council's budget meeting")
    page.get_by_role("button", name="Cancel meeting").click()
    page.wait_for_url("**/meetings/*?done=meeting-cancelled")
    expect(page.get_by_text("Reason: Clashes with the council's budget meeting")).to_be_visible()
    expect(page.get_by_role("link", name="Cancel meeting")).to_have_count(0)
    accessible_at_both_widths(page)

    page.goto(f"/groups/{group.slug}/forward-plan")
    second = page.locator("section.ata-plan-meeting").nth(1)
    expect(second.locator(".nhsuk-tag--red")).to_have_text("Cancelled")
    expect(second).to_contain_text("This meeting is cancelled: Clashes with the council's budget meeting.")
    # Only the mistakes made on purpose answered with an error (422, shown as pages).
    assert page.console_errors == []


def test_a_chair_schedules_one_meeting_without_javascript(browser, server, session):
    group, chair = _arrange(session)
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, chair.email)
    page.goto(f"/groups/{group.slug}/meetings/new")
    day = date.today() + timedelta(days=10)
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("End time").fill("12:00")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("alert").get_by_text("Enter a start time")).to_be_visible()
    expect(page.get_by_label("End time")).to_have_value("12:00")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Title (optional)").fill("Annual meeting")
    page.get_by_role("button", name="Schedule the meeting").click()
    page.wait_for_url("**/meetings/*?done=meeting-scheduled")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual meeting")
    expect(page.get_by_role("status")).to_contain_text("Meeting scheduled.")
    context.close()
