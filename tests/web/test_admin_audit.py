"""The audit log page: filters, paging, who may read it, bad filters, a constant number of queries."""

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from api.audit import service as audit
from api.audit.models import AuditEvent
from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT, Subject
from tests.web.conftest import sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin_client(client_factory, person):
    admin, _ = person("audit.admin@example.org", is_admin=True, name="Ada Auditor")
    browser = client_factory()
    assert sign_in(browser, admin.email).status_code == 303
    return browser


def _event(session, *, actor=SYSTEM_SUBJECT, action="pilot.update", entity_type="pilot", entity_id=1,
           before=None, after=None, at: datetime | None = None) -> AuditEvent:
    event = audit.record(session, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id,
                         before=before, after=after)
    if at is not None:
        event.occurred_at = at
    session.commit()
    return event


def _event_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="event-(\d+)"', html)]


def test_events_show_who_when_and_a_readable_escaped_diff(admin_client, person, session):
    _, account = person("casey.changer@example.org", name="Casey Changer")
    casey = auth_service.user_subject(account)
    _event(session, actor=casey, action="pilot.update", entity_id=7, at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
           before={"id": 7, "name": "Walking <b>netball</b>", "active": True},
           after={"id": 7, "name": "<script>alert(1)</script>", "active": False})
    page = admin_client.get("/admin/audit?action=pilot.update")
    assert page.status_code == 200 and page.headers["vary"] == "HX-Request"
    assert "1 July 2026, 13:00:00 BST" in page.text  # UK summer time, whatever the server's zone
    assert "Casey Changer (casey.changer@example.org)" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert "Walking &lt;b&gt;netball&lt;/b&gt;" in page.text
    assert re.search(r"<dt>Active</dt>\s*<dd[^>]*>\s*<del>.*Yes</del>.*<ins>.*No</ins>", page.text, re.S)
    # The record links to every event for it.
    assert 'href="/admin/audit?entity_type=pilot&amp;entity_id=7"' in page.text


def test_filters_narrow_the_log(admin_client, person, session):
    _, account = person("filter.actor@example.org", name="Fil Actor")
    fil = auth_service.user_subject(account)
    client = Subject(kind="client", label="Council Intelligence", id="council-intelligence")
    old = _event(session, action="group.update", entity_type="group", entity_id=3,
                 at=datetime(2024, 1, 10, 9, 0, tzinfo=UTC), before={"name": "A"}, after={"name": "B"})
    by_fil = _event(session, actor=fil, action="group.update", entity_type="group", entity_id=4,
                    before={"name": "C"}, after={"name": "D"})
    by_client = _event(session, actor=client, action="indicators.import", entity_type="indicator_value",
                       entity_id=None, after={"rows": 3, "rows_written": 3, "warnings": []})

    def ids(query: str) -> set[int]:
        response = admin_client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, response.text
        return set(_event_ids(response.text))

    assert {old.id, by_fil.id} == ids("entity_type=group")
    assert {by_fil.id} == ids("entity_type=group&entity_id=4")
    assert {by_client.id} == ids("action=indicators.import")
    assert {by_fil.id} == ids("actor=FILTER.actor@example.org&entity_type=group")
    assert {by_client.id} == ids("actor=council-intelligence")
    assert old.id not in ids("since=2024-01-11") and by_fil.id in ids("since=2024-01-11")
    # A day means the UK day: 9am UTC on 10 January is on or after the start of that day.
    assert old.id in ids("since=2024-01-10&entity_type=group")
    # Empty fields (as a GET form sends them) mean "any".
    assert {old.id, by_fil.id} <= ids("entity_type=&entity_id=&action=&actor=&since=")
    empty = admin_client.get("/admin/audit?entity_type=meeting&entity_id=999")
    assert "No events match these filters." in empty.text


def test_htmx_gets_only_the_results_and_the_pushed_url_serves_the_page(admin_client, session):
    _event(session, action="meeting.update", entity_type="meeting", entity_id=5, before={"title": "A"},
           after={"title": "B"})
    fragment = admin_client.get("/admin/audit?entity_type=meeting", headers=HTMX)
    assert fragment.status_code == 200
    assert "<h1" not in fragment.text and 'id="audit-results"' in fragment.text
    assert 'id="audit-status" hx-swap-oob="innerHTML"' in fragment.text and "Showing 1 event" in fragment.text
    full = admin_client.get("/admin/audit?entity_type=meeting")
    assert "<h1>Audit log</h1>" in full.text and 'id="audit-results"' in full.text
    assert '<option value="meeting" selected>' in full.text


