"""Every API operation, for every kind of caller, gives the expected outcome.

Built from the application's own route table (the same routes the OpenAPI document lists): a new
route that names no rule, or a rule with no row below, makes this test fail.
"""

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.main import create_app
from tests import factories
from tests.conftest import make_settings

PUBLIC = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/mail/unsubscribe")}  # the signed link is its credential
CALLERS = ("anonymous", "partner", "stakeholder", "admin")
OK, DENY, SIGN_IN = "ok", 403, 401

# What each rule lets each kind of caller do. Group officer rules arrive with meetings.
EXPECTED = {
    "may_read_bodies": {"anonymous": SIGN_IN, "partner": OK, "stakeholder": OK, "admin": OK},
    "may_read_registry": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": OK, "admin": OK},
    "may_manage_registry": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": DENY, "admin": OK},
    "may_read_audit_log": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": DENY, "admin": OK},
    "may_manage_accounts": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": DENY, "admin": OK},
    "is_person": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": OK, "admin": OK},
    "may_read_indicators": {"anonymous": SIGN_IN, "partner": OK, "stakeholder": OK, "admin": OK},
    "may_manage_indicators": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": DENY, "admin": OK},
    "may_read_outcomes": {"anonymous": SIGN_IN, "partner": OK, "stakeholder": OK, "admin": OK},
    "may_report_outcomes": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": OK, "admin": OK},
    "may_manage_pilots": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": DENY, "admin": OK},
    "may_read_group_business": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": OK, "admin": OK},
    "may_manage_own_sign_in": {"anonymous": SIGN_IN, "partner": DENY, "stakeholder": OK, "admin": OK},
}


def _rule_of(route: APIRoute) -> str | None:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        rule = getattr(dependency.call, "rule", None)
        if rule is not None:
            return rule.__name__
        pending.extend(dependency.dependencies)
    return None


