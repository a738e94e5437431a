"""Sign-in with tokens: people (password grant) and partner systems (client credentials)."""

from fastapi.testclient import TestClient

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.main import create_app
from tests import factories
from tests.conftest import make_settings

PASSWORD = "correct-horse-battery"


def _account(session, *, is_admin=False, email="person@example.org"):
    person = factories.stakeholder(session, email=email)
    user = auth_service.create_user(session, actor=SYSTEM_SUBJECT, data={
        "email": email, "password": PASSWORD, "stakeholder_id": person.id, "is_admin": is_admin})
    session.commit()
    return user, person


def _token(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", data={"grant_type": "password", "username": username,
                                                   "password": password})


def _bearer(client, username, password=PASSWORD):
    r = _token(client, username, password)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_password_grant_and_me(client, session):
    _user, person = _account(session)
    group = factories.group(session, name="Age Well Thematic Group")
    factories.membership(session, group=group, stakeholder=person, role="chair")
    session.commit()
    r = _token(client, "Person@Example.org")
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    assert r.headers["cache-control"] == "no-store"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert me["account"]["email"] == "person@example.org"
    assert me["stakeholder"]["id"] == person.id
    assert me["roles"] == ["chair"]
    assert me["memberships"][0]["group_name"] == "Age Well Thematic Group"
    assert "password_hash" not in str(me)


def test_wrong_password_is_refused_and_audited(client, session):
    _account(session)
    r = _token(client, "person@example.org", "wrong-password")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    assert r.headers["content-type"] == "application/problem+json"
    unknown = _token(client, "nobody@example.org", "whatever-password")
    assert unknown.status_code == 400 and unknown.json()["detail"] == r.json()["detail"]
    failures = client.get("/api/v1/audit-events?action=auth.sign_in_failed").json()["items"]
    assert len(failures) == 2


def test_member_reads_but_cannot_change_the_registry(client, session):
    _account(session)
    auth = _bearer(client, "person@example.org")
    assert client.get("/api/v1/stakeholders", headers=auth).status_code == 200
    r = client.post("/api/v1/organisations", json={"name": "X", "sector": "public"}, headers=auth)
    assert r.status_code == 403
    assert client.get("/api/v1/audit-events", headers=auth).status_code == 403
    assert client.get("/api/v1/users", headers=auth).status_code == 403
    _account(session, is_admin=True, email="admin@example.org")
    denials = client.get("/api/v1/audit-events?action=authz.denied", headers=_bearer(client, "admin@example.org"))
    assert [e["after"]["rule"] for e in denials.json()["items"]] == [
        "may_manage_accounts", "may_read_audit_log", "may_manage_registry"]
    assert client.get("/api/v1/organisations", headers=auth).json()["items"] == []


def test_admin_actions_are_audited_as_the_admin(client, session):
    admin, _ = _account(session, is_admin=True, email="admin@example.org")
    auth = _bearer(client, "admin@example.org")
    assert client.post("/api/v1/organisations", json={"name": "X", "sector": "public"}, headers=auth).status_code == 201
    event = client.get("/api/v1/audit-events?action=organisation.create", headers=auth).json()["items"][0]
    assert event["actor_kind"] == "user" and event["actor_id"] == str(admin.id)
    assert event["actor_label"] == "admin@example.org"


def test_disabling_an_account_ends_its_tokens_at_once(client, session):
    _account(session, is_admin=True, email="admin@example.org")
    user, _ = _account(session, email="member@example.org")
    admin = _bearer(client, "admin@example.org")
    member = _bearer(client, "member@example.org")
    assert client.get("/api/v1/me", headers=member).status_code == 200
    assert client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin).status_code == 200
    assert client.get("/api/v1/me", headers=member).status_code == 401
    assert _token(client, "member@example.org").status_code == 400
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": True}, headers=admin)
    assert _token(client, "member@example.org").status_code == 200


