"""Signing in and out of the web pages: cookies, CSRF, throttling, audit, redirects."""

from sqlmodel import select

from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from tests.web.conftest import PASSWORD, hidden_field, sign_in
from web.auth import SESSION_COOKIE, SIGN_IN_COOKIE


def test_sign_in_page_is_accessible_html(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<label class="nhsuk-label" for="email">Email</label>' in page.text
    assert '<label class="nhsuk-label" for="password">Password</label>' in page.text
    assert ">Sign in</button>" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["vary"] == "HX-Request"
    nonce = page.cookies.get(SIGN_IN_COOKIE)
    assert nonce and "HttpOnly" in page.headers["set-cookie"] and "SameSite=lax" in page.headers["set-cookie"]


def test_signed_out_pages_redirect_to_sign_in(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    response = client.get("/groups", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/groups"
    htmx = client.get("/groups", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/login?next=/groups"


def test_sign_in_sets_a_fresh_httponly_session_and_returns_to_next(client, person, session):
    stakeholder, _ = person()
    response = sign_in(client, stakeholder.email, next_path="/groups")
    assert response.status_code == 303 and response.headers["location"] == "/groups"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age" not in cookie
    home = client.get("/")
    assert home.status_code == 200 and stakeholder.email in home.text and ">Sign out</button>" in home.text
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in")).all()
    assert [e.after for e in events] == [{"channel": "web"}]


def test_sign_in_rotates_the_session_identifier(client, person):
    stakeholder, _ = person()
    sign_in(client, stakeholder.email)
    first = client.cookies[SESSION_COOKIE]
    sign_in(client, stakeholder.email)
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    client.cookies.set(SESSION_COOKIE, first)
    assert client.get("/", follow_redirects=False).status_code == 303  # the old one is gone


def test_next_never_leaves_the_site(client, person):
    stakeholder, _ = person()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = sign_in(client, stakeholder.email, next_path=target)
        assert response.headers["location"] == "/"


def test_wrong_password_re_renders_the_form_and_is_audited(client, person, session):
    stakeholder, _ = person()
    response = sign_in(client, stakeholder.email, "not-the-password")
    assert response.status_code == 401
    assert "The email address or password is not right" in response.text
    assert f'value="{stakeholder.email}"' in response.text  # what was typed is kept
    assert SESSION_COOKIE not in client.cookies
    failed = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).one()
    assert failed.after == {"username": stakeholder.email, "channel": "web"}


def test_missing_fields_get_field_errors(client):
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": hidden_field(page.text, "csrf_token")})
    assert response.status_code == 422
    assert "Enter your email address" in response.text and "Enter your password" in response.text
    assert 'aria-describedby="email-error"' in response.text


def test_sign_in_without_the_form_token_is_refused(client, person):
    stakeholder, _ = person()
    client.get("/login")
    response = client.post("/login", data={"email": stakeholder.email, "password": PASSWORD})
    assert response.status_code == 403 and "text/html" in response.headers["content-type"]
    forged = client.post("/login", data={"email": stakeholder.email, "password": PASSWORD, "csrf_token": "x" * 64})
    assert forged.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_repeated_failures_lock_the_account_with_a_clear_message(client, person, settings):
    stakeholder, _ = person()
    for _ in range(settings.login_max_failures_per_account):
        assert sign_in(client, stakeholder.email, "wrong-password").status_code == 401
    locked = sign_in(client, stakeholder.email)  # even the right password, while locked
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Too many failed sign-in attempts. Try again in" in locked.text
    assert SESSION_COOKIE not in client.cookies


def test_disabled_accounts_and_partner_clients_cannot_sign_in(client, person, session):
    stakeholder, account = person()
    auth_service.update_user(session, actor=SYSTEM_SUBJECT, user=account, changes={"is_active": False})
    session.commit()
    assert sign_in(client, stakeholder.email).status_code == 401
    _, secret = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="partner", scopes="indicators:read")
    session.commit()
    assert sign_in(client, "partner", secret).status_code == 401


def test_disabling_an_account_ends_its_web_session(signed_in, session):
    client, stakeholder = signed_in
    account = session.exec(select(auth_service.UserAccount).where(
        auth_service.UserAccount.email == stakeholder.email)).one()
    auth_service.update_user(session, actor=SYSTEM_SUBJECT, user=account, changes={"is_active": False})
    session.commit()
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"


def test_sign_out_needs_the_csrf_token_and_ends_the_session(signed_in, session):
    client, _ = signed_in
    page = client.get("/")
    token = hidden_field(page.text, "csrf_token")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": "wrong"}, follow_redirects=False).status_code == 403
    assert client.get("/").status_code == 200  # still signed in after the refused attempts
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_out")).one()


def test_htmx_requests_send_the_token_as_a_header(signed_in):
    client, _ = signed_in
    page = client.get("/")
    token = hidden_field(page.text, "csrf_token")
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page.text
    response = client.post("/logout", headers={"HX-Request": "true", "X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_another_sessions_csrf_token_is_refused(client_factory, person):
    first, _ = person("first.browser@example.org")
    second, _ = person("second.browser@example.org")
    a, b = client_factory(), client_factory()
    sign_in(a, first.email)
    sign_in(b, second.email)
    token_of_a = hidden_field(a.get("/").text, "csrf_token")
    assert b.post("/logout", data={"csrf_token": token_of_a}, follow_redirects=False).status_code == 403
    assert b.post("/logout", headers={"X-CSRF-Token": token_of_a}, follow_redirects=False).status_code == 403
    assert b.get("/", follow_redirects=False).status_code == 200  # still signed in
