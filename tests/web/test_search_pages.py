"""The search page: plain-text snippets with the matches marked, hits named in words, and a query
that cannot be searched for replacing old results with its message (the htmx fragment too)."""

import re
from datetime import date

from api.meetings import indexing as search_index
from api.meetings.models import Action
from tests import factories

HTMX = {"HX-Request": "true"}


def _action(session, me, text: str) -> Action:
    group = factories.group(session, name="Test Search Pages Group", kind="working", code="TSP")
    factories.membership(session, group=group, stakeholder=me, role="member", start_date=date(2023, 1, 1))
    action = Action(group_id=group.id, number=1, text=text, owner_id=me.id)
    session.add(action)
    session.flush()
    search_index.index_action(session, action)
    session.commit()
    return action


def _results(html: str) -> str:
    return re.search(r'<div id="search-results".*?</div>', html, re.S).group(0)


def test_snippets_are_plain_text_with_marked_words_and_kinds_in_words(signed_in, session):
    client, me = signed_in
    _action(session, me, "Book the **walking** festival: see [the plan](https://example.org/plan) & <i>go</i>")
    page = client.get("/search", params={"q": "walking"})
    assert page.status_code == 200
    results = _results(page.text)
    assert "<mark>walking</mark>" in results and "(Action)" in results
    assert "**" not in results and "](" not in results and "example.org/plan" not in results
    # Typed HTML is never live: escaped (SQLite), or left out of the snippet (PostgreSQL's ts_headline).
    assert "<i>" not in results


def test_an_invalid_query_replaces_the_results_with_its_message(signed_in, session):
    client, me = signed_in
    _action(session, me, "Organise the cycling festival")
    assert "<mark>cycling</mark>" in client.get("/search", params={"q": "cycling"}, headers=HTMX).text
    for q in ['"', "!!!", '""', "*"]:
        fragment = client.get("/search", params={"q": q}, headers=HTMX)
        assert fragment.status_code == 422 and "<html" not in fragment.text
        results = _results(fragment.text)
        assert "Enter at least one word to search for" in results and "<mark>" not in results
        assert "cycling" not in results
        page = client.get("/search", params={"q": q})
        assert page.status_code == 422 and "<title>Error: Search" in page.text
        assert 'class="nhsuk-error-summary"' in page.text and 'href="#q"' in page.text
    too_long = client.get("/search", params={"q": "word " * 50})
    assert too_long.status_code == 422 and "Search for 200 characters or fewer" in _results(too_long.text)
    # The form asks htmx to swap in the 422 answer rather than drop it.
    assert re.search(r'<form[^>]*action="/search"[^>]*data-swap-invalid', client.get("/search").text)


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    assert client.get("/search", params={"q": "x"}, follow_redirects=False).status_code == 303
