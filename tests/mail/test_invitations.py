"""Account invitations: an admin makes an account with no password, the person is emailed a
one-time link (read here from a real SMTP server), follows it, chooses a password and is signed
in; the link then dies. Both databases (ATA_TEST_DATABASE_URL)."""

from datetime import timedelta
from urllib.parse import urlsplit

from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import invitations
from api.auth.models import UserAccount
from api.core.types import utcnow
from api.mail import invitations as mail_invitations
from api.mail.models import OutboxMessage
from api.mail.sender import Sender
from tests import factories
from tests.web.conftest import hidden_field

NEW_PASSWORD = "four unrelated words here"


def _outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def _link_path(text: str) -> str:
    [url] = [line.strip() for line in text.splitlines() if "/account/welcome?token=" in line]
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_an_account_made_without_a_password_is_invited_and_the_link_works_once(
        client, client_factory, session, engine, mail_settings, smtp_server):
    stakeholder = factories.stakeholder(session, name="Robin <Newcomer>", email="robin.newcomer@example.org")
    session.commit()
    made = client.post("/api/v1/users", json={"email": "robin.newcomer@example.org",
                                              "stakeholder_id": stakeholder.id})
    assert made.status_code == 201, made.text
    [message] = _outbox(session)
    assert message.kind == "account_invitation" and message.to_address == "robin.newcomer@example.org"
    assert message.dedupe_key is None and message.status == "pending"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.invitation_sent")).all()

    assert Sender(engine, mail_settings, sender_id="test").run_once() == 1
    [received] = smtp_server.received
    assert received.rcpt_tos == ["robin.newcomer@example.org"]
    email = received.message
    assert email["Subject"] == "You have been given an account on the All Together Active dashboard"
    assert email["List-Unsubscribe"] is None  # always sent: nothing to unsubscribe from
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert "Dear Robin <Newcomer>," in text and "Dear Robin &lt;Newcomer&gt;," in html
    assert "works once, until" in text and "/account/welcome?token=" in html
    path = _link_path(text)

    browser = client_factory()
    page = browser.get(path)
    assert page.status_code == 200 and "Choose your password" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "robin.newcomer@example.org" in page.text
    form = {"csrf_token": hidden_field(page.text, "csrf_token"), "token": hidden_field(page.text, "token")}
    short = browser.post("/account/welcome", data=form | {"new_password": "short", "confirm_password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    mismatch = browser.post("/account/welcome", data=form | {"new_password": NEW_PASSWORD,
                                                             "confirm_password": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 422 and "do not match" in mismatch.text
    done = browser.post("/account/welcome", data=form | {"new_password": NEW_PASSWORD,
                                                         "confirm_password": NEW_PASSWORD},
                        follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/?done=welcome"
    home = browser.get("/?done=welcome")
    assert home.status_code == 200 and "you are signed in" in home.text
    session.expire_all()
    account = session.exec(select(UserAccount).where(UserAccount.email == "robin.newcomer@example.org")).one()
    assert not account.must_change_password and account.last_sign_in_at is not None

    # The same link again: used.
    again = client_factory().get(path)
    assert again.status_code == 400 and "has expired or has already been used" in again.text
    replay = client_factory()
    fresh = replay.get("/login")  # a nonce cookie and its token, as a browser would hold
    replayed = replay.post("/account/welcome", data={"csrf_token": hidden_field(fresh.text, "csrf_token"),
                                                     "token": form["token"], "new_password": "another password 1",
                                                     "confirm_password": "another password 1"})
    assert replayed.status_code == 400
    # The chosen password signs in.
    signed = client_factory().post("/api/v1/auth/token", data={"grant_type": "password",
                                                               "username": "robin.newcomer@example.org",
                                                               "password": NEW_PASSWORD})
    assert signed.status_code == 200


def test_a_one_time_password_sends_no_invitation_unless_asked(client, session):
    plain = client.post("/api/v1/users", json={"email": "otp.person@example.org", "password": "one-time-pass-1"})
    assert plain.status_code == 201 and _outbox(session) == []
    both = client.post("/api/v1/users", json={"email": "both.ways@example.org", "password": "one-time-pass-1",
                                              "send_invitation": True})
    assert both.status_code == 201 and len(_outbox(session)) == 1
    neither = client.post("/api/v1/users", json={"email": "neither@example.org", "send_invitation": False})
    assert neither.status_code == 422 and neither.headers["content-type"].startswith("application/problem+json")


def test_an_admin_sends_the_invitation_again_only_before_the_first_sign_in(client, session):
    made = client.post("/api/v1/users", json={"email": "slow.reader@example.org"}).json()
    again = client.post(f"/api/v1/users/{made['id']}/invitation")
    assert again.status_code == 202 and len(_outbox(session)) == 2
    account = session.get(UserAccount, made["id"])
    account.last_sign_in_at = utcnow()
    session.commit()
    refused = client.post(f"/api/v1/users/{made['id']}/invitation")
    assert refused.status_code == 409 and len(_outbox(session)) == 2
    assert client.post("/api/v1/users/999999/invitation").status_code == 404


def test_tampered_expired_and_disabled_links_are_refused(client, client_factory, session, app):
    settings = app.state.settings
    made = client.post("/api/v1/users", json={"email": "careful.person@example.org"}).json()
    account = session.get(UserAccount, made["id"])
    browser = client_factory()
    good = invitations.make(settings, account, utcnow() + timedelta(days=1))
    assert browser.get(f"/account/welcome?token={good}").status_code == 200

    user_id, expiry, mac = good.split(".")
    for bad in (f"{user_id}.{int(expiry) + 86400}.{mac}", f"{user_id}.{expiry}.{'0' * 64}", "nonsense",
                f"{int(user_id) + 1}.{expiry}.{mac}", ""):
        refused = browser.get(f"/account/welcome?token={bad}")
        assert refused.status_code == 400, bad
        assert "Ask an administrator to send a new one." in refused.text

    expired = invitations.make(settings, account, utcnow() - timedelta(minutes=1))
    assert browser.get(f"/account/welcome?token={expired}").status_code == 400

    assert client.patch(f"/api/v1/users/{made['id']}", json={"is_active": False}).status_code == 200
    session.expire_all()
    assert browser.get(f"/account/welcome?token={good}").status_code == 400
    assert client.patch(f"/api/v1/users/{made['id']}", json={"is_active": True}).status_code == 200
    # Disabling bumped the generation: the old link stays dead after re-enabling.
    assert browser.get(f"/account/welcome?token={good}").status_code == 400


def test_wrong_links_are_throttled_like_failed_sign_ins(client, client_factory, app):
    browser = client_factory()
    limit = app.state.settings.login_max_failures_per_account
    answers = [browser.get(f"/account/welcome?token=5.1.{'a' * 64}").status_code for _ in range(limit + 1)]
    assert answers[0] == 400 and answers[-1] == 429


def test_the_composed_message_escapes_and_names_the_expiry(session, app):
    account = factories.person_with_account(session, "esc@example.org")[1]
    session.commit()
    expires = utcnow() + timedelta(days=7)
    message = mail_invitations.invite(session, app.state.settings, account, 'Al "Bob" <b>', expires_at=expires)
    assert "<b>" not in message.html_body and "&lt;b&gt;" in message.html_body
    assert str(expires.year) in message.text_body and message.stakeholder_id == account.stakeholder_id
