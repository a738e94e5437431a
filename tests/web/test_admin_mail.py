"""The admin Mail page: whether mail can be sent, counts, what waits and what failed with the
last error and next try, sending a failed message again; admins only; never the password."""

from datetime import timedelta

import pytest
from sqlmodel import select

from api.core.types import utcnow
from api.mail import outbox
from api.mail.models import OutboxMessage
from tests.conftest import make_settings
from tests.web.conftest import hidden_field, sign_in


@pytest.fixture
def admin_browser(client_factory, person):
    admin, _ = person("mail.admin@example.org", is_admin=True, name="Ada Admin")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _messages(session):
    waiting = outbox.enqueue(session, kind="meeting", to_address="waiting@example.org", subject="Board meeting moved",
                             text_body="Moved")
    waiting.attempts, waiting.last_error = 2, "The mail server refused the connection"
    waiting.next_attempt_at = utcnow() + timedelta(minutes=2)
    failed = outbox.enqueue(session, kind="papers", to_address="gone@example.org", subject="Papers published",
                            text_body="Papers")
    failed.status, failed.attempts, failed.last_error = "failed", 1, "550 5.1.1 No such mailbox"
    outbox.enqueue(session, kind="meeting", to_address="done@example.org", subject="Sent one", text_body="x")
    session.exec(select(OutboxMessage).where(OutboxMessage.subject == "Sent one")).one().status = "sent"
    session.commit()
    return waiting, failed


def test_not_configured_shows_what_waits_and_what_failed(admin_browser, session):
    waiting, failed = _messages(session)
    page = admin_browser.get("/admin/mail")
    assert page.status_code == 200
    html = page.text
    assert "Mail is not configured" in html and "Nothing is lost" in html
    assert 'id="count-pending">1<' in html and 'id="count-failed">1<' in html and 'id="count-sent">1<' in html
    assert f'id="message-{waiting.id}"' in html and "The mail server refused the connection" in html
    assert f'id="message-{failed.id}"' in html and "550 5.1.1 No such mailbox" in html
    assert "done@example.org" not in html  # sent messages are counted, not listed
    assert "Moved" not in html  # bodies are never shown (an invitation's holds a sign-in link)
    assert 'href="/admin/mail"' in admin_browser.get("/admin").text


def test_configured_names_the_server_never_the_password(admin_browser, app, database_url):
    kept = app.state.settings
    app.state.settings = make_settings(database_url, smtp_url="smtp+starttls://mailer:never-shown@smtp.example.org")
    try:
        html = admin_browser.get("/admin/mail").text
    finally:
        app.state.settings = kept
    assert "smtp.example.org:587" in html and "STARTTLS" in html and "never-shown" not in html
    assert "Mail is not configured" not in html


def test_sending_a_failed_message_again(admin_browser, session):
    _, failed = _messages(session)
    page = admin_browser.get("/admin/mail")
    token = hidden_field(page.text, "csrf_token")
    response = admin_browser.post(f"/admin/mail/{failed.id}/retry", data={"csrf_token": token},
                                  follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/mail?done=retried"
    session.expire_all()
    row = session.get(OutboxMessage, failed.id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert "queued to be sent again" in admin_browser.get("/admin/mail?done=retried").text
    again = admin_browser.post(f"/admin/mail/{failed.id}/retry", data={"csrf_token": token})
    assert again.status_code == 409
    no_token = admin_browser.post(f"/admin/mail/{failed.id}/retry", data={})
    assert no_token.status_code in (400, 403)


def test_paging_one_list(admin_browser, session):
    for n in range(55):
        message = outbox.enqueue(session, kind="meeting", to_address=f"p{n}@example.org", subject=f"S{n}",
                                 text_body="x")
        message.status = "failed"
    session.commit()
    first = admin_browser.get("/admin/mail").text
    assert first.count('id="message-') == 50 and "show=failed&amp;cursor=" in first
    cursor = first.split("show=failed&amp;cursor=")[1].split('"')[0]
    rest = admin_browser.get(f"/admin/mail?show=failed&cursor={cursor}").text
    assert rest.count('id="message-') == 5 and "Waiting to be sent</h2>" not in rest


def test_only_admins(client_factory, person, session):
    member, _ = person("not.admin@example.org")
    browser = client_factory()
    assert sign_in(browser, member.email).status_code == 303
    assert browser.get("/admin/mail").status_code == 403
    _, failed = _messages(session)
    page = browser.get("/")
    token = hidden_field(page.text, "csrf_token") if 'name="csrf_token"' in page.text else ""
    assert browser.post(f"/admin/mail/{failed.id}/retry", data={"csrf_token": token}).status_code == 403
    assert session.get(OutboxMessage, failed.id).status == "failed"