def test_one_time_password_resets_sessions(client, session):
    _account(session, is_admin=True, email="admin@example.org")
    user, _ = _account(session, email="member@example.org")
    admin = _bearer(client, "admin@example.org")
    old = _bearer(client, "member@example.org")
    r = client.patch(f"/api/v1/users/{user.id}", json={"password": "one-time-pass-123"}, headers=admin)
    assert r.json()["must_change_password"] is True
    assert client.get("/api/v1/me", headers=old).status_code == 401
    assert _token(client, "member@example.org", "one-time-pass-123").status_code == 200
    event = client.get("/api/v1/audit-events?action=user.password_reset", headers=admin).json()["items"][0]
    assert "hash" not in str(event)


def test_a_one_time_password_must_be_replaced_before_anything_else(client, session):
    _account(session, is_admin=True, email="admin@example.org")
    user, _ = _account(session, email="member@example.org")
    admin = _bearer(client, "admin@example.org")
    client.patch(f"/api/v1/users/{user.id}", json={"password": "one-time-pass-123"}, headers=admin)
    temporary = _bearer(client, "member@example.org", "one-time-pass-123")
    blocked = client.get("/api/v1/me", headers=temporary)
    assert blocked.status_code == 403 and blocked.json()["type"] == "/problems/password-change-required"
    assert client.get("/api/v1/stakeholders", headers=temporary).status_code == 403

    change = "/api/v1/me/password"
    wrong = client.post(change, json={"current_password": "nope", "new_password": "my-own-password-1"},
                        headers=temporary)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["body", "current_password"]
    same = client.post(change, json={"current_password": "one-time-pass-123", "new_password": "one-time-pass-123"},
                       headers=temporary)
    assert same.status_code == 422
    short = client.post(change, json={"current_password": "one-time-pass-123", "new_password": "short"},
                        headers=temporary)
    assert short.status_code == 422
    done = client.post(change, json={"current_password": "one-time-pass-123", "new_password": "my-own-password-1"},
                       headers=temporary)
    assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
    fresh = {"Authorization": f"Bearer {done.json()['access_token']}"}
    assert client.get("/api/v1/me", headers=fresh).json()["account"]["must_change_password"] is False
    assert client.get("/api/v1/me", headers=temporary).status_code == 401  # the old token ended
    assert _token(client, "member@example.org", "my-own-password-1").status_code == 200
    assert _token(client, "member@example.org", "one-time-pass-123").status_code == 400


def test_user_admin_validation(client, session):
    _account(session, is_admin=True, email="admin@example.org")
    admin = _bearer(client, "admin@example.org")
    me = client.get("/api/v1/me", headers=admin).json()["account"]
    assert client.post("/api/v1/users", json={"email": "a@example.org", "password": "short"},
                       headers=admin).status_code == 422
    assert client.post("/api/v1/users", json={"email": "ADMIN@example.org", "password": "long-enough-pw"},
                       headers=admin).status_code == 409
    assert client.post("/api/v1/users", json={"email": "b@example.org", "password": "long-enough-pw",
                                              "stakeholder_id": 9999}, headers=admin).status_code == 422
    assert client.patch(f"/api/v1/users/{me['id']}", json={"is_active": False}, headers=admin).status_code == 409
    created = client.post("/api/v1/users", json={"email": "c@example.org", "password": "long-enough-pw"},
                          headers=admin)
    assert created.status_code == 201 and "password" not in created.json()


