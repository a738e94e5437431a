import json

from tests import factories

PLACES = {
    "E06000049": "Cheshire East", "E06000050": "Cheshire West and Chester", "E06000006": "Halton",
    "E08000011": "Knowsley", "E08000012": "Liverpool", "E08000014": "Sefton", "E08000013": "St Helens",
    "E06000007": "Warrington", "E08000015": "Wirral",
}


def test_places_are_the_nine(client):
    items = client.get("/api/v1/places").json()["items"]
    assert {p["gss_code"]: p["name"] for p in items} == PLACES
    assert all(p["kind"] == "place" for p in items)


def test_place_by_code(client):
    assert client.get("/api/v1/places/E08000012").json()["name"] == "Liverpool"
    assert client.get("/api/v1/places/E92000001").status_code == 404  # England is an area, not a Place
    assert client.get("/api/v1/places/nope").status_code == 422


def test_areas_hierarchy(client):
    areas = {a["gss_code"]: a for a in client.get("/api/v1/areas").json()["items"]}
    assert areas["E92000001"]["kind"] == "country"
    assert areas["E54000008"] == {"gss_code": "E54000008", "name": "NHS Cheshire and Merseyside",
                                  "kind": "subregion", "parent_code": "E92000001"}
    partnerships = [a for a in areas.values() if a["kind"] == "active_partnership"]
    assert len(partnerships) == 2
    cheshire = next(a for a in partnerships if "Cheshire" in a["name"])
    assert {c for c, a in areas.items() if a["parent_code"] == cheshire["gss_code"]} == {
        "E06000049", "E06000050", "E06000007"}
    assert len(client.get("/api/v1/areas?kind=place").json()["items"]) == 9


def test_popolo_export(client, session):
    org = factories.organisation(session, name="Knowsley Council")
    group = factories.group(session, name="Start Well Thematic Group", code="SW")
    person = factories.stakeholder(session, name="Quentin Example", organisation_id=org.id, job_title="Officer")
    factories.membership(session, group=group, stakeholder=person, role="chair", on_behalf_of_id=org.id)
    session.commit()
    r = client.get("/api/v1/export/popolo")
    assert r.status_code == 200
    doc = json.loads(r.text)
    assert [p["name"] for p in doc["persons"]] == ["Quentin Example"]
    org_ids = {o["id"]: o for o in doc["organizations"]}
    assert org_ids[f"group-{group.id}"]["classification"] == "thematic"
    assert org_ids[f"organisation-{org.id}"]["name"] == "Knowsley Council"
    seat = next(m for m in doc["memberships"] if m["id"].startswith("membership-"))
    assert seat == {"id": seat["id"], "person_id": f"person-{person.id}", "organization_id": f"group-{group.id}",
                    "role": "chair", "start_date": "2024-01-01", "end_date": None,
                    "on_behalf_of_id": f"organisation-{org.id}"}
    assert any(m["id"] == f"employment-{person.id}" and m["role"] == "Officer" for m in doc["memberships"])
    assert len(doc["areas"]) == 13


def test_popolo_export_empty_registry_is_valid_json(client):
    doc = json.loads(client.get("/api/v1/export/popolo").text)
    assert doc["persons"] == [] and doc["memberships"] == [] and doc["organizations"] == []
