"""Search: ranked, highlighted, kept in step with the records, and never showing what the
caller may not see — on SQLite FTS5 and PostgreSQL alike."""

from sqlmodel import select

from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.search import service as search
from tests.api.test_meetings import JAN, MARCH, _meeting, hcp  # noqa: F401 (fixture)


def _record(client, group, people):
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    url = f"/api/v1/meetings/{meeting['id']}"
    open_item = client.post(f"{url}/agenda-items", json={"title": "Homelessness and rough sleeping"},
                            headers=sec).json()
    secret_item = client.post(f"{url}/agenda-items", json={"title": "Leisure contract", "confidential": True},
                              headers=sec).json()
    client.put(f"{url}/minutes", headers=sec, json={"items": [
        {"agenda_item_id": open_item["id"], "text": "Partners discussed rough sleeping in Liverpool & <b>Wirral</b>."},
        {"agenda_item_id": secret_item["id"], "text": "The leisure contract renewal figures were discussed."}]})
    client.post(f"{url}/decisions", headers=sec, json={"agenda_item_id": open_item["id"],
                                                      "text": "Add rough sleeping to the forward plan."})
    client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "meeting_id": meeting["id"],
                                                      "agenda_item_id": secret_item["id"],
                                                      "text": "Circulate the leisure contract figures."})
    return meeting, open_item, secret_item


def _kinds(client, q, headers):
    r = client.get("/api/v1/search", params={"q": q}, headers=headers)
    assert r.status_code == 200, r.text
    return [(h["kind"], h["title"]) for h in r.json()["items"]]


def test_search_finds_ranks_and_highlights(client, hcp):  # noqa: F811
    group, people = hcp
    meeting, open_item, _ = _record(client, group, people)
    member = people["member"][1]
    hits = client.get("/api/v1/search", params={"q": "rough sleeping"}, headers=member).json()["items"]
    assert {h["kind"] for h in hits} == {"minutes", "decision"}
    minute = next(h for h in hits if h["kind"] == "minutes")
    assert minute["url"] == f"/meetings/{meeting['id']}#item-{open_item['id']}"
    assert "<mark>rough</mark> <mark>sleeping</mark>" in minute["snippet"]
    # The snippet is escaped text (PostgreSQL also drops what looks like tags): never live markup.
    assert "&amp;" in minute["snippet"] and "<b>" not in minute["snippet"]
    # as-you-type: the last word may be unfinished
    assert _kinds(client, "rough sleep", member)
    assert _kinds(client, "homeless", member)
    only = client.get("/api/v1/search", params={"q": "rough", "kind": "decision"}, headers=member).json()["items"]
    assert [h["kind"] for h in only] == ["decision"]


def test_drafts_and_confidential_records_are_found_only_by_members(client, hcp):  # noqa: F811
    group, people = hcp
    meeting, _, _ = _record(client, group, people)
    outsider, member = people["outsider"][1], people["member"][1]
    assert _kinds(client, "leisure contract", outsider) == []
    assert {k for k, _ in _kinds(client, "leisure contract", member)} == {"minutes", "action"}
    assert _kinds(client, "rough sleeping", outsider) == [("decision", "Decision: Homelessness and rough sleeping")]

    # Once approved, the open minutes are public; the confidential item's stay members-only.
    later = _meeting(client, group.id, people["secretary"][1], times=MARCH)
    client.post(f"/api/v1/meetings/{meeting['id']}/minutes/approve", headers=people["secretary"][1],
                json={"approved_at_meeting_id": later["id"]})
    assert {k for k, _ in _kinds(client, "rough sleeping", outsider)} == {"minutes", "decision"}
    assert _kinds(client, "leisure contract", outsider) == []
    assert {k for k, _ in _kinds(client, "leisure contract", client.headers)} == {"minutes", "action"}  # admin


def test_index_follows_changes(client, hcp):  # noqa: F811
    group, people = hcp
    sec = people["secretary"][1]
    meeting, open_item, secret_item = _record(client, group, people)
    client.patch(f"/api/v1/agenda-items/{secret_item['id']}", json={"confidential": False}, headers=sec)
    assert _kinds(client, "contract figures", people["outsider"][1]) == [("action", "Action 1")]
    action = client.get(f"/api/v1/actions?group_id={group.id}").json()["items"][0]
    client.post(f"/api/v1/actions/{action['id']}/updates", headers=sec, json={"text": "Sent to the treasurer"})
    assert _kinds(client, "treasurer", sec) == [("action", "Action 1")]
    client.put(f"/api/v1/meetings/{meeting['id']}/minutes", headers=sec, json={"items": [
        {"agenda_item_id": open_item["id"], "text": "Rewritten entirely."}]})
    assert [k for k, _ in _kinds(client, "Liverpool", sec)] == []


def test_bad_queries_and_paging(client, hcp):  # noqa: F811
    group, people = hcp
    sec = people["secretary"][1]
    for n in range(5):
        client.post("/api/v1/actions", headers=sec, json={"group_id": group.id, "text": f"Badger survey number {n}"})
    first = client.get("/api/v1/search", params={"q": "badger", "limit": 2}, headers=sec).json()
    seen = [h["id"] for h in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/search", params={"q": "badger", "limit": 2, "cursor": cursor}, headers=sec).json()
        seen += [h["id"] for h in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == 5 == len(set(seen))
    for q in ('"', "***", "AND OR NOT", "(", "'; DROP TABLE search_document; --"):
        r = client.get("/api/v1/search", params={"q": q}, headers=sec)
        assert r.status_code in (200, 422), (q, r.text)
    assert client.get("/api/v1/search", params={"q": "   "}, headers=sec).status_code == 422
    assert client.get("/api/v1/search", params={"q": "x", "cursor": "garbage"}, headers=sec).status_code == 400
    assert client.get("/api/v1/search", params={"q": "badger", "kind": "nonsense"}, headers=sec).status_code == 422
    assert client.get("/api/v1/search", params={"q": "badger"}, headers=sec).json()["items"]


def test_a_kind_no_domain_registered_is_shown_to_the_groups_members_only(session, hcp):  # noqa: F811
    # Fails closed: without a registered check of the record's current state, search cannot tell
    # whether the record has become confidential since it was indexed, so only members see it.
    group, _ = hcp
    search.put(session, kind="unregistered", ref_id=1, group_id=group.id, meeting_id=None, members_only=False,
               title="Zebra crossing survey", body="Zebra crossing survey results", url="/nowhere")
    session.commit()

    def found(key: str) -> list[str]:
        account = session.exec(select(UserAccount).where(UserAccount.email == f"hcp.{key}@example.org")).one()
        hits, _ = search.search(session, subject=auth_service.user_subject(account), q="zebra")
        return [hit.title for hit in hits]

    assert found("member") == ["Zebra crossing survey"]
    assert found("outsider") == []
    assert found("observer") == []
