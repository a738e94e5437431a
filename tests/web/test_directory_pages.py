"""The people directory and the search page: plain forms that also work as you type."""

from datetime import date

from api.meetings import indexing as search_index
from api.meetings.models import Action
from tests import factories
from tests.web.conftest import hidden_field

HTMX = {"HX-Request": "true"}


def test_people_directory_searches_by_name(signed_in, session):
    client, me = signed_in
    org = factories.organisation(session, name="Test Leisure Trust")
    factories.stakeholder(session, name="Quinn Quarry", organisation_id=org.id, job_title="Active Ageing Lead",
                          place_code="E08000012")
    session.commit()
    page = client.get("/people?q=quarry")
    assert page.status_code == 200
    row = page.text.split('id="people-table"')[1]
    assert ">Quinn Quarry</a>" in row and "Active Ageing Lead" in row
    assert f'<a href="/organisations/{org.id}">Test Leisure Trust</a>' in row and "Liverpool" in row
    assert me.name not in page.text.split('id="people-results"')[1]
    fragment = client.get("/people?q=zzz", headers=HTMX)
    assert "<html" not in fragment.text and "No one matches “zzz”." in fragment.text
    assert client.get("/people?q=" + "x" * 101).status_code == 422


def test_search_finds_what_i_may_see_with_marked_words_and_escaped_text(signed_in, session):
    client, me = signed_in
    group = factories.group(session, name="Test Search Group", kind="working", code="TSG")
    factories.membership(session, group=group, stakeholder=me, role="member", start_date=date(2023, 1, 1))
    action = Action(group_id=group.id, number=1, text="Organise the <b>walking</b> festival", owner_id=me.id)
    session.add(action)
    session.flush()
    search_index.index_action(session, action)
    session.commit()
    page = client.get("/search?q=walking festival")
    assert page.status_code == 200
    assert f'href="/actions/{action.id}"' in page.text and "<mark>walking</mark>" in page.text
    assert "<b>walking</b>" not in page.text  # user text stays escaped
    assert "Nothing you can see matches" in client.get("/search?q=nonexistentword").text
    assert 'id="search-results"' in client.get("/search").text
    fragment = client.get("/search?q=festival", headers=HTMX)
    assert "<html" not in fragment.text and "<mark>festival</mark>" in fragment.text
    # The hit's link opens the action's own page, with the update form for its owner.
    detail = client.get(f"/actions/{action.id}")
    assert detail.status_code == 200 and "<h1>Action 1</h1>" in detail.text
    assert hidden_field(detail.text, "next") == f"/actions/{action.id}"
    assert client.get("/actions/999999").status_code == 404


def test_search_without_words_re_renders_the_form_with_a_message(signed_in):
    client, _ = signed_in
    for q in ["!!!", '"', "*"]:
        response = client.get("/search", params={"q": q})
        assert response.status_code == 422 and "nhsuk-error-message" in response.text, q
        assert f'value="{q.replace(chr(34), "&#34;")}"' in response.text  # what was typed is kept
    assert client.get("/search", params={"q": "a OR"}).status_code in (200, 422)
