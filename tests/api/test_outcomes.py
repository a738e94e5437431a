"""Place updates and the strategy dashboard: who may report, what adds up, what is refused."""

from datetime import date

import pytest
from sqlalchemy import insert

from api.auth import service as auth_service
from api.indicators.models import IndicatorValue
from tests import factories

LIVERPOOL, WIRRAL = "E08000012", "E08000015"


@pytest.fixture
def place_officer(session, app):
    group = factories.group(session, name="Liverpool Physical Activity Group", kind="place", place_code=LIVERPOOL)
    person, account = factories.person_with_account(session, "lpool.secretary@example.org")
    factories.membership(session, group=group, stakeholder=person, role="secretary", start_date=date(2023, 1, 1))
    other, other_account = factories.person_with_account(session, "lpool.member@example.org")
    factories.membership(session, group=group, stakeholder=other, start_date=date(2023, 1, 1))
    session.commit()
    settings = app.state.settings
    return ({"Authorization": f"Bearer {auth_service.user_token(settings, account).token}"},
            {"Authorization": f"Bearer {auth_service.user_token(settings, other_account).token}"})


def _update(period, more, reached=None, status="launched"):
    return {"period": period, "plan_status": status, "people_more_active": more,
            "people_reached": reached if reached is not None else more * 3, "narrative": "Walking groups grew."}


def test_place_updates_add_up_to_the_strategy_dashboard(client, place_officer):
    officer, _ = place_officer
    assert client.post(f"/api/v1/places/{LIVERPOOL}/updates", json=_update("2024-Q1", 1200, status="signed_off"),
                       headers=officer).status_code == 201
    client.post(f"/api/v1/places/{LIVERPOOL}/updates", json=_update("2024-Q2", 800), headers=officer)
    client.post(f"/api/v1/places/{WIRRAL}/updates", json=_update("2024-Q1", 500, status="in_development"))

    history = client.get(f"/api/v1/places/{LIVERPOOL}/updates").json()["items"]
    assert [u["period"] for u in history] == ["2024-Q2", "2024-Q1"] and history[0]["place_name"] == "Liverpool"
    latest = client.get("/api/v1/place-updates?latest=true").json()["items"]
    assert {(u["place_code"], u["period"]) for u in latest} == {(LIVERPOOL, "2024-Q2"), (WIRRAL, "2024-Q1")}

    board = client.get("/api/v1/dashboards/strategy").json()
    assert board["target"] == 150_000 and board["people_more_active"] == 2500
    assert board["share_of_target"] == round(2500 / 150_000, 4) and "sum of people_more_active" in board["derivation"]
    places = {p["place_code"]: p for p in board["by_place"]}
    assert len(places) == 9
    assert places[LIVERPOOL]["people_more_active"] == 2000 and places[LIVERPOOL]["plan_status"] == "launched"
    assert places[WIRRAL]["plan_status"] == "in_development" and places["E06000049"]["people_more_active"] == 0
    assert board["over_time"] == [{"period": "2024-Q1", "people_more_active": 1700, "cumulative": 1700},
                                  {"period": "2024-Q2", "people_more_active": 800, "cumulative": 2500}]
    assert board["counts"]["stakeholders"] >= 2 and board["counts"]["groups"] >= 1


def test_only_admins_and_the_places_officers_report(client, place_officer):
    officer, member = place_officer
    assert client.post(f"/api/v1/places/{LIVERPOOL}/updates", json=_update("2024-Q1", 10),
                       headers=member).status_code == 403
    assert client.post(f"/api/v1/places/{WIRRAL}/updates", json=_update("2024-Q1", 10),
                       headers=officer).status_code == 403  # another Place
    assert client.get("/api/v1/place-updates").json()["items"] == []


def test_bad_place_updates_are_refused(client):
    url = f"/api/v1/places/{LIVERPOOL}/updates"
    assert client.post(url, json=_update("2024-Q1", 10)).status_code == 201
    assert client.post(url, json=_update("2024-Q1", 20)).status_code == 409
    assert client.post(url, json=_update("Spring 2024", 10)).status_code == 422
    assert client.post(url, json=_update("2024-Q5", 10)).status_code == 422
    assert client.post(url, json=_update("2024-Q2", 10, reached=5)).status_code == 422
    assert client.post(url, json=_update("2024-Q2", -1, reached=0)).status_code == 422
    assert client.post(url, json={**_update("2024-Q2", 1), "plan_status": "finished"}).status_code == 422
    assert client.post("/api/v1/places/E92000001/updates", json=_update("2024-Q2", 1)).status_code == 404
    assert len(client.get("/api/v1/place-updates").json()["items"]) == 1


def test_strategy_dashboard_heads_each_indicator_with_the_subregion_against_england(client, indicator, engine):
    assert client.get("/api/v1/dashboards/strategy").json()["indicator_headlines"] == []  # no subregion values
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [
            {"indicator_id": "93014", "area_code": area, "period": period, "breakdown": "Persons", "value": value,
             "lower_ci": low, "upper_ci": high, "note": ""}
            for area, period, value, low, high in [
                ("E54000008", "2021/22", 29.0, 28.0, 30.0), ("E54000008", "2022/23", 27.7, 27.0, 28.4),
                ("E92000001", "2022/23", 25.1, 25.0, 25.2), ("E92000001", "2021/22", 27.5, 27.4, 27.6)]])
    [headline] = client.get("/api/v1/dashboards/strategy").json()["indicator_headlines"]
    assert (headline["indicator_id"], headline["period"], headline["value"]) == ("93014", "2022/23", 27.7)
    assert headline["comparator_value"] == 25.1 and headline["outcome"] == "worse"  # more inactive than England
