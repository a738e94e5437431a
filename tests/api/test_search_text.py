"""Search snippets are plain text: Markdown written in minutes, decisions and actions is indexed as
what a reader reads (no `**`, `#` or link syntax), and an index written before can be rewritten."""

from sqlmodel import select

from api.cli import build_parser, cmd_search_reindex
from api.meetings import indexing
from api.search.models import SearchDocument
from tests.api.test_meetings import _meeting, hcp  # noqa: F401 (fixture)

MARKDOWN = ("## Walking **netball** pilots\n\nPartners agreed the [walking netball](https://example.org/netball) "
            "sessions & *more*.\n\n- One <b>Wirral</b> venue")


def _minutes(client, group, people):
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    url = f"/api/v1/meetings/{meeting['id']}"
    item = client.post(f"{url}/agenda-items", json={"title": "Pilots"}, headers=sec).json()
    client.put(f"{url}/minutes", headers=sec, json={"items": [{"agenda_item_id": item["id"], "text": MARKDOWN}]})
    client.post(f"{url}/decisions", headers=sec, json={"agenda_item_id": item["id"],
                                                      "text": "Fund **two** [netball](https://example.org) pilots."})
    return meeting


def test_snippets_have_no_markdown_and_mark_the_words(client, hcp):  # noqa: F811
    group, people = hcp
    _minutes(client, group, people)
    hits = client.get("/api/v1/search", params={"q": "netball"}, headers=people["member"][1]).json()["items"]
    assert {h["kind"] for h in hits} == {"minutes", "decision"}
    for hit in hits:
        snippet = hit["snippet"]
        assert "<mark>netball</mark>" in snippet
        for syntax in ("**", "##", "](", "https://", "*more*"):
            assert syntax not in snippet, (syntax, snippet)
        assert "<b>" not in snippet  # typed HTML stays text, escaped
    minute = next(h for h in hits if h["kind"] == "minutes")
    assert "&amp;" in minute["snippet"] or "&lt;b&gt;" in minute["snippet"] or "sessions" in minute["snippet"]


def test_reindex_rewrites_an_index_written_with_markdown(client, hcp, session):  # noqa: F811
    group, people = hcp
    _minutes(client, group, people)
    for row in session.exec(select(SearchDocument).where(SearchDocument.kind == "minutes")):
        row.body = MARKDOWN  # as an older version wrote it
    session.commit()
    assert indexing.reindex_all(session) >= 1
    session.commit()
    bodies = session.exec(select(SearchDocument.body).where(SearchDocument.kind == "minutes")).all()
    assert bodies and all("**" not in body and "](" not in body and "##" not in body for body in bodies)
    assert any("Walking netball pilots" in body for body in bodies)
    assert build_parser().parse_args(["search", "reindex"]).func is cmd_search_reindex
