"""The pilot and Place-update rules the web forms rely on, through the API and the service: a
pilot may be renamed (not onto another pilot's name), a status change keeps its note, and no
door can store more people made more active than were reached."""

import pytest
from sqlmodel import select

from api.authz import SYSTEM_SUBJECT
from api.core.errors import InvalidInput
from api.outcomes import service
from api.outcomes.models import PlaceUpdate
from api.registry.service import get_place

PILOT = {"name": "Walking Therapies", "pathway": "talking therapies", "status": "learning"}


def test_a_pilot_is_renamed_but_not_onto_another_pilots_name(client):
    made = client.post("/api/v1/pilots", json=PILOT).json()
    client.post("/api/v1/pilots", json={**PILOT, "name": "Active Hospitals"})
    renamed = client.patch(f"/api/v1/pilots/{made['id']}", json={"name": "Walking Together"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Walking Together"
    assert client.patch(f"/api/v1/pilots/{made['id']}", json={"name": "walking together"}).status_code == 200
    clash = client.patch(f"/api/v1/pilots/{made['id']}", json={"name": "ACTIVE HOSPITALS"})
    assert clash.status_code == 409
    assert client.patch(f"/api/v1/pilots/{made['id']}", json={"name": None}).status_code == 422
    assert client.patch(f"/api/v1/pilots/{made['id']}", json={"name": " "}).status_code == 422
    assert client.get(f"/api/v1/pilots/{made['id']}").json()["name"] == "walking together"


def test_a_status_change_keeps_its_note_in_the_history(client):
    made = client.post("/api/v1/pilots", json=PILOT).json()
    moved = client.patch(f"/api/v1/pilots/{made['id']}", json={"status": "scaling", "status_note": "Funded for 2025"})
    assert [(h["status"], h["note"]) for h in moved.json()["status_history"]] == [
        ("learning", "started"), ("scaling", "Funded for 2025")]


def test_the_service_refuses_more_made_active_than_reached(session):
    place = get_place(session, "E08000012")
    with pytest.raises(InvalidInput):
        service.add_update(session, actor=SYSTEM_SUBJECT, place=place, data={
            "period": "2025-Q1", "plan_status": "launched", "narrative": "", "people_reached": 10,
            "people_more_active": 11})
    assert session.exec(select(PlaceUpdate)).all() == []
