from tests import factories


def test_create_read_update_delete(client):
    created = client.post("/api/v1/organisations", json={"name": "Halton Borough Council", "sector": "public",
                                                          "place_code": "E06000006"})
    assert created.status_code == 201
    org = created.json()
    assert created.headers["location"].endswith(f"/api/v1/organisations/{org['id']}")
    assert org["place_code"] == "E06000006"

    got = client.get(f"/api/v1/organisations/{org['id']}")
    assert got.json()["name"] == "Halton Borough Council"
    etag = got.headers["etag"]

    changed = client.patch(f"/api/v1/organisations/{org['id']}", json={"website": "https://example.org"},
                           headers={"If-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["website"] == "https://example.org"
    assert changed.headers["etag"] != etag

    assert client.delete(f"/api/v1/organisations/{org['id']}").status_code == 204
    assert client.get(f"/api/v1/organisations/{org['id']}").status_code == 404


def test_duplicate_name_is_conflict_case_insensitively(client):
    assert client.post("/api/v1/organisations", json={"name": "Active Cheshire", "sector": "sport"}).status_code == 201
    again = client.post("/api/v1/organisations", json={"name": "active cheshire", "sector": "sport"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert "already exists" in again.json()["detail"]


def test_unknown_place_code_is_named_in_the_error(client):
    r = client.post("/api/v1/organisations", json={"name": "Somewhere", "sector": "public", "place_code": "E92000001"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "place_code"]
    assert client.get("/api/v1/organisations").json()["items"] == []


def test_delete_refused_while_people_belong(client, session):
    org = factories.organisation(session)
    factories.stakeholder(session, organisation_id=org.id)
    session.commit()
    r = client.delete(f"/api/v1/organisations/{org.id}")
    assert r.status_code == 409
    assert client.get(f"/api/v1/organisations/{org.id}").status_code == 200


def test_filters(client, session):
    factories.organisation(session, name="Wirral Council", sector="public", place_code="E08000015")
    factories.organisation(session, name="Wirral Leisure Trust", sector="leisure", place_code="E08000015")
    factories.organisation(session, name="Edge Hill University", sector="education")
    session.commit()
    names = lambda r: [o["name"] for o in r.json()["items"]]  # noqa: E731
    assert names(client.get("/api/v1/organisations?place_code=E08000015")) == ["Wirral Council", "Wirral Leisure Trust"]
    assert names(client.get("/api/v1/organisations?sector=leisure")) == ["Wirral Leisure Trust"]
    assert names(client.get("/api/v1/organisations?q=HILL")) == ["Edge Hill University"]
    assert names(client.get("/api/v1/organisations?q=%25")) == []
    assert client.get("/api/v1/organisations?sector=bakery").status_code == 422
