"""Every group-business operation (meetings, agendas, attendance, minutes, decisions, actions,
documents, calendars, search) by {anonymous, partner client, stakeholder outside the group,
observer, member (an action's owner), secretary, chair, admin}, on real records.

Built from the route table: a new meetings route without a row here makes this test fail.
"""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from tests import factories
from tests.api.test_authz_matrix import DENY, OK, SIGN_IN, _api_routes, _rule_of, production_app  # noqa: F401
from tests.api.test_documents import PDF

# Refused callers first, so that allowed changes (approving, locking) come after every refusal.
CALLERS = ("anonymous", "partner", "outsider", "observer", "member", "secretary", "chair", "admin")
READ = {"anonymous": SIGN_IN, "partner": DENY, "outsider": OK, "observer": OK, "member": OK, "secretary": OK,
        "chair": OK, "admin": OK}
MANAGE = {**READ, "outsider": DENY, "observer": DENY, "member": DENY}
OWNER = {**MANAGE, "member": OK}

# (method, path) -> (expected, request body as keyword arguments). Ids are filled in per run.
ROUTES = {
    ("GET", "/api/v1/groups/{group_id}/meetings"): (READ, {}),
    ("POST", "/api/v1/groups/{group_id}/meetings"): (MANAGE, {"json": {
        "starts_at": "2025-06-01T10:00:00+00:00", "ends_at": "2025-06-01T11:00:00+00:00"}}),
    ("GET", "/api/v1/meetings/{meeting_id}"): (READ, {}),
    ("PATCH", "/api/v1/meetings/{meeting_id}"): (MANAGE, {"json": {"venue": "Online"}}),
    ("DELETE", "/api/v1/meetings/{meeting_id}"): (MANAGE, {}),
    ("GET", "/api/v1/meetings/{meeting_id}/agenda-items"): (READ, {}),
    ("POST", "/api/v1/meetings/{meeting_id}/agenda-items"): (MANAGE, {"json": {"title": "Any other business"}}),
    ("GET", "/api/v1/agenda-items/{item_id}"): (READ, {}),
    ("PATCH", "/api/v1/agenda-items/{item_id}"): (MANAGE, {"json": {"purpose": "For decision"}}),
    ("DELETE", "/api/v1/agenda-items/{item_id}"): (MANAGE, {}),
    ("GET", "/api/v1/meetings/{meeting_id}/attendance"): (READ, {}),
    ("PUT", "/api/v1/meetings/{meeting_id}/attendance"): (MANAGE, {"json": {"items": []}}),
    ("GET", "/api/v1/meetings/{meeting_id}/minutes"): (READ, {}),
    ("PUT", "/api/v1/meetings/{meeting_id}/minutes"): (MANAGE, {"json": {"items": []}}),
    ("POST", "/api/v1/meetings/{meeting_id}/minutes/approve"): (MANAGE, {"json": {"approved_at_meeting_id": 0}}),
    ("POST", "/api/v1/meetings/{meeting_id}/minutes/lock"): (MANAGE, {}),
    ("GET", "/api/v1/meetings/{meeting_id}/minutes/versions"): (READ, {}),
    ("GET", "/api/v1/meetings/{meeting_id}/decisions"): (READ, {}),
    ("POST", "/api/v1/meetings/{meeting_id}/decisions"): (MANAGE, {"json": {"text": "Agreed."}}),
    ("GET", "/api/v1/decisions"): (READ, {}),
    ("PATCH", "/api/v1/decisions/{decision_id}"): (MANAGE, {"json": {"text": "Agreed in full."}}),
    ("DELETE", "/api/v1/decisions/{decision_id}"): (MANAGE, {}),
    ("DELETE", "/api/v1/actions/{action_id}"): (MANAGE, {}),
    ("GET", "/api/v1/actions"): (READ, {}),
    ("POST", "/api/v1/actions"): (MANAGE, {"json": {"group_id": 0, "text": "Follow up"}}),
    ("GET", "/api/v1/actions/{action_id}"): (READ, {}),
    ("PATCH", "/api/v1/actions/{action_id}"): (MANAGE, {"json": {"text": "Follow up soon"}}),
    ("POST", "/api/v1/actions/{action_id}/updates"): (OWNER, {"json": {"text": "Progress"}}),
    ("GET", "/api/v1/groups/{group_id}/meetings.ics"): (READ, {}),
    ("GET", "/api/v1/dashboards/groups/{group_id}"): (READ, {}),
    ("GET", "/api/v1/me/meetings.ics"): ({**READ, "admin": OK}, {}),
    ("POST", "/api/v1/meetings/{meeting_id}/documents"): (MANAGE, {"files": {
        "file": ("p.pdf", PDF, "application/pdf")}}),
    ("GET", "/api/v1/meetings/{meeting_id}/documents"): (READ, {}),
    ("GET", "/api/v1/documents/{document_id}"): (READ, {}),
    ("GET", "/api/v1/documents/{document_id}/content"): (READ, {}),
    ("PUT", "/api/v1/documents/{document_id}/content"): (MANAGE, {"files": {
        "file": ("p2.pdf", PDF + b"%2\n", "application/pdf")}}),
    ("PATCH", "/api/v1/documents/{document_id}"): (MANAGE, {"json": {"title": "Budget papers"}}),
    ("DELETE", "/api/v1/documents/{document_id}"): (MANAGE, {}),
    ("GET", "/api/v1/meetings/{meeting_id}/pack.pdf"): (READ, {}),
    ("GET", "/api/v1/search"): (READ, {"params": {"q": "agreed"}}),
    ("GET", "/api/v1/groups/{group_id}/attendance"): (READ, {}),
    ("GET", "/api/v1/stakeholders/{stakeholder_id}/attendance"): (READ, {}),
    # Guests in attendance and declarations of interest.
    ("GET", "/api/v1/meetings/{meeting_id}/guests"): (READ, {}),
    ("POST", "/api/v1/meetings/{meeting_id}/guests"): (MANAGE, {"json": {"name": "A Guest"}}),
    ("DELETE", "/api/v1/guests/{guest_id}"): (MANAGE, {}),
    ("GET", "/api/v1/meetings/{meeting_id}/declarations"): (READ, {}),
    ("POST", "/api/v1/meetings/{meeting_id}/declarations"): (MANAGE, {"json": {
        "stakeholder_id": 1, "kind": "financial", "interest": "Director of a supplier"}}),
    ("DELETE", "/api/v1/declarations/{declaration_id}"): (MANAGE, {}),
    ("GET", "/api/v1/stakeholders/{stakeholder_id}/declarations"): (READ, {}),
    ("GET", "/api/v1/meetings/{meeting_id}/carried-forward"): (READ, {}),
    # Series, the forward plan, standing items and the agenda's order.
    ("GET", "/api/v1/groups/{group_id}/forward-plan"): (READ, {}),
    ("GET", "/api/v1/groups/{group_id}/meeting-series"): (READ, {}),
    ("POST", "/api/v1/groups/{group_id}/meeting-series"): (MANAGE, {"json": {
        "pattern": "weekly", "interval": 4, "weekday": 1, "first_date": (date.today() + timedelta(days=30)).isoformat(),
        "until": (date.today() + timedelta(days=90)).isoformat(), "start_time": "10:00", "end_time": "11:00"}}),
    ("GET", "/api/v1/groups/{group_id}/standing-items"): (READ, {}),
    ("PUT", "/api/v1/groups/{group_id}/standing-items"): (MANAGE, {"json": {"items": [{"title": "Welcome"}]}}),
    ("POST", "/api/v1/meetings/{meeting_id}/agenda-items/standing"): (MANAGE, {}),
    ("PUT", "/api/v1/meetings/{meeting_id}/agenda-order"): (MANAGE, {"json": {"item_ids": [999_999]}}),
    ("GET", "/api/v1/meetings/{meeting_id}/summary"): (READ, {}),
}


