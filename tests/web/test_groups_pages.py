"""The governance pages: the tree of groups and a group's page, as full pages and fragments."""

import re
from datetime import date, timedelta

from tests import factories
from tests.api.test_documents import PDF
from tests.web.conftest import sign_in
from tests.web.test_meeting_pages import _meeting_with_record


def _structure(session):
    board = factories.group(session, name="Test Board", kind="board", code="TB",
                            remit="Leads the work.\n\nMeets monthly.")
    child = factories.group(session, name="Test Thematic Group", kind="thematic", code="TTG", parent_id=board.id)
    session.commit()
    return board, child


def test_tree_nests_children_under_parents_with_member_counts(signed_in, session):
    client, me = signed_in
    _, child = _structure(session)
    factories.membership(session, group=child, stakeholder=me, role="chair")
    session.commit()
    page = client.get("/groups")
    assert page.status_code == 200
    tree = page.text[page.text.index('<nav aria-label="Group structure">'):]
    # the child's list sits inside the board's list item
    assert re.search(r'Test Board</a>.*?<ul class="ata-tree">\s*<li>\s*<a href="/groups/test-thematic-group">',
                     tree, re.S)
    assert "Thematic group · TTG · 1 member" in tree
    assert "Board · TB · 0 members" in tree
    assert 'aria-current="page"' in page.text


def test_tree_takes_the_same_number_of_queries_however_many_groups(signed_in, session, count_queries):
    client, _ = signed_in
    _structure(session)
    with count_queries() as few:
        client.get("/groups")
    for n in range(15):
        factories.group(session, name=f"Extra Group {n}", kind="place")
    session.commit()
    with count_queries() as many:
        assert "Extra Group 14" in client.get("/groups").text
    assert many.count == few.count


def test_group_page_lists_current_members_by_role(signed_in, session):
    client, me = signed_in
    _, group = _structure(session)
    org = factories.organisation(session, name="Test Leisure Trust", sector="leisure")
    zed = factories.stakeholder(session, name="Zed Chairperson", organisation_id=org.id, job_title="Director")
    amy = factories.stakeholder(session, name="Amy Member")
    factories.membership(session, group=group, stakeholder=amy)
    factories.membership(session, group=group, stakeholder=zed, role="chair")
    factories.membership(session, group=group, stakeholder=me, role="secretary")
    session.commit()
    page = client.get(f"/groups/{group.slug}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Test Thematic Group</h1>" in text
    assert text.index("Zed Chairperson") < text.index(me.name) < text.index("Amy Member")
    assert "Test Leisure Trust" in text and "Director" in text
    assert '<a class="nhsuk-breadcrumb__link" href="/groups/test-board">Test Board</a>' in text


def test_former_members_are_shown_on_request_as_page_or_fragment(signed_in, session):
    client, _ = signed_in
    _, group = _structure(session)
    gone = factories.stakeholder(session, name="Former Person")
    factories.membership(session, group=group, stakeholder=gone, start_date=date(2022, 1, 1),
                         end_date=date.today() - timedelta(days=30))
    session.commit()
    page = client.get(f"/groups/{group.slug}")
    assert "Former Person" not in page.text and "Show former members" in page.text

    full = client.get(f"/groups/{group.slug}?former=1")
    assert "Former Person" in full.text and full.text.lstrip().startswith("<!DOCTYPE html>")

    fragment = client.get(f"/groups/{group.slug}?former=1", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.headers["vary"] == "HX-Request"
    assert fragment.text.lstrip().startswith('<section id="members"')
    assert "Former Person" in fragment.text and "<html" not in fragment.text and "Remit" not in fragment.text

    boosted = client.get(f"/groups/{group.slug}", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<!DOCTYPE html>" in boosted.text  # a boosted navigation swaps the whole body


def test_user_text_is_escaped(signed_in, session):
    client, _ = signed_in
    group = factories.group(session, name="<script>alert(1)</script> group", slug="xss-group",
                            remit='<img src=x onerror="alert(2)">')
    session.commit()
    page = client.get("/groups/xss-group")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;" in client.get("/groups").text
    assert group.id


def test_unknown_and_malformed_groups_get_html_errors(signed_in):
    client, _ = signed_in
    missing = client.get("/groups/no-such-group")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "<h1>Page not found</h1>" in missing.text and "no-such-group" in missing.text
    malformed = client.get("/groups/Not%20A%20Slug")
    assert malformed.status_code == 422 and "text/html" in malformed.headers["content-type"]
    nowhere = client.get("/no/such/page")
    assert nowhere.status_code == 404 and "<h1>Page not found</h1>" in nowhere.text


def test_api_errors_stay_problem_json(client):
    response = client.get("/api/v1/groups/no-such-thing")
    assert response.headers["content-type"].startswith("application/problem+json")


def test_group_page_shows_decisions_open_actions_and_documents_as_the_viewer_may_see_them(
        client, client_factory, session, app, person):
    group, meeting, sec = _meeting_with_record(client, session, app)
    client.post(f"/api/v1/meetings/{meeting['id']}/documents", headers=sec, data={"title": "Tender scores",
                "confidential": "true"}, files={"file": ("scores.pdf", PDF, "application/pdf")})
    secret_item = next(i for i in client.get(f"/api/v1/meetings/{meeting['id']}/agenda-items", headers=sec).json()[
        "items"] if i["confidential"])
    client.post(f"/api/v1/meetings/{meeting['id']}/decisions", headers=sec,
                json={"agenda_item_id": secret_item["id"], "text": "Award the tender to bidder B."})
    member = client_factory()
    sign_in(member, "web.sec@example.org")
    page = member.get(f"/groups/{group.slug}").text
    assert '<h2 id="decisions-heading">Recent decisions</h2>' in page and "Fund 10 classes." in page
    assert f'href="/meetings/{meeting["id"]}#decision-' in page
    assert "Book venues" in page and "1 open" in page and "Morgan Member" in page
    assert f'href="/actions?owner=all&amp;group={group.id}&amp;status=open"' in page
    assert "Meeting pack" in page and "Tender scores" in page  # a member sees confidential documents
    assert "Award the tender to bidder B." in page  # and decisions on confidential items

    outsider, _ = person()
    stranger = client_factory()
    sign_in(stranger, outsider.email)
    seen = stranger.get(f"/groups/{group.slug}").text
    assert "Fund 10 classes." in seen and "Book venues" in seen and "Meeting pack" in seen
    assert "Tender scores" not in seen and "Award the tender" not in seen


def test_group_page_takes_the_same_number_of_queries_however_much_business(
        client, client_factory, session, app, count_queries):
    group, meeting, sec = _meeting_with_record(client, session, app)
    member = client_factory()
    sign_in(member, "web.sec@example.org")
    with count_queries() as few:
        assert member.get(f"/groups/{group.slug}").status_code == 200
    for n in range(6):
        client.post(f"/api/v1/meetings/{meeting['id']}/decisions", headers=sec, json={"text": f"Decision {n}"})
        client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "text": f"Extra action {n}"})
        client.post(f"/api/v1/meetings/{meeting['id']}/documents", headers=sec, data={"title": f"Paper {n}"},
                    files={"file": (f"p{n}.pdf", PDF + b"%" + bytes([n]) + b"\n", "application/pdf")})
    with count_queries() as many:
        page = member.get(f"/groups/{group.slug}").text
    assert "Extra action 5" in page and "Paper 5" in page and "7 open" in page
    assert many.count == few.count
