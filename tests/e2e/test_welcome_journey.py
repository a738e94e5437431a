"""A person follows the link in their account invitation, chooses a password and lands signed
in on the dashboard; the link then shows the plain "expired or used" page. Every page passes
axe-core at 1280px and 390px."""

from datetime import timedelta

from playwright.sync_api import expect

from api.auth import invitations
from api.core.types import utcnow
from tests import factories
from tests.e2e.conftest import DESKTOP, accessible_at_both_widths


def test_a_person_chooses_their_password_by_the_invitation_link(page, server, session, settings):
    _, account = factories.person_with_account(session, "welcome.journey@example.org", name="Wren Welcome")
    session.commit()
    link = f"{server}/account/welcome?token={invitations.make(settings, account, utcnow() + timedelta(days=7))}"
    page.set_viewport_size(DESKTOP)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    accessible_at_both_widths(page, "welcome")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 10 characters")
    accessible_at_both_widths(page, "welcome-error")
    page.get_by_label("New password", exact=True).fill("four unrelated words here")
    page.get_by_label("Confirm new password").fill("four unrelated words here")
    page.get_by_role("button", name="Save password and sign in").click()
    page.wait_for_url(f"{server}/?done=welcome")
    expect(page.get_by_role("status").first).to_contain_text("you are signed in")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    accessible_at_both_widths(page, "welcome-used")
