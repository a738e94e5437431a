"""Search finds people, organisations, pilots and Place updates (records of no group, for
everyone signed in), keeps them in step as they change, and forgets a deleted or anonymised
person's old text — on SQLite FTS5 and PostgreSQL alike."""

from sqlalchemy import func, text
from sqlmodel import select

from api.auth import service as auth_service
from api.cli import reindex_search
from api.demo.loader import load_demo
from api.registry.models import Area, Stakeholder
from api.search import service as search
from api.search.models import SearchDocument
from tests.factories import PLACES
from tests.web.conftest import signed_in  # noqa: F401 (fixture)


def _hits(client, q, headers=None, kind=None):
    params = {"q": q} | ({"kind": kind} if kind else {})
    r = client.get("/api/v1/search", params=params, headers=headers or {})
    assert r.status_code == 200, r.text
    return [(h["kind"], h["title"], h["url"], h["group_id"]) for h in r.json()["items"]]


def _reader(client, person):
    """Bearer headers of a signed-in person in no group at all."""
    _, account = person("reader.nogroup@example.org")
    token = auth_service.user_token(client.app.state.settings, account).token
    return {"Authorization": f"Bearer {token}"}


def _organisation(client, **values):
    r = client.post("/api/v1/organisations", json={"name": "Quillfeather Leisure Trust", "sector": "leisure",
                                                   "place_code": PLACES[0]} | values)
    assert r.status_code == 201, r.text
    return r.json()


def _person(client, organisation_id, **values):
    r = client.post("/api/v1/stakeholders", json={"name": "Marigold Thistlewood", "job_title": "Walking Lead",
                                                  "organisation_id": organisation_id} | values)
    assert r.status_code == 201, r.text
    return r.json()


def test_people_and_organisations_are_found_by_their_words(client, person, session):
    reader = _reader(client, person)
    org = _organisation(client)
    someone = _person(client, org["id"])
    place = session.get(Area, PLACES[0]).name
    assert _hits(client, "thistlewood", reader) == [("person", "Marigold Thistlewood", f"/people/{someone['id']}",
                                                     None)]
    # Job title and organisation name find the person too; sector words and Place the organisation.
    assert ("person", "Marigold Thistlewood", f"/people/{someone['id']}", None) in _hits(client, "walking lead",
                                                                                           reader)
    assert {k for k, *_ in _hits(client, "quillfeather", reader)} == {"person", "organisation"}
    assert _hits(client, f"leisure {place.split()[0]}", reader, kind="organisation") == [
        ("organisation", "Quillfeather Leisure Trust", f"/organisations/{org['id']}", None)]


def test_changes_rewrite_and_deletes_remove_the_documents(client, person):
    reader = _reader(client, person)
    org = _organisation(client)
    someone = _person(client, org["id"])
    r = client.patch(f"/api/v1/stakeholders/{someone['id']}", json={"name": "Marigold Brackenbury"})
    assert r.status_code == 200, r.text
    assert _hits(client, "thistlewood", reader) == []
    assert [t for _, t, *_ in _hits(client, "brackenbury", reader)] == ["Marigold Brackenbury"]
    # A renamed organisation: the people who work there are found by its new name, not the old.
    assert client.patch(f"/api/v1/organisations/{org['id']}", json={"name": "Ravensmoor Active"}).status_code == 200
    assert {k for k, *_ in _hits(client, "ravensmoor", reader)} == {"person", "organisation"}
    assert _hits(client, "quillfeather", reader) == []
    assert client.delete(f"/api/v1/stakeholders/{someone['id']}").status_code == 204
    assert _hits(client, "brackenbury", reader) == []
    assert client.delete(f"/api/v1/organisations/{org['id']}").status_code == 204
    assert _hits(client, "ravensmoor", reader) == []


def test_an_anonymised_person_is_no_longer_found_by_their_old_name(client, person, session):
    reader = _reader(client, person)
    someone = _person(client, None)
    r = client.post(f"/api/v1/stakeholders/{someone['id']}/anonymise")
    assert r.status_code == 200, r.text
    label = r.json()["name"]
    for word in ("marigold", "thistlewood", "walking"):
        assert _hits(client, word, reader) == []
    session.expire_all()
    document = session.exec(select(SearchDocument).where(SearchDocument.kind == "person",
                                                         SearchDocument.ref_id == someone["id"])).one()
    assert (document.title, document.body) == (label, "")
    # Nor does the file still hold the old words: FTS5 keeps a removed document's words in its
    # index segments until they are merged.
    if session.get_bind().dialect.name == "sqlite":
        blocks = session.exec(text("SELECT block FROM search_fts_data")).all()
        assert not [b for (b,) in blocks if isinstance(b, bytes) and b"stlewood" in b]