@pytest.fixture
def world(production_app, session):  # noqa: F811
    group = factories.group(session, name="Matrix Group", kind="thematic", code="MX")
    people = {}
    for key, role in [("outsider", None), ("observer", "observer"), ("member", "member"),
                      ("secretary", "secretary"), ("chair", "chair"), ("admin", None)]:
        person, account = factories.person_with_account(session, f"matrix.{key}@example.org",
                                                        is_admin=key == "admin")
        if role:
            factories.membership(session, group=group, stakeholder=person, role=role, start_date=date(2023, 1, 1))
        people[key] = (person, account)
    _, secret = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Matrix Partner",
                                           scopes="indicators:read outcomes:read registry:read")
    session.commit()
    headers = {"anonymous": {}}
    with TestClient(production_app, base_url="https://testserver") as c:
        settings = production_app.state.settings
        for key, (_, account) in people.items():
            headers[key] = {"Authorization": f"Bearer {auth_service.user_token(settings, account).token}"}
        token = c.post("/api/v1/auth/token", data={"grant_type": "client_credentials", "client_id": "matrix-partner",
                                                   "client_secret": secret}).json()["access_token"]
        headers["partner"] = {"Authorization": f"Bearer {token}"}
        admin = headers["admin"]
        m1 = c.post(f"/api/v1/groups/{group.id}/meetings", headers=admin, json={
            "starts_at": "2024-01-16T14:00:00+00:00", "ends_at": "2024-01-16T16:00:00+00:00"}).json()
        m2 = c.post(f"/api/v1/groups/{group.id}/meetings", headers=admin, json={
            "starts_at": "2024-03-19T14:00:00+00:00", "ends_at": "2024-03-19T16:00:00+00:00"}).json()
        item = c.post(f"/api/v1/meetings/{m1['id']}/agenda-items", headers=admin, json={"title": "Budget"}).json()
        c.put(f"/api/v1/meetings/{m1['id']}/minutes", headers=admin,
              json={"items": [{"agenda_item_id": item["id"], "text": "Agreed the budget."}]})
        decision = c.post(f"/api/v1/meetings/{m1['id']}/decisions", headers=admin,
                          json={"agenda_item_id": item["id"], "text": "Agreed."}).json()
        action = c.post("/api/v1/actions", headers=admin, json={
            "group_id": group.id, "meeting_id": m1["id"], "agenda_item_id": item["id"], "text": "Circulate",
            "owner_id": people["member"][0].id}).json()
        document = c.post(f"/api/v1/meetings/{m1['id']}/documents", headers=admin,
                          files={"file": ("pack.pdf", PDF, "application/pdf")}).json()
        guest = c.post(f"/api/v1/meetings/{m1['id']}/guests", headers=admin, json={"name": "Matrix Guest"}).json()
        declaration = c.post(f"/api/v1/meetings/{m1['id']}/declarations", headers=admin, json={
            "stakeholder_id": people["member"][0].id, "kind": "financial", "interest": "Director"}).json()
    ids = {"group_id": group.id, "stakeholder_id": people["member"][0].id,
           "meeting_id": m1["id"], "item_id": item["id"], "action_id": action["id"],
           "document_id": document["id"], "later_meeting_id": m2["id"],
           "guest_id": guest["id"], "declaration_id": declaration["id"], "decision_id": decision["id"]}
    return ids, headers