def test_bad_bearer_tokens_are_401(client):
    for header in ["Bearer", "Bearer not.a.token", "Basic dXNlcjpwYXNz", "Bearer " + "a" * 5000]:
        r = client.get("/api/v1/stakeholders", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_client_credentials(client, session):
    partner, secret = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Demo Partner",
                                                 scopes="indicators:read registry:read")
    session.commit()
    grant = {"grant_type": "client_credentials", "client_id": partner.client_id, "client_secret": secret}
    r = client.post("/api/v1/auth/token", data=grant)
    assert r.status_code == 200 and r.json()["scope"] == "indicators:read registry:read"
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.get("/api/v1/groups", headers=auth).status_code == 200
    assert client.get("/api/v1/organisations", headers=auth).status_code == 200
    assert client.get("/api/v1/stakeholders", headers=auth).status_code == 403  # people's details
    assert client.get("/api/v1/me", headers=auth).status_code == 403

    narrow = client.post("/api/v1/auth/token", data=grant | {"scope": "indicators:read"}).json()
    narrow_auth = {"Authorization": f"Bearer {narrow['access_token']}"}
    assert client.get("/api/v1/groups", headers=narrow_auth).status_code == 403

    assert client.post("/api/v1/auth/token", data=grant | {"scope": "outcomes:read"}).status_code == 400
    wrong = client.post("/api/v1/auth/token", data=grant | {"client_secret": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"

    auth_service.revoke_client(session, actor=SYSTEM_SUBJECT, client=partner)
    session.commit()
    assert client.get("/api/v1/groups", headers=auth).status_code == 401
    assert client.post("/api/v1/auth/token", data=grant).status_code == 401


def test_unsupported_grant_and_missing_fields(client):
    assert client.post("/api/v1/auth/token", data={"grant_type": "implicit"}).json()["error"] == \
        "unsupported_grant_type"
    assert client.post("/api/v1/auth/token", data={"grant_type": "password"}).status_code == 400
    assert client.post("/api/v1/auth/token", data={}).status_code == 422


def test_tokens_work_in_production(database_url, session):
    _account(session, is_admin=True, email="admin@example.org")
    app = create_app(make_settings(database_url, env="production", secret_key="p" * 40))
    with TestClient(app) as c:
        assert c.get("/api/v1/stakeholders").status_code == 401
        assert c.get("/api/v1/stakeholders", headers=_bearer(c, "admin@example.org")).status_code == 200


def test_without_credentials_only_health_and_sign_in_answer(anonymous_client):
    for path in ("/api/v1/stakeholders", "/api/v1/groups", "/api/v1/places", "/api/v1/me", "/api/v1/audit-events"):
        response = anonymous_client.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"].startswith("application/problem+json")
    assert anonymous_client.get("/healthz").status_code == 200
    assert anonymous_client.get("/readyz").status_code == 200
    assert anonymous_client.get("/login").status_code == 200
    assert anonymous_client.get("/groups", follow_redirects=False).status_code == 303


def test_admins_manage_partner_clients_through_the_api(client, anonymous_client):
    created = client.post("/api/v1/clients", json={"name": "Council Intelligence", "scopes": ["indicators:read"]})
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    body = created.json()
    assert body["client_id"] == "council-intelligence" and body["scopes"] == ["indicators:read"]
    assert created.headers["location"].endswith("/api/v1/clients/council-intelligence")
    secret = body["client_secret"]
    listed = client.get("/api/v1/clients").json()["items"]
    assert [c["client_id"] for c in listed] == ["council-intelligence"] and "client_secret" not in listed[0]

    grant = {"grant_type": "client_credentials", "client_id": "council-intelligence", "client_secret": secret}
    token = anonymous_client.post("/api/v1/auth/token", data=grant).json()["access_token"]
    partner = {"Authorization": f"Bearer {token}"}
    assert anonymous_client.get("/api/v1/clients", headers=partner).status_code == 403

    revoked = client.post("/api/v1/clients/council-intelligence/revoke")
    assert revoked.status_code == 200 and revoked.json()["is_active"] is False and revoked.json()["revoked_at"]
    assert anonymous_client.get("/api/v1/places", headers=partner).status_code == 401
    assert anonymous_client.post("/api/v1/auth/token", data=grant).status_code == 401
    assert client.post("/api/v1/clients/council-intelligence/revoke").status_code == 200  # idempotent


def test_partner_client_input_is_checked(client):
    assert client.post("/api/v1/clients", json={"name": "X", "scopes": ["everything"]}).status_code == 422
    assert client.post("/api/v1/clients", json={"name": "", "scopes": []}).status_code == 422
    assert client.post("/api/v1/clients", json={"name": "X", "scopes": [], "client_id": "Bad Id"}).status_code == 422
    assert client.post("/api/v1/clients", json={"name": "Dup", "scopes": []}).status_code == 201
    assert client.post("/api/v1/clients", json={"name": "Dup", "scopes": []}).status_code == 409
    assert client.get("/api/v1/clients/no-such-client").status_code == 404
    assert client.post("/api/v1/clients/no-such-client/revoke").status_code == 404
