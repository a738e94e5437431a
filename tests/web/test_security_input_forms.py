"""Web forms refuse bad input with a 4xx page, never a 500, and write nothing (issue 11, findings 5
and 6): NUL and other control characters, ids beyond the integer columns, non-ASCII CSRF tokens."""

import pytest
from sqlalchemy import func, select

from api.core.types import metadata
from tests import factories
from tests.web.conftest import hidden_field, sign_in

BIG = str(2**31)
NUL = "a\x00b"


def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


@pytest.fixture
def admin(client_factory, person, session, client):
    """A signed-in admin who is also the chair of a group with a meeting, an item and an action."""
    chair, _ = person("site.admin@example.org", is_admin=True, name="Sam Admin")
    group = factories.group(session, code="SEC", slug="security-group")
    factories.membership(session, group=group, stakeholder=chair, role="chair")
    session.commit()
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", json={
        "title": "Board", "starts_at": "2026-03-02T10:00:00Z", "ends_at": "2026-03-02T11:00:00Z"}).json()
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", json={"title": "Welcome"}).json()
    action = client.post("/api/v1/actions", json={"group_id": group.id, "text": "Do it"}).json()
    browser = client_factory()
    assert sign_in(browser, chair.email).status_code == 303
    return browser, {"group": group.id, "slug": group.slug, "meeting": meeting["id"], "item": item["id"],
                     "action": action["id"], "chair": chair.id}


FORM_CASES = [
    ("/meetings/{meeting}/agenda-items", {"title": NUL, "ref": "", "purpose": "", "lead_id": ""}),
    ("/meetings/{meeting}/agenda-items", {"title": "Fine", "ref": "", "purpose": NUL, "lead_id": ""}),
    ("/meetings/{meeting}/agenda-items/{item}", {"title": NUL, "ref": "", "purpose": "", "lead_id": ""}),
    ("/meetings/{meeting}/minutes/{item}", {"text": NUL}),
    ("/meetings/{meeting}/decisions", {"text": NUL, "agenda_item_id": ""}),
    ("/meetings/{meeting}/actions", {"text": NUL, "owner_id": "", "due_date": "", "agenda_item_id": ""}),
    ("/meetings/{meeting}/actions", {"text": "Do", "owner_id": BIG, "due_date": "", "agenda_item_id": ""}),
    ("/meetings/{meeting}/actions", {"text": "Do", "owner_id": "\uff11", "due_date": "", "agenda_item_id": ""}),
    ("/meetings/{meeting}/minutes-approval", {"approved_at_meeting_id": BIG}),
    ("/actions/{action}/updates", {"text": NUL, "close": "", "next": "/actions"}),
    ("/contributions", {"kind": "event", "description": NUL, "date": "2026-01-01"}),
    ("/admin/users", {"stakeholder_id": BIG, "send_invitation": "true"}),
    ("/admin/users", {"stakeholder_id": "\uff11", "send_invitation": "true"}),
    ("/admin/users", {"stakeholder_id": "{chair}", "password": "one-time-\x00password"}),
    ("/people/new", {"name": NUL, "email": "nul@example.org"}),
    ("/people/new", {"name": "Fine Name", "organisation_id": BIG}),
    ("/admin/clients", {"name": NUL, "scopes": "registry:read"}),
    ("/admin/memberships/{slug}/members", {"stakeholder_id": BIG, "role": "member", "start_date": "2026-01-01"}),
    ("/admin/memberships/{slug}/members", {"stakeholder_id": "{chair}", "role": "member",
                                           "start_date": "2026-01-01", "on_behalf_of_id": BIG}),
    ("/admin/memberships/{slug}/members", {"stakeholder_id": "\uff11\uff12", "role": "member",
                                           "start_date": "2026-01-01"}),
    ("/account/password", {"current_password": NUL, "new_password": "a-new-password-1",
                           "confirm_password": "a-new-password-1"}),
]


@pytest.mark.parametrize(("path", "form"), FORM_CASES, ids=[f"{p} {sorted(f.items())}"[:90] for p, f in FORM_CASES])
def test_bad_form_input_is_a_4xx_page_and_writes_nothing(admin, engine, path, form):
    browser, ids = admin
    token = hidden_field(browser.get(f"/meetings/{ids['meeting']}").text, "csrf_token")
    data = {k: v.format(**ids) for k, v in form.items()} | {"csrf_token": token}
    before = _row_counts(engine)
    r = browser.post(path.format(**ids), data=data, follow_redirects=False)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    assert _row_counts(engine) == before


@pytest.mark.parametrize("query", [
    "/people?q=a%00b", "/organisations?q=a%00b", "/organisations?sector=a%00b", "/search?q=a%00b",
    "/organisations/2147483648",
    "/admin/audit?entity_id=a%00b", "/admin/audit?actor=a%00@example.org", "/actions?group=2147483648",
    "/meetings/2147483648", "/admin/users?cursor=WyJhXHUwMDAwYiIsIDFd", "/groups/x%00y",
])
def test_bad_query_input_is_a_4xx_page(admin, query):
    browser, _ = admin
    r = browser.get(query, follow_redirects=False)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])


@pytest.mark.parametrize("form", [
    {"email": "pat\x00@example.org", "password": "whatever-it-is"},
    {"email": "pat@example.org", "password": "what\x00ever-it-is"},
])
def test_sign_in_with_nul_shows_the_form_again(client, engine, person, form):
    person("pat@example.org")
    page = client.get("/login")
    before = _row_counts(engine)
    r = client.post("/login", data=form | {"csrf_token": hidden_field(page.text, "csrf_token"), "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 422
    assert 'name="email"' in r.text and "There is a problem" in r.text
    assert _row_counts(engine) == before


@pytest.mark.parametrize("token", ["é", "é" * 64, "\uff11\uff12\uff13\uff14\uff15\uff16"])
def test_a_csrf_token_outside_ascii_is_refused(admin, engine, token):
    browser, ids = admin
    before = _row_counts(engine)
    r = browser.post(f"/meetings/{ids['meeting']}/decisions", data={"text": "Agreed.", "csrf_token": token},
                     follow_redirects=False)
    assert r.status_code == 403
    assert _row_counts(engine) == before


def test_a_sign_in_token_outside_ascii_is_refused(client):
    client.get("/login")
    r = client.post("/login", data={"email": "pat@example.org", "password": "p", "csrf_token": "é" * 64},
                    follow_redirects=False)
    assert r.status_code == 403
