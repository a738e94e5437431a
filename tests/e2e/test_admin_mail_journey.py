"""An admin opens Mail from the admin page: mail is not configured, a waiting message with its
last error and a failed one, sent again; the page passes axe-core at 1280px and 390px."""

from datetime import timedelta

from playwright.sync_api import expect

from api.core.types import utcnow
from api.mail import outbox
from tests.e2e.conftest import accessible_at_both_widths, sign_in_as


def test_admin_sees_waiting_and_failed_mail_and_sends_one_again(page, session, person):
    admin, _ = person("mail.journey@example.org", is_admin=True, name="Morgan Mailwatch")
    waiting = outbox.enqueue(session, kind="meeting", to_address="a.very.long.address.for.a.phone@example.org",
                             subject="Invitation: Cheshire and Merseyside Physical Activity Board, 10 December",
                             text_body="x")
    waiting.attempts, waiting.last_error = 3, "Could not reach the mail server: Connection timed out"
    waiting.next_attempt_at = utcnow() + timedelta(minutes=4)
    failed = outbox.enqueue(session, kind="papers", to_address="gone@example.org", subject="Papers published",
                            text_body="x")
    failed.status, failed.attempts, failed.last_error = "failed", 1, "550 5.1.1 No such mailbox here"
    session.commit()

    sign_in_as(page, admin.email)
    page.goto("/admin")
    page.get_by_role("link", name="Mail").click()
    expect(page.get_by_role("heading", name="Mail", level=1)).to_be_visible()
    expect(page.get_by_text("Mail is not configured")).to_be_visible()
    expect(page.get_by_text("550 5.1.1 No such mailbox here")).to_be_visible()
    accessible_at_both_widths(page, "admin-mail")
    page.get_by_role("button", name="Send again to gone@example.org: Papers published").click()
    expect(page.get_by_role("status")).to_contain_text("queued to be sent again")
    expect(page.locator("#count-failed")).to_have_text("0")
    expect(page.locator("#count-pending")).to_have_text("2")
