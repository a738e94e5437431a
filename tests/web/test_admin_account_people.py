"""Accounts are made for people in the directory, chosen from a list; an account with no person
says so and is linked to one from the accounts page (audited)."""

import pytest
from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.authz import SYSTEM_SUBJECT
from api.mail.models import OutboxMessage
from tests import factories
from tests.web.conftest import hidden_field, sign_in


@pytest.fixture
def admin_client(client_factory, person):
    admin, _ = person("accounts.admin@example.org", is_admin=True, name="Ash Admin")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _token(client) -> str:
    return hidden_field(client.get("/admin/users").text, "csrf_token")


def test_the_form_offers_people_without_an_account_and_invites_by_default(admin_client, session, person):
    with_account, _ = person("has.one@example.org", name="Hana Hasone")
    newcomer = factories.stakeholder(session, name="Nia Newcomer", email="nia@example.org")
    no_email = factories.stakeholder(session, name="Noel Noemail", email=None)
    session.commit()
    page = admin_client.get("/admin/users").text
    form = page.split('id="new-account"')[1]
    assert f'<option value="{newcomer.id}">Nia Newcomer (nia@example.org)</option>' in form
    assert f'value="{with_account.id}"' not in form and f'value="{no_email.id}"' not in form
    assert "no email address for them: Noel Noemail" in form
    assert 'name="email"' not in form  # chosen, never typed
    made = admin_client.post("/admin/users", follow_redirects=False, data={
        "csrf_token": _token(admin_client), "stakeholder_id": str(newcomer.id), "send_invitation": "true"})
    assert made.status_code == 303 and made.headers["location"] == "/admin/users?done=invited"
    session.expire_all()
    account = session.exec(select(UserAccount).where(UserAccount.stakeholder_id == newcomer.id)).one()
    assert account.email == "nia@example.org"
    [message] = session.exec(select(OutboxMessage)).all()
    assert message.kind == "account_invitation" and message.to_address == "nia@example.org"


def test_someone_without_an_email_address_cannot_be_given_an_account(admin_client, session):
    no_email = factories.stakeholder(session, name="Noel Noemail", email=None)
    session.commit()
    refused = admin_client.post("/admin/users", data={"csrf_token": _token(admin_client),
                                                      "stakeholder_id": str(no_email.id), "send_invitation": "true"})
    assert refused.status_code == 422 and "Noel Noemail has no email address in the directory" in refused.text
    assert len(session.exec(select(UserAccount)).all()) == 1


def test_an_account_with_no_person_says_so_and_is_linked_to_one(admin_client, session):
    orphan = auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
        "email": "orphan@example.org", "password": "a-long-password-1"})
    person = factories.stakeholder(session, name="Olive Orphan", email="olive@example.org")
    session.commit()
    page = admin_client.get("/admin/users").text
    row = page.split(f'id="account-{orphan.id}"')[1].split("</tr>")[0]
    assert "Not linked to anyone in the directory" in row
    assert f'action="/admin/users/{orphan.id}/person"' in row and f'<option value="{person.id}">' in row
    token = _token(admin_client)
    blank = admin_client.post(f"/admin/users/{orphan.id}/person", data={"csrf_token": token, "stakeholder_id": ""})
    assert blank.status_code == 422 and "Choose the person in the directory whose account orphan@example.org is" in \
        blank.text and f'id="link-{orphan.id}-error"' in blank.text
    assert admin_client.post(f"/admin/users/{orphan.id}/person",
                             data={"stakeholder_id": str(person.id)}).status_code == 403  # no CSRF token
    linked = admin_client.post(f"/admin/users/{orphan.id}/person", follow_redirects=False,
                               data={"csrf_token": token, "stakeholder_id": str(person.id)})
    assert linked.status_code == 303 and linked.headers["location"] == "/admin/users?done=linked"
    session.expire_all()
    assert session.get(UserAccount, orphan.id).stakeholder_id == person.id
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.update",
                                                  AuditEvent.entity_id == str(orphan.id))).one()
    assert event.after["stakeholder_id"] == person.id
    page = admin_client.get("/admin/users?done=linked").text
    assert "Account linked to the person in the directory." in page
    assert f'<a href="/people/{person.id}">Olive Orphan</a>' in page


def test_linking_to_someone_who_has_an_account_is_refused(admin_client, session, person):
    taken, _ = person("taken.person@example.org", name="Tia Taken")
    orphan = auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
        "email": "orphan2@example.org", "password": "a-long-password-1"})
    session.commit()
    refused = admin_client.post(f"/admin/users/{orphan.id}/person",
                                data={"csrf_token": _token(admin_client), "stakeholder_id": str(taken.id)})
    assert refused.status_code == 422 and "That person already has an account" in refused.text
    session.expire_all()
    assert session.get(UserAccount, orphan.id).stakeholder_id is None


def test_only_admins_link_accounts(client_factory, person, session):
    member, account = person("plain.member@example.org")
    browser = client_factory()
    sign_in(browser, member.email)
    token = hidden_field(browser.get("/").text, "csrf_token")
    assert browser.post(f"/admin/users/{account.id}/person",
                        data={"csrf_token": token, "stakeholder_id": str(member.id)}).status_code == 403


def test_the_api_links_an_account_to_a_person_too(client, session):
    orphan = auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
        "email": "api.orphan@example.org", "password": "a-long-password-1"})
    person = factories.stakeholder(session, name="Api Person", email="api.person@example.org")
    session.commit()
    linked = client.patch(f"/api/v1/users/{orphan.id}", json={"stakeholder_id": person.id})
    assert linked.status_code == 200 and linked.json()["stakeholder_id"] == person.id


def test_an_address_already_used_by_an_unlinked_account_is_explained(admin_client, session):
    orphan = auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
        "email": "shared@example.org", "password": "a-long-password-1"})
    person = factories.stakeholder(session, name="Sam Shared", email="shared@example.org")
    session.commit()
    refused = admin_client.post("/admin/users", data={"csrf_token": _token(admin_client),
                                                      "stakeholder_id": str(person.id), "send_invitation": "true"})
    assert refused.status_code == 422
    assert "There is already an account for shared@example.org: if it is theirs, link it to them" in refused.text
    session.expire_all()
    assert session.get(UserAccount, orphan.id).stakeholder_id is None
    assert session.exec(select(OutboxMessage)).all() == []