def test_every_group_business_route_has_a_row(production_app):  # noqa: F811
    routes = {(m, r.path) for m, r in _api_routes(production_app) if _rule_of(r) == "may_read_group_business"}
    assert routes == set(ROUTES), f"missing: {routes - set(ROUTES)}; stale: {set(ROUTES) - routes}"


def test_group_business_matrix(production_app, world):  # noqa: F811
    ids, headers = world
    failures = []
    # Deleting comes last: a refusal must be seen while the records still exist.
    ordered = sorted(ROUTES.items(), key=lambda kv: kv[0][0] == "DELETE")
    with TestClient(production_app, raise_server_exceptions=False, base_url="https://testserver") as c:
        for (method, path), (expected, body) in ordered:
            url = path.format(**ids)
            kwargs = {k: dict(v) if isinstance(v, dict) else v for k, v in body.items()}
            if "json" in kwargs and "approved_at_meeting_id" in kwargs["json"]:
                kwargs["json"]["approved_at_meeting_id"] = ids["later_meeting_id"]
            if "json" in kwargs and "group_id" in kwargs["json"]:
                kwargs["json"]["group_id"] = ids["group_id"]
            for caller in CALLERS:
                r = c.request(method, url, headers=headers[caller], **kwargs)
                assert r.status_code < 500, (caller, method, path, r.text)
                got = SIGN_IN if r.status_code == 401 else DENY if r.status_code == 403 else OK
                if got != expected[caller]:
                    failures.append(f"{caller} {method} {path}: expected {expected[caller]}, got {r.status_code}")
    assert not failures, "\n".join(failures)
