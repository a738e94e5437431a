"""Pilots: measures, Places and partners checked, dated status history, counted on the dashboard."""

from tests import factories

ALCOHOL = {"name": "Alcohol support referral pathway", "pathway": "alcohol support", "status": "testing",
           "summary": "Physical activity offered within alcohol support.",
           "place_codes": ["E08000012", "E08000011", "E06000007"],
           "measures": [{"name": "Previously inactive patients now regularly active", "value": 69, "unit": "%"}]}


def test_pilots_with_history_and_dashboard_counts(client, session):
    trust = factories.organisation(session, name="Test Teaching Hospitals", sector="health_care")
    session.commit()
    made = client.post("/api/v1/pilots", json={**ALCOHOL, "partner_ids": [trust.id]})
    assert made.status_code == 201, made.text
    pilot = made.json()
    assert pilot["measures"][0] == {"name": "Previously inactive patients now regularly active", "value": 69.0,
                                    "unit": "%", "baseline": None, "period": ""}
    assert [h["status"] for h in pilot["status_history"]] == ["testing"]
    moved = client.patch(f"/api/v1/pilots/{pilot['id']}", json={"status": "scaling",
                                                                "status_note": "Commissioned in two more Places"})
    assert moved.status_code == 200
    assert [(h["status"], h["note"]) for h in moved.json()["status_history"]] == [
        ("testing", "started"), ("scaling", "Commissioned in two more Places")]
    unchanged = client.patch(f"/api/v1/pilots/{pilot['id']}", json={"summary": "Updated summary."}).json()
    assert len(unchanged["status_history"]) == 2 and unchanged["status"] == "scaling"
    client.post("/api/v1/pilots", json={**ALCOHOL, "name": "Walking Therapies", "status": "learning"})
    assert [p["name"] for p in client.get("/api/v1/pilots?status=learning").json()["items"]] == ["Walking Therapies"]
    assert client.get("/api/v1/dashboards/strategy").json()["pilots_by_status"] == {"scaling": 1, "learning": 1}


def test_bad_pilots_are_refused(client):
    assert client.post("/api/v1/pilots", json=ALCOHOL).status_code == 201
    same_name = {**ALCOHOL, "name": "alcohol support referral PATHWAY"}
    assert client.post("/api/v1/pilots", json=same_name).status_code == 409
    bad_place = client.post("/api/v1/pilots", json={**ALCOHOL, "name": "X", "place_codes": ["E92000001"]})
    assert bad_place.status_code == 422 and "nine Places" in bad_place.json()["errors"][0]["msg"]
    assert client.post("/api/v1/pilots", json={**ALCOHOL, "name": "Y", "partner_ids": [987654]}).status_code == 422
    assert client.post("/api/v1/pilots", json={**ALCOHOL, "name": "Z", "status": "paused"}).status_code == 422
    assert client.post("/api/v1/pilots", json={**ALCOHOL, "name": "W", "measures": [{"name": "n"}]}).status_code == 422
    assert client.patch("/api/v1/pilots/987654", json={"status": "closed"}).status_code == 404
    assert len(client.get("/api/v1/pilots").json()["items"]) == 1
