"""A count above its denominator is refused by the importer (both doors share it), except for a
rate, where repeated events can outnumber the population."""

from sqlmodel import func, select

from api.indicators.models import IndicatorValue
from tests.factories import INACTIVE

HEADER = "indicator_id,area_code,period,breakdown,value,count,denominator\n"
RATE = {"id": "90801", "name": "Emergency admissions for falls, per 100,000", "unit": "rate",
        "multiplier": 100000, "polarity": "lower_is_better", "ci_method": "byar"}


def _import(client, text: str, **params):
    return client.post("/api/v1/indicators/import", params=params,
                       files={"file": ("values.csv", text.encode(), "text/csv")})


def _count(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(IndicatorValue)).one()


def test_a_count_above_its_denominator_is_a_problem_on_its_line_and_nothing_is_written(client, session):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    text = HEADER + "93014,E08000012,2022/23,Persons,20,200,1000\n93014,E08000015,2022/23,Persons,20,1200,1000\n"
    for params in ({}, {"dry_run": "true"}):
        response = _import(client, text, **params)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"] == [
            {"line": 3, "column": "count", "msg": "the count (1,200) is above its denominator (1,000)"}]
    assert _count(session) == 0


def test_a_count_equal_to_its_denominator_is_fine(client, session):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 201
    response = _import(client, HEADER + "93014,E08000012,2022/23,Persons,100,1000,1000\n")
    assert response.status_code == 200 and response.json()["rows_written"] == 1


def test_a_rate_may_count_more_events_than_people(client, session):
    assert client.post("/api/v1/indicators", json=RATE).status_code == 201
    response = _import(client, HEADER + "90801,E08000012,2022/23,Persons,,1500,1000\n")
    assert response.status_code == 200 and response.json()["rows_written"] == 1
