"""The admin accounts page's invitation checkbox and "Send the invitation again", and the
welcome page's protection (CSRF nonce, dead links). The mail itself: tests/mail/test_invitations.py."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from api.auth import invitations
from api.auth.models import UserAccount
from api.core.types import utcnow
from api.mail.models import OutboxMessage
from tests import factories
from tests.web.conftest import hidden_field, sign_in


@pytest.fixture
def admin_client(client_factory, person):
    admin, _ = person("site.admin@example.org", is_admin=True, name="Sam Admin")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _token(client) -> str:
    return hidden_field(client.get("/admin/users").text, "csrf_token")


def _newcomer(session):
    person = factories.stakeholder(session)
    session.commit()
    return person


def _outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_the_invitation_box_is_ticked_by_default_and_needs_no_password(admin_client, session):
    newcomer = factories.stakeholder(session, name="New Member", email="new.member@example.org")
    session.commit()
    page = admin_client.get("/admin/users")
    assert re.search(r'id="send_invitation" name="send_invitation" type="checkbox" value="true" checked', page.text)
    assert "Email an invitation with a sign-in link" in page.text
    made = admin_client.post("/admin/users", data={"csrf_token": _token(admin_client),
                                                   "stakeholder_id": str(newcomer.id), "send_invitation": "true"},
                             follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/admin/users?done=invited"
    [message] = _outbox(session)
    assert message.kind == "account_invitation" and message.to_address == "new.member@example.org"
    listing = admin_client.get("/admin/users?done=invited")
    assert "emailed a link to choose their password" in listing.text
    assert "Send the invitation again" in listing.text


def test_without_the_box_a_password_is_still_required(admin_client, session):
    refused = admin_client.post("/admin/users", data={"csrf_token": _token(admin_client),
                                                      "stakeholder_id": str(_newcomer(session).id)})
    assert refused.status_code == 422 and "Enter a one-time password of at least 10 characters" in refused.text
    assert not re.search(r'id="send_invitation"[^>]* checked', refused.text)  # the choice is kept
    assert _outbox(session) == []
    short = admin_client.post("/admin/users", data={"csrf_token": _token(admin_client), "password": "short",
                                                    "stakeholder_id": str(_newcomer(session).id),
                                                    "send_invitation": "true"})
    assert short.status_code == 422 and "leave it out and email an invitation" in short.text


def test_send_the_invitation_again(admin_client, session):
    again = factories.stakeholder(session, name="Again Person", email="again@example.org")
    session.commit()
    admin_client.post("/admin/users", data={"csrf_token": _token(admin_client),
                                            "stakeholder_id": str(again.id), "send_invitation": "true"})
    account = session.exec(select(UserAccount).where(UserAccount.email == "again@example.org")).one()
    resent = admin_client.post(f"/admin/users/{account.id}/invitation", data={"csrf_token": _token(admin_client)},
                               follow_redirects=False)
    assert resent.status_code == 303 and resent.headers["location"] == "/admin/users?done=reinvited"
    assert len(_outbox(session)) == 2
    forged = admin_client.post(f"/admin/users/{account.id}/invitation", data={"csrf_token": "wrong"})
    assert forged.status_code == 403 and len(_outbox(session)) == 2
    account.last_sign_in_at = utcnow()
    session.commit()
    assert f'action="/admin/users/{account.id}/invitation"' not in admin_client.get("/admin/users").text
    late = admin_client.post(f"/admin/users/{account.id}/invitation", data={"csrf_token": _token(admin_client)})
    assert late.status_code == 409 and "signed in already" in late.text


def test_the_welcome_form_needs_its_nonce_and_the_page_is_public(client_factory, person, app, session):
    _, account = person("invited.person@example.org")
    token = invitations.make(app.state.settings, account, utcnow() + timedelta(days=7))
    browser = client_factory()
    page = browser.get(f"/account/welcome?token={token}")
    assert page.status_code == 200 and "Choose your password" in page.text
    stranger = client_factory()  # no nonce cookie: refused, nothing changed
    forged = stranger.post("/account/welcome", data={"csrf_token": hidden_field(page.text, "csrf_token"),
                                                     "token": token, "new_password": "a password 1234",
                                                     "confirm_password": "a password 1234"},
                           follow_redirects=False)
    assert forged.status_code == 403
    assert browser.get(f"/account/welcome?token={token}").status_code == 200  # still live


def test_a_dead_link_shows_a_plain_page(client_factory):
    page = client_factory().get("/account/welcome?token=1.2.x")
    assert page.status_code == 400
    assert "This link has expired or has already been used. Ask an administrator to send a new one." in page.text
