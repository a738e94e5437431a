"""Account administration pages: create, disable and re-enable, one-time passwords."""

import re

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth.models import UserAccount
from tests import factories
from tests.web.conftest import hidden_field, sign_in

ONE_TIME = "one-time-password-9"


@pytest.fixture
def admin_client(client_factory, person):
    admin, _ = person("site.admin@example.org", is_admin=True, name="Sam Admin")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _token(client) -> str:
    return hidden_field(client.get("/admin/users").text, "csrf_token")


def _account(session, email):
    session.expire_all()
    return session.exec(select(UserAccount).where(UserAccount.email == email)).first()


def test_admin_creates_an_account_for_a_person_chosen_from_the_directory(admin_client, session):
    person = factories.stakeholder(session, name="Robin Newcomer", email="robin.newcomer@example.org")
    session.commit()
    response = admin_client.post("/admin/users", data={"csrf_token": _token(admin_client),
                                                       "stakeholder_id": str(person.id), "password": ONE_TIME},
                                 follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/users?done=created"
    account = _account(session, person.email)
    assert account.stakeholder_id == person.id and account.must_change_password and not account.is_admin
    page = admin_client.get("/admin/users?done=created")
    assert "Account created." in page.text and "Robin Newcomer" in page.text and "Must choose a password" in page.text
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).all()


def test_invalid_account_forms_keep_input_and_write_nothing(admin_client, session):
    token = _token(admin_client)
    bad = admin_client.post("/admin/users", data={"csrf_token": token, "stakeholder_id": "", "password": "short",
                                                  "is_admin": "true"})
    assert bad.status_code == 422 and "<title>Error: Accounts" in bad.text
    assert "Choose the person to give an account" in bad.text
    assert "Enter a one-time password of at least 10 characters" in bad.text
    assert 'id="is_admin" name="is_admin" type="checkbox" value="true" checked' in bad.text
    admin = session.exec(select(UserAccount)).one()
    taken = admin_client.post("/admin/users", data={"csrf_token": token, "stakeholder_id": str(admin.stakeholder_id),
                                                    "password": ONE_TIME})
    assert taken.status_code == 422 and "Sam Admin already has an account" in taken.text
    assert len(session.exec(select(UserAccount)).all()) == 1


def test_disable_ends_sessions_and_enable_restores(admin_client, client_factory, person, session):
    member, account = person("member.one@example.org")
    other = client_factory()
    assert sign_in(other, member.email).status_code == 303
    token = _token(admin_client)
    assert admin_client.post(f"/admin/users/{account.id}/disable", data={"csrf_token": token},
                             follow_redirects=False).headers["location"] == "/admin/users?done=disabled"
    assert other.get("/", follow_redirects=False).status_code == 303
    assert _account(session, member.email).is_active is False
    admin_client.post(f"/admin/users/{account.id}/enable", data={"csrf_token": token})
    assert _account(session, member.email).is_active is True
    assert sign_in(other, member.email).status_code == 303


def test_admins_cannot_disable_themselves(admin_client, session):
    me = _account(session, "site.admin@example.org")
    response = admin_client.post(f"/admin/users/{me.id}/disable", data={"csrf_token": _token(admin_client)})
    assert response.status_code == 409 and "You cannot disable your own account" in response.text
    assert _account(session, "site.admin@example.org").is_active


def test_one_time_password(admin_client, person, session):
    member, account = person("member.two@example.org")
    token = _token(admin_client)
    short = admin_client.post(f"/admin/users/{account.id}/password", data={"csrf_token": token, "password": "x"})
    assert short.status_code == 422 and f'id="password-{account.id}-error"' in short.text
    done = admin_client.post(f"/admin/users/{account.id}/password", data={"csrf_token": token, "password": ONE_TIME},
                             follow_redirects=False)
    assert done.status_code == 303
    assert _account(session, member.email).must_change_password
    missing = admin_client.post("/admin/users/987654/password", data={"csrf_token": token, "password": ONE_TIME})
    assert missing.status_code == 404


def test_changes_need_the_csrf_token(admin_client, person, session):
    _, account = person("member.three@example.org")
    assert admin_client.post(f"/admin/users/{account.id}/disable").status_code == 403
    assert _account(session, "member.three@example.org").is_active