def all_routes(app) -> list:
    """Every route with its full path (newer FastAPI keeps included routers nested)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI flattens included routers into app.routes
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def _api_routes(app):
    found = False
    for route in all_routes(app):
        if isinstance(route.original_route if hasattr(route, "original_route") else route, APIRoute) \
                and route.path.startswith("/api/v1") and route.include_in_schema:
            found = True
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route
    assert found, "no API routes found: has the route table changed shape?"


@pytest.fixture
def production_app(database_url, engine):
    return create_app(make_settings(database_url, env="production", secret_key="m" * 40))


@pytest.fixture
def tokens(production_app, session):
    person = factories.stakeholder(session, email="someone@example.org")
    for email, is_admin, stakeholder_id in [("admin@example.org", True, None),
                                             ("someone@example.org", False, person.id)]:
        auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
            "email": email, "password": "matrix-password", "is_admin": is_admin, "stakeholder_id": stakeholder_id})
    _, secret = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Partner",
                                           scopes="indicators:read outcomes:read registry:read")
    session.commit()
    headers = {"anonymous": {}}
    with TestClient(production_app) as c:
        for caller, form in [
            ("admin", {"grant_type": "password", "username": "admin@example.org", "password": "matrix-password"}),
            ("stakeholder", {"grant_type": "password", "username": "someone@example.org",
                             "password": "matrix-password"}),
            ("partner", {"grant_type": "client_credentials", "client_id": "partner", "client_secret": secret}),
        ]:
            token = c.post("/api/v1/auth/token", data=form).json()["access_token"]
            headers[caller] = {"Authorization": f"Bearer {token}"}
    return headers


def test_every_route_names_a_rule_with_expectations(production_app):
    missing = []
    for method, route in _api_routes(production_app):
        if (method, route.path) in PUBLIC:
            continue
        rule = _rule_of(route)
        if rule not in EXPECTED:
            missing.append(f"{method} {route.path} -> {rule}")
    assert not missing, "routes without an authorisation rule in the matrix:\n" + "\n".join(missing)


def test_matrix(production_app, tokens):
    failures, checked = [], 0
    with TestClient(production_app, raise_server_exceptions=False) as c:
        for method, route in _api_routes(production_app):
            if (method, route.path) in PUBLIC:
                continue
            expected = EXPECTED[_rule_of(route)]
            # Ids that do not exist: an allowed caller gets past the rule to a 404/422, a
            # refused one is stopped at the rule.
            path = re.sub(r"\{gss_code\}", "E08000012", route.path)
            path = re.sub(r"\{[a-z_]+\}", "987654", path)
            for caller in CALLERS:
                body = {} if method in ("POST", "PATCH", "PUT") else None
                r = c.request(method, path, headers=tokens[caller], json=body)
                got = OK if r.status_code not in (401, 403) else r.status_code
                checked += 1
                if got != expected[caller]:
                    failures.append(f"{caller} {method} {route.path}: expected {expected[caller]}, got {r.status_code}")
                assert r.status_code < 500, (caller, method, path, r.text)
    assert checked >= 4 * 20, checked  # the registry, audit and account routes at least
    assert not failures, "\n".join(failures)


# The web door: the same rules, asked of the session cookie's person. Partner clients have no
# web sign-in at all (tests/web/test_sign_in.py), so their column is not asked here.
WEB_PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/mail/unsubscribe"), ("POST", "/mail/unsubscribe"),
              ("GET", "/account/welcome"), ("POST", "/account/welcome"),  # the signed link is the credential
              # Public information, linked from every page's footer, readable before signing in.
              ("GET", "/accessibility"), ("GET", "/privacy"), ("GET", "/help")}
WEB_CALLERS = ("anonymous", "stakeholder", "admin")


def _web_routes(app):
    for route in all_routes(app):
        if isinstance(route.original_route if hasattr(route, "original_route") else route, APIRoute) \
                and not route.path.startswith(("/api/", "/healthz", "/readyz", "/fingertips")):
            # /fingertips is the open-data door, not a page: published indicators to anyone, by
            # design (tests/api/test_fingertips_door.py shows unpublished ones stay hidden).
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route


def _web_client(app, caller):
    client = TestClient(app, raise_server_exceptions=False, base_url="https://testserver")
    if caller != "anonymous":
        email = "admin@example.org" if caller == "admin" else "someone@example.org"
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        signed = client.post("/login", data={"email": email, "password": "matrix-password", "csrf_token": token},
                             follow_redirects=False)
        assert signed.status_code == 303, signed.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        client.headers["X-CSRF-Token"] = csrf  # the rule is under test here, not CSRF
    return client


def test_every_web_route_names_a_rule_with_expectations(production_app):
    routes = list(_web_routes(production_app))
    assert {path for _, path in WEB_PUBLIC} <= {route.path for _, route in routes}
    missing = [f"{m} {r.path} -> {_rule_of(r)}" for m, r in routes
               if (m, r.path) not in WEB_PUBLIC and _rule_of(r) not in EXPECTED]
    assert not missing, "web routes without an authorisation rule:\n" + "\n".join(missing)


def test_web_matrix(production_app, tokens):
    failures, checked = [], 0
    for method, route in _web_routes(production_app):
        if (method, route.path) in WEB_PUBLIC:
            continue
        expected = EXPECTED[_rule_of(route)]
        path = re.sub(r"\{slug\}", "no-such-group", route.path)
        path = re.sub(r"\{[a-z_]+\}", "987654", path)
        for caller in WEB_CALLERS:
            # A fresh sign-in per request: signing out must not spoil the next check.
            with _web_client(production_app, caller) as c:
                r = c.request(method, path, follow_redirects=False)
            # A page is redirected to sign in; a form sent without a session is answered with the
            # sign-in page itself (401), which keeps what was typed (web/drafts.py).
            sent_to_sign_in = (r.status_code == 303 and r.headers["location"].startswith("/login?next=")) or (
                r.status_code == 401 and 'action="/login' in r.text)
            got = SIGN_IN if sent_to_sign_in else 403 if r.status_code == 403 else OK
            checked += 1
            if got != expected[caller]:
                failures.append(f"{caller} {method} {route.path}: expected {expected[caller]}, got {r.status_code}")
            assert r.status_code < 500, (caller, method, path, r.text)
    assert checked >= 3 * 4, checked
    assert not failures, "\n".join(failures)
