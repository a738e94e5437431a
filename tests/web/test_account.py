"""Choosing a new password on the web, and the one-time password that forces it."""

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from tests.factories import PASSWORD
from tests.web.conftest import hidden_field, sign_in
from web.auth import SESSION_COOKIE

NEW = "a-brand-new-password"


def _post(client, **fields):
    token = hidden_field(client.get("/account/password").text, "csrf_token")
    return client.post("/account/password", data={"csrf_token": token, **fields}, follow_redirects=False)


def test_a_one_time_password_sends_every_page_to_the_change_form(client, person, session):
    stakeholder, account = person()
    auth_service.update_user(session, actor=SYSTEM_SUBJECT, user=account, changes={"password": "one-time-pass-1"})
    session.commit()
    assert sign_in(client, stakeholder.email, "one-time-pass-1").status_code == 303
    for path in ("/", "/groups"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/account/password", path
    page = client.get("/account/password")
    assert "An administrator gave you a one-time password" in page.text

    done = _post(client, current_password="one-time-pass-1", new_password=NEW, confirm_password=NEW)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert client.get("/", follow_redirects=False).status_code == 200
    client.cookies.clear()
    assert sign_in(client, stakeholder.email, NEW).status_code == 303


def test_mistakes_re_render_with_field_errors_and_change_nothing(signed_in):
    client, stakeholder = signed_in
    cases = [
        ({"current_password": "", "new_password": NEW, "confirm_password": NEW}, "Enter your current password"),
        ({"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
         "Enter a new password of at least 10 characters"),
        ({"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW + "x"},
         "The new passwords do not match"),
        ({"current_password": "wrong-password", "new_password": NEW, "confirm_password": NEW},
         "The current password is not right"),
        ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
         "Choose a password different from the current one"),
    ]
    for fields, message in cases:
        response = _post(client, **fields)
        assert response.status_code == 422 and message in response.text, message
        assert PASSWORD not in response.text and NEW not in response.text  # passwords are never echoed
    client.cookies.clear()
    assert sign_in(client, stakeholder.email).status_code == 303  # the old password still works


def test_changing_the_password_ends_other_sessions(client, person):
    stakeholder, _ = person()
    sign_in(client, stakeholder.email)
    other_browser = client.cookies[SESSION_COOKIE]
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, other_browser, domain="testserver.local")
    assert client.get("/", follow_redirects=False).status_code == 200  # the other browser is signed in
    client.cookies.clear()
    sign_in(client, stakeholder.email)
    assert _post(client, current_password=PASSWORD, new_password=NEW, confirm_password=NEW).status_code == 303
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, other_browser, domain="testserver.local")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_change_needs_the_csrf_token(signed_in):
    client, _ = signed_in
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW,
                                                        "confirm_password": NEW})
    assert response.status_code == 403