def test_people_who_are_not_admins_are_refused(anonymous_client, person):
    client = anonymous_client
    member, _ = person("not.admin@example.org")
    sign_in(client, member.email)
    assert client.get("/admin/users").status_code == 403
    assert 'href="/admin"' not in client.get("/").text


def test_account_list_costs_the_same_queries_for_more_accounts(admin_client, session, count_queries):
    admin_client.get("/admin/users")
    with count_queries() as few:
        admin_client.get("/admin/users")
    for n in range(12):
        factories.person_with_account(session, f"extra{n}@example.org")
    session.commit()
    with count_queries() as many:
        assert "extra11@example.org" in admin_client.get("/admin/users").text
    assert many.count == few.count


def test_partner_clients_are_created_with_a_secret_shown_once_and_can_be_revoked(admin_client, anonymous_client):
    token = hidden_field(admin_client.get("/admin/clients").text, "csrf_token")
    made = admin_client.post("/admin/clients", data={"csrf_token": token, "name": "Evaluation Partner",
                                                     "scopes": ["indicators:read", "outcomes:read"]})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    secret = re.search(r'<code class="ata-secret">([^<]+)</code>', made.text).group(1)
    assert "indicators:read outcomes:read" in made.text
    assert secret not in admin_client.get("/admin/clients").text  # shown once only
    grant = {"grant_type": "client_credentials", "client_id": "evaluation-partner", "client_secret": secret}
    assert anonymous_client.post("/api/v1/auth/token", data=grant).status_code == 200

    revoked = admin_client.post("/admin/clients/evaluation-partner/revoke", data={"csrf_token": token},
                                follow_redirects=False)
    assert revoked.headers["location"] == "/admin/clients?done=revoked"
    assert anonymous_client.post("/api/v1/auth/token", data=grant).status_code == 401
    assert "Revoked" in admin_client.get("/admin/clients?done=revoked").text


def test_partner_client_form_errors(admin_client):
    token = hidden_field(admin_client.get("/admin/clients").text, "csrf_token")
    empty = admin_client.post("/admin/clients", data={"csrf_token": token, "name": "  "})
    assert empty.status_code == 422 and "Enter the partner system&#39;s name" in empty.text
    odd = admin_client.post("/admin/clients", data={"csrf_token": token, "name": "Odd", "scopes": ["root"]})
    assert odd.status_code == 422 and "Unknown scope" in odd.text
    assert "Odd" not in admin_client.get("/admin/clients").text.split("<h2>")[0]
    assert admin_client.post("/admin/clients/no-such/revoke", data={"csrf_token": token}).status_code == 404


def test_disable_and_revoke_ask_first_and_change_nothing_until_confirmed(admin_client, person, session):
    member, account = person("member.four@example.org")
    listing = admin_client.get("/admin/users").text
    assert f'href="/admin/users/{account.id}/disable"' in listing  # a link to the question, not a button that acts
    question = admin_client.get(f"/admin/users/{account.id}/disable")
    assert question.status_code == 200 and "Disable the account member.four@example.org?" in question.text
    assert f'action="/admin/users/{account.id}/disable"' in question.text and 'href="/admin/users"' in question.text
    assert _account(session, member.email).is_active  # asking changed nothing

    token = hidden_field(admin_client.get("/admin/clients").text, "csrf_token")
    admin_client.post("/admin/clients", data={"csrf_token": token, "name": "Survey Partner"})
    assert 'href="/admin/clients/survey-partner/revoke"' in admin_client.get("/admin/clients").text
    ask = admin_client.get("/admin/clients/survey-partner/revoke")
    assert ask.status_code == 200 and "Revoke the partner client Survey Partner?" in ask.text
    assert "Active" in admin_client.get("/admin/clients").text
    admin_client.post("/admin/clients/survey-partner/revoke", data={"csrf_token": token})
    again = admin_client.get("/admin/clients/survey-partner/revoke")
    assert "This client is already revoked." in again.text and 'action="/admin/clients' not in again.text
    assert admin_client.get("/admin/clients/no-such/revoke").status_code == 404
