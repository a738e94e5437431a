"""An admin adds an organisation (a mistake first, then corrected) and a group, then changes the
group; a member opens My account, copies their calendar link, resets it through the confirmation
and downloads their data; the footer's pages open; the header collapses into "More" on a phone as
NHS.UK's does. Every page added passes axe-core at 1280px and 390px with nothing scrolling
sideways. Screenshots go to docs/screenshots/."""

import json

import httpx
from playwright.sync_api import expect
from sqlmodel import select

from api.registry.models import Group, Organisation
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, accessible_at_both_widths, sign_in_as

LIVERPOOL = "E08000012"


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login*")


def test_an_admin_adds_an_organisation_and_a_group_and_changes_the_group(page, session, person):
    board = factories.group(session, name="Journey Activity Board", kind="board")
    admin, _ = person("bodies.journey.admin@example.org", is_admin=True, name="Ari Admin")
    session.commit()
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, admin.email)

    # The organisation, with a website typed without https:// first.
    page.goto("/organisations")
    page.get_by_role("button", name="Add an organisation").click()
    page.wait_for_url("**/organisations/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an organisation")
    accessible_at_both_widths(page, "organisation-new")
    page.get_by_label("Name").fill("Journey Moves CIC")
    page.get_by_label("Sector").select_option(label="Voluntary, community and social enterprise")
    page.get_by_label("Place (optional)").select_option(label="Liverpool")
    page.get_by_label("Website (optional)").fill("www.journeymoves.example.org")
    page.get_by_role("button", name="Add organisation").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the website address starting https://, like https://www.example.org")
    assert page.title().startswith("Error: Add an organisation")
    expect(page.get_by_label("Name")).to_have_value("Journey Moves CIC")  # what was typed is kept
    accessible_at_both_widths(page)
    page.get_by_label("Website (optional)").fill("https://www.journeymoves.example.org")
    page.get_by_role("button", name="Add organisation").click()
    org = session.exec(select(Organisation).where(Organisation.name == "Journey Moves CIC")).one()
    page.wait_for_url(f"**/organisations/{org.id}?done=added")
    notice = page.get_by_role("status")
    expect(notice).to_have_text("Information: Organisation added.")
    expect(notice).to_be_focused()
    expect(page.get_by_role("link", name="https://www.journeymoves.example.org")).to_be_visible()
    accessible_at_both_widths(page)
    assert (org.sector, org.place_code) == ("vcfse", LIVERPOOL)

    # The group, below the board; then changed.
    page.goto("/groups")
    page.get_by_role("button", name="Add a group").click()
    page.wait_for_url("**/groups/new")
    page.get_by_label("Name").fill("Journey Walking Group")
    page.get_by_label("Kind of group").select_option(label="Working group")
    page.get_by_label("Remit (optional)").fill("Gets more people walking.")
    page.get_by_label("Reports to (optional)").select_option(label="Journey Activity Board")
    page.get_by_label("Code (optional)").fill("JWG")
    page.get_by_role("button", name="Add group").click()
    page.wait_for_url("**/groups/journey-walking-group?done=added")
    expect(page.get_by_role("status")).to_have_text("Information: Group added.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey Walking Group")
    page.get_by_role("link", name="Change details of Journey Walking Group").click()
    page.wait_for_url("**/groups/journey-walking-group/edit")
    expect(page.get_by_label("Reports to (optional)")).to_have_value(str(board.id))
    accessible_at_both_widths(page, "group-edit")
    page.get_by_label("Name").fill("Journey Walking and Wheeling Group")
    page.get_by_label("Remit (optional)").fill("Gets more people walking and wheeling.")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**/groups/journey-walking-group?done=changed")
    expect(page.get_by_role("status")).to_have_text("Information: Details saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey Walking and Wheeling Group")
    expect(page.get_by_text("Gets more people walking and wheeling.")).to_be_visible()
    group = session.exec(select(Group).where(Group.slug == "journey-walking-group")).one()
    assert (group.name, group.parent_id, group.code) == ("Journey Walking and Wheeling Group", board.id, "JWG")
    assert page.console_errors == []


