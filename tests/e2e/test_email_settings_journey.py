"""A member chooses which emails they get on their Email settings page, then follows an
unsubscribe link from a message while signed out; every page passes axe-core at 1280px and
390px. Screenshots go to docs/screenshots/."""

from playwright.sync_api import expect
from sqlmodel import select

from api.mail import unsubscribe
from api.mail.models import MailPreference
from tests import factories
from tests.e2e.conftest import DESKTOP, accessible_at_both_widths, sign_in_as


def test_a_member_chooses_their_emails_and_unsubscribes_from_a_link(page, browser, server, session, settings):
    member, _ = factories.person_with_account(session, "email.settings@example.org", name="Eli Settings")
    session.commit()
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, member.email)
    page.goto("/account/password")
    page.get_by_role("link", name="Email settings").click()
    page.wait_for_url("**/account/email")
    expect(page.get_by_role("heading", level=1)).to_have_text("Email settings")
    accessible_at_both_widths(page, "email-settings")

    papers = page.get_by_role("group", name="Meeting papers")
    expect(papers.get_by_role("radio", name="Immediately")).to_be_checked()
    papers.get_by_role("radio", name="In a weekly digest").check()
    page.get_by_role("group", name="Approved minutes").get_by_role("radio", name="Never").check()
    page.get_by_role("button", name="Save email settings").click()
    page.wait_for_url("**/account/email?saved=1")
    expect(page.get_by_role("status")).to_have_text("Information: Your email settings are saved.")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'saved'")
    expect(page.get_by_role("group", name="Meeting papers").get_by_role("radio", name="In a weekly digest")
           ).to_be_checked()
    accessible_at_both_widths(page, "email-settings-saved")

    # A message's unsubscribe link, opened in a browser that is not signed in.
    link = unsubscribe.link(settings, member.id, "meeting").replace(unsubscribe.public_url(settings), server)
    signed_out = browser.new_context().new_page()
    try:
        signed_out.goto(link)
        expect(signed_out.get_by_role("heading", level=1)).to_have_text("Stop emails about meetings?")
        accessible_at_both_widths(signed_out, "email-unsubscribe")
        signed_out.get_by_role("button", name="Stop these emails").click()
        expect(signed_out.get_by_role("heading", level=1)).to_have_text("Emails stopped")
        expect(signed_out.get_by_text("You will no longer get emails about meetings.")).to_be_visible()
        accessible_at_both_widths(signed_out, "email-unsubscribed")
    finally:
        signed_out.context.close()
    chosen = {p.kind: p.frequency for p in session.exec(select(MailPreference).where(
        MailPreference.stakeholder_id == member.id)).all()}
    assert chosen == {"papers": "weekly", "minutes_approved": "never", "meeting": "never",
                      "action_assigned": "immediately", "action_digest": "weekly"}
    page.reload()
    expect(page.get_by_role("group", name="Meetings").get_by_role("radio", name="Never")).to_be_checked()