def test_older_events_page_by_cursor_and_keep_the_filters(admin_client, session):
    made = [_event(session, action="pilot.update", entity_id=n, before={"n": n}, after={"n": n + 1}).id
            for n in range(55)]
    _event(session, action="group.update", entity_type="group", entity_id=1, before={"n": 0}, after={"n": 1})
    first = admin_client.get("/admin/audit?action=pilot.update")
    assert _event_ids(first.text) == sorted(made, reverse=True)[:50]
    link = re.search(r'href="(/admin/audit\?[^"]*cursor=[^"]+)"', first.text)
    assert link and "Older events" in first.text
    href = link.group(1).replace("&amp;", "&")
    assert "action=pilot.update" in href
    second = admin_client.get(href)
    assert _event_ids(second.text) == sorted(made, reverse=True)[50:]
    assert "Older events" not in second.text
    assert admin_client.get("/admin/audit?cursor=not-a-cursor").status_code == 400


@pytest.mark.parametrize(("query", "field", "message"), [
    ("since=2026-13-45", "since", "Since must be a real date"),
    ("since=yesterday", "since", "Since must be a real date"),
    ("entity_id=" + "9" * 65, "entity_id", "Record ID must be 64 characters or fewer"),
    ("action=" + "a" * 41, "action", "Action must be 40 characters or fewer"),
    ("actor=" + "x" * 300, "actor", "Who must be 254 characters or fewer"),
    ("actor=nobody@example.org", "actor", "No account has this email address"),
    ("entity_type=spaceship", "entity_type", "Select a type of record from the list"),
    ("entity_id=12%0034", "entity_id", "Record ID must not contain control characters"),
])
def test_bad_filters_are_422_with_the_field_error_and_what_was_typed(admin_client, session, query, field, message):
    _event(session)
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code == 422
    assert message in response.text
    assert f'href="#{field}"' in response.text  # the error summary links to the field
    assert f'id="{field}-error"' in response.text
    typed = query.split("=", 1)[1]
    if field != "entity_type" and "%" not in typed:
        assert f'value="{typed}"' in response.text
    assert _event_ids(response.text) == []
    fragment = admin_client.get(f"/admin/audit?{query}", headers=HTMX)
    assert fragment.status_code == 422 and message in fragment.text and "<h1" not in fragment.text


def test_people_who_are_not_admins_are_refused(client_factory, person, session):
    _event(session, after={"secret": "only admins see this"})
    member, _ = person("plain.member@example.org")
    browser = client_factory()
    assert sign_in(browser, member.email).status_code == 303
    for headers in ({}, HTMX):
        response = browser.get("/admin/audit", headers=headers)
        assert response.status_code == 403
        assert "only admins see this" not in response.text
    assert client_factory().get("/admin/audit", follow_redirects=False).status_code == 303  # signed out: sign in


def test_query_count_does_not_grow_with_the_page(admin_client, person, session, count_queries):
    def arrange(n: int, start: int):
        for i in range(start, start + n):
            _, account = person(f"actor{i}@example.org", name=f"Actor {i}")
            _event(session, actor=auth_service.user_subject(account), action="action.update",
                   entity_type="action", entity_id=i, before={"text": "a"}, after={"text": "b"})
        session.commit()

    def queries(query: str) -> int:
        with count_queries() as counter:
            response = admin_client.get(f"/admin/audit?{query}")
        assert response.status_code == 200
        return counter.count

    arrange(2, 0)
    few = queries("action=action.update")
    few_by_email = queries("action=action.update&actor=actor1@example.org")
    arrange(30, 2)
    assert len(_event_ids(admin_client.get("/admin/audit?action=action.update").text)) == 32
    assert queries("action=action.update") == few
    assert queries("action=action.update&actor=actor20@example.org") == few_by_email
    everyone = session.exec(select(AuditEvent)).all()
    assert len(everyone) > 32