def test_a_member_uses_my_account_and_the_footer_pages(page, browser, server, session, person):
    board = factories.group(session, name="Journey Calendar Board", kind="board")
    member, _ = person("account.journey@example.org", name="Morgan Member")
    factories.membership(session, group=board, stakeholder=member)
    session.commit()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, member.email)
    # NHS.UK frontend is told the browser is supported, so its components start.
    assert "nhsuk-frontend-supported" in page.evaluate("document.body.className")

    page.get_by_role("navigation", name="Account").get_by_role("link", name="My account").click()
    page.wait_for_url("**/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    feed = page.get_by_label("Your calendar link").input_value()
    assert feed.startswith(f"{server}/api/v1/me/meetings.ics?token=")
    expect(page.get_by_role("link", name="Open the link in your calendar app")).to_have_attribute(
        "href", "webcal://" + feed.split("://", 1)[1])
    accessible_at_both_widths(page, "my-account")

    # Copy (a button made by app.mjs), and the link works in a calendar app.
    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator(".ata-copy [role=status]")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == feed
    calendar = httpx.get(feed)
    assert calendar.status_code == 200 and calendar.text.startswith("BEGIN:VCALENDAR")
    page.get_by_text("How to add it to Google Calendar").click()
    expect(page.get_by_text("Next to Other calendars")).to_be_visible()

    # Reset, through the confirmation: the old link stops working.
    page.get_by_role("link", name="Reset the link").click()
    page.wait_for_url("**/account/calendar/reset")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your calendar link?")
    accessible_at_both_widths(page)
    page.get_by_role("button", name="Reset the link").click()
    page.wait_for_url("**/account?done=calendar-reset")
    notice = page.get_by_role("status").filter(has_text="Your calendar link has been reset")
    expect(notice).to_be_focused()
    new_feed = page.get_by_label("Your calendar link").input_value()
    assert new_feed != feed
    assert httpx.get(feed).status_code == 401 and httpx.get(new_feed).status_code == 200

    # Download my data.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data (JSON)").click()
    download = download_info.value
    assert download.suggested_filename == "my-ata-data.json"
    with open(download.path(), encoding="utf-8") as file:
        assert member.email in json.dumps(json.load(file))

    # The footer's pages.
    for link, heading, shot in (("Accessibility statement", "Accessibility statement for All Together Active",
                                 "accessibility-statement"), ("Privacy notice", "Privacy notice", None),
                                ("Help", "Help", "help")):
        page.get_by_role("contentinfo").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        accessible_at_both_widths(page, shot)
    assert page.console_errors == []

    # Signed out, they open too (someone who cannot sign in can still report a problem).
    signed_out = browser.new_context(base_url=server).new_page()
    try:
        signed_out.goto("/accessibility")
        expect(signed_out.get_by_role("heading", level=1)).to_have_text(
            "Accessibility statement for All Together Active")
        expect(signed_out.get_by_role("link", name="accessibility@example.org").first).to_be_visible()
        accessible_at_both_widths(signed_out)
    finally:
        signed_out.context.close()


def test_the_header_collapses_into_more_on_a_phone(page, session, person):
    admin, _ = person("header.journey@example.org", is_admin=True, name="Hana Header")
    session.commit()
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, admin.email)
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Admin")).to_be_visible()
    expect(menu.get_by_role("button", name="Browse More")).to_be_hidden()  # everything fits
    page.set_viewport_size(PHONE)
    more = menu.get_by_role("button", name="Browse More")
    expect(more).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    menu.get_by_role("link", name="Admin").click()
    page.wait_for_url("**/admin")
    accessible_at_both_widths(page)
    assert page.console_errors == []