def test_pilots_and_place_updates_are_found_and_follow_changes(client, person, session):
    reader = _reader(client, person)
    r = client.post("/api/v1/pilots", json={"name": "Canalside strollers", "pathway": "social prescribing",
                                            "summary": "Weekly **towpath** walks for [new parents](https://x.org)."})
    assert r.status_code == 201, r.text
    pilot = r.json()
    hits = client.get("/api/v1/search", params={"q": "towpath"}, headers=reader).json()["items"]
    assert [(h["kind"], h["title"], h["url"]) for h in hits] == [("pilot", "Canalside strollers",
                                                                   f"/pilots/{pilot['id']}")]
    assert "**" not in hits[0]["snippet"] and "https" not in hits[0]["snippet"]
    assert "<mark>towpath</mark>" in hits[0]["snippet"]
    assert _hits(client, "prescribing", reader, kind="pilot")
    r = client.patch(f"/api/v1/pilots/{pilot['id']}", json={"summary": "Lunchtime canoe sessions."})
    assert r.status_code == 200, r.text
    assert _hits(client, "towpath", reader) == []
    assert [t for _, t, *_ in _hits(client, "canoe", reader)] == ["Canalside strollers"]

    place = session.get(Area, PLACES[1])
    r = client.post(f"/api/v1/places/{place.gss_code}/updates", json={
        "period": "2025-Q2", "plan_status": "launched", "narrative": "Twelve *orienteering* clubs joined.",
        "people_reached": 10, "people_more_active": 5})
    assert r.status_code == 201, r.text
    assert _hits(client, "orienteering", reader) == [
        ("place_update", f"{place.name} update, 2025-Q2", f"/places/{place.gss_code}", None)]
    assert _hits(client, place.name.split()[0], reader, kind="place_update")


def test_the_search_page_shows_each_kind_in_words(client, signed_in):  # noqa: F811
    _organisation(client)
    r = client.post("/api/v1/pilots", json={"name": "Quillfeather canoe club", "summary": "Quillfeather paddling."})
    assert r.status_code == 201, r.text
    web, _ = signed_in
    page = web.get("/search", params={"q": "quillfeather"}, headers={"Authorization": ""})
    assert page.status_code == 200, page.text
    assert '<a href="/organisations/' in page.text and "(Organisation)" in page.text
    assert "(Pilot)" in page.text and "<mark>Quillfeather</mark>" in page.text


def test_no_search_for_partner_clients_or_the_signed_out(client, anonymous_client, partner):
    _organisation(client)
    for headers in partner:
        assert client.get("/api/v1/search", params={"q": "quillfeather"}, headers=headers).status_code == 403
    del anonymous_client.headers["Authorization"]
    assert anonymous_client.get("/api/v1/search", params={"q": "quillfeather"}).status_code == 401
    page = anonymous_client.get("/search", params={"q": "quillfeather"}, follow_redirects=False)
    assert page.status_code in (302, 303) and "quillfeather" not in page.text.lower()


def test_reindex_backfills_every_kind(client, session):
    org = _organisation(client)
    _person(client, org["id"])
    client.post("/api/v1/pilots", json={"name": "Canalside strollers", "summary": "Towpath walks."})
    client.post(f"/api/v1/places/{PLACES[1]}/updates", json={"period": "2025-Q2", "plan_status": "launched",
                                                            "narrative": "Orienteering clubs."})
    session.exec(text("DELETE FROM search_document"))  # as before these kinds were indexed
    session.commit()
    counts = reindex_search(session)
    session.commit()
    assert counts["people and organisations"] == 2 and counts["pilots and Place updates"] == 2
    kinds = sorted(session.exec(select(SearchDocument.kind)).all())
    assert kinds == ["organisation", "person", "pilot", "place_update"]
    assert _hits(client, "towpath") and _hits(client, "thistlewood") and _hits(client, "orienteering")
    # Running it again rewrites, never duplicates.
    reindex_search(session)
    session.commit()
    assert len(session.exec(select(SearchDocument.kind)).all()) == 4


def test_creating_a_person_costs_a_bounded_number_of_extra_statements(client, count_queries):
    org = _organisation(client)
    with count_queries() as counter:
        _person(client, org["id"])
    written = [s for s in counter.statements if "search_document" in s]
    assert len(written) == 1 and written[0].lstrip().upper().startswith("INSERT"), written
    assert sum("FROM organisation" in s for s in counter.statements) <= 2


def test_the_demo_is_searchable_for_people_organisations_and_pilots(client, session):
    load_demo(session, password="demo-password-1")
    session.commit()
    someone = session.exec(select(Stakeholder).order_by(Stakeholder.id)).first()
    surname = someone.name.split()[-1]
    assert ("person", someone.name) in [(k, t) for k, t, *_ in _hits(client, surname, kind="person")]
    counts = dict(session.exec(select(SearchDocument.kind, func.count()).group_by(SearchDocument.kind)).all())
    assert counts["person"] == session.exec(select(func.count()).select_from(Stakeholder)).one()
    assert counts["organisation"] and counts["pilot"] and counts["place_update"]


def test_a_members_only_document_of_no_group_is_for_admins_only(client, person, session):
    # Fails closed: with no group there are no members, so only an admin may see it.
    search.put(session, kind="pilot", ref_id=999, group_id=None, meeting_id=None, members_only=True,
               title="Zanzibar rowing", body="Zanzibar rowing trial", url="/pilots/999")
    session.commit()
    assert _hits(client, "zanzibar", _reader(client, person)) == []
    assert [t for _, t, *_ in _hits(client, "zanzibar")] == ["Zanzibar rowing"]
