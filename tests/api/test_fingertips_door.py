"""The Fingertips-compatible door (/fingertips/api): published indicators only, Fingertips' shapes,
no credentials, a request budget per address."""

import csv
import io
import os
import uuid

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import select

from api.auth.throttle import make_open_data_limiter
from api.core.ratelimit import MemoryCounter, RedisCounter, RequestLimiter
from api.indicators import fingertips
from api.indicators.models import Indicator, IndicatorValue
from api.main import create_app
from tests.conftest import make_settings
from tests.factories import PLACES

DOOR = "/fingertips/api"
ENGLAND, SUBREGION = "E92000001", "E54000008"
PERIODS = ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
# Fingertips' data CSV columns, in its order (its exporter's header; the issue lists them).
FINGERTIPS_COLUMNS = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type", "Sex",
    "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit",
    "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to percentiles", "Time period Sortable", "New data",
    "Compared to goal",
]
PUBLISHED, UNPUBLISHED, WORDY = "93014", "90999", "AL-OPEN"
SECRET = "Secret draft indicator"


def _indicator(indicator_id, name, *, published, polarity="lower_is_better"):
    return Indicator(id=indicator_id, name=name, unit="percent", polarity=polarity, published=published,
                     definition=f"Definition of {name}", source="Active Lives Adult Survey", ci_method="wilson",
                     frequency="Yearly", theme="Physical activity", numerator_definition="Inactive adults",
                     denominator_definition="Adults surveyed")


def _value(indicator_id, area, period, breakdown, value, *, spread=1.0, note=""):
    return {"indicator_id": indicator_id, "area_code": area, "period": period, "breakdown": breakdown,
            "value": value, "lower_ci": value - spread, "upper_ci": value + spread, "lower_ci_998": value - 2 * spread,
            "upper_ci_998": value + 2 * spread, "count": value * 10, "denominator": 1000.0, "note": note}


@pytest.fixture
def door_data(session, engine):
    """A published numeric indicator (England, the subregion, the Places; sexes, an age band and a
    category); an unpublished one with values of its own; a published one whose id is not a number."""
    session.add_all([_indicator(PUBLISHED, "Percentage of physically inactive adults", published=True),
                     _indicator(UNPUBLISHED, SECRET, published=False),
                     _indicator(WORDY, "Adults who are active", published=True, polarity="higher_is_better")])
    session.commit()
    rows = []
    for n, period in enumerate(PERIODS):
        rows.append(_value(PUBLISHED, ENGLAND, period, "Persons", 25.0 - n * 0.1, spread=0.1))
        rows.append(_value(PUBLISHED, SUBREGION, period, "Persons", 27.0 - n * 0.1, spread=0.5))
        for p, place in enumerate(PLACES):
            # Liverpool (the sixth Place) falls steeply: a significant trend that is getting better.
            value = 40.0 - n * 3 if place == "E08000012" else 22.0 + p * 1.5
            rows.append(_value(PUBLISHED, place, period, "Persons", value, spread=0.5,
                               note="=HYPERLINK(\"http://evil.example\")" if p == 0 else ""))
    for breakdown in ["Male", "16-34", "IMD: Most deprived decile"]:
        rows.append(_value(PUBLISHED, ENGLAND, "2022/23", breakdown, 24.0))
        rows.append(_value(PUBLISHED, PLACES[0], "2022/23", breakdown, 30.0))
    rows += [_value(UNPUBLISHED, place, "2022/23", "75+", 50.0) for place in [ENGLAND, *PLACES]]
    rows += [_value(UNPUBLISHED, SUBREGION, "2022/23", "Persons", 50.0)]
    rows += [_value(WORDY, place, "2022/23", "Persons", 60.0) for place in [ENGLAND, *PLACES]]
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), rows)


@pytest.fixture
def door(app, anonymous_client):
    """A client with no credentials and a fresh budget."""
    app.state.open_data_limiter = make_open_data_limiter(app.state.settings)
    return anonymous_client


def _csv(response):
    return list(csv.reader(io.StringIO(response.text)))


def _records(response):
    rows = _csv(response)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# -- lists -----------------------------------------------------------------------------------------

def test_area_types_are_numbered_as_fingertips_numbers_them(door):
    r = door.get(f"{DOOR}/area_types")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    types = {t["Id"]: t for t in r.json()}
    assert set(types) == {15, 221, 401, 402, 501, 502}
    assert types[15]["Name"] == "England"
    assert types[221]["ShortName"] == "ICBs"
    assert types[502]["ShortName"] == "Counties & UAs (from Apr 2023)"
    assert types[501]["ShortName"] == "Districts & UAs (from Apr 2023)"
    assert all({"Id", "Name", "ShortName"} <= set(t) for t in r.json())


@pytest.mark.parametrize("area_type_id", [401, 402, 501, 502])
def test_the_places_are_upper_and_lower_tier_authorities(door, area_type_id):
    r = door.get(f"{DOOR}/areas/by_area_type", params={"area_type_id": area_type_id})
    assert r.status_code == 200
    areas = r.json()
    assert sorted(a["Code"] for a in areas) == sorted(PLACES)
    liverpool = next(a for a in areas if a["Code"] == "E08000012")
    assert liverpool == {"Code": "E08000012", "Name": "Liverpool", "Short": "Liverpool", "AreaTypeId": area_type_id}


def test_england_and_the_icb_have_their_own_area_types(door):
    england = door.get(f"{DOOR}/areas/by_area_type", params={"area_type_id": 15}).json()
    icbs = door.get(f"{DOOR}/areas/by_area_type", params={"area_type_id": 221}).json()
    assert [a["Code"] for a in england] == [ENGLAND]
    assert [(a["Code"], a["Name"]) for a in icbs] == [(SUBREGION, "NHS Cheshire and Merseyside")]


def test_an_unknown_area_type_is_404_problem(door):
    _problem(door.get(f"{DOOR}/areas/by_area_type", params={"area_type_id": 999}), 404)
    _problem(door.get(f"{DOOR}/areas/by_area_type"), 422)


def test_sexes_and_ages(door, door_data):
    assert door.get(f"{DOOR}/sexes").json() == [{"Id": 4, "Name": "Persons"}, {"Id": 1, "Name": "Male"},
                                                {"Id": 2, "Name": "Female"}]
    ages = door.get(f"{DOOR}/ages").json()
    assert ages[0] == {"Id": 1, "Name": "All ages"}
    names = [a["Name"] for a in ages]
    assert "16-34" in names
    assert "75+" not in names  # only the unpublished indicator uses that band


def test_available_data_lists_published_numeric_indicators_only(door, door_data):
    r = door.get(f"{DOOR}/available_data")
    assert r.status_code == 200
    # Fingertips' shape: the pairs only (fingertipsR names exactly two columns).
    assert r.json() == [{"IndicatorId": 93014, "AreaTypeId": t} for t in (15, 221, 401, 402, 501, 502)]
    only = door.get(f"{DOOR}/available_data", params={"area_type_id": 221}).json()
    assert only == [{"IndicatorId": 93014, "AreaTypeId": 221}]
    assert door.get(f"{DOOR}/available_data", params={"indicator_id": 93014}).json() == r.json()
    assert door.get(f"{DOOR}/available_data", params={"indicator_id": int(UNPUBLISHED)}).json() == []
    assert SECRET not in r.text and UNPUBLISHED not in r.text


def test_parent_area_types_name_england_first(door):
    types = {t["Id"]: t for t in door.get(f"{DOOR}/area_types/parent_area_types").json()}
    assert [p["Id"] for p in types[502]["ParentAreaTypes"]] == [15, 221]
    assert [p["Id"] for p in types[221]["ParentAreaTypes"]] == [15]
    assert types[402]["Name"] == "Upper tier local authorities (4/21-3/23)"


def test_the_address_above_the_api_answers(door):
    # fingertipsR checks that its base URL without "/api/" answers 200 before any call.
    r = door.get("/fingertips")
    assert r.status_code == 200 and r.json()["api"] == "/fingertips/api/"


def test_available_data_is_empty_until_something_is_published(door, session, door_data):
    for indicator in session.exec(select(Indicator)).all():
        indicator.published = False
    session.commit()
    assert door.get(f"{DOOR}/available_data").json() == []
    assert door.get(f"{DOOR}/ages").json() == [{"Id": 1, "Name": "All ages"}]


# -- metadata --------------------------------------------------------------------------------------

def test_metadata_is_keyed_by_id_as_fingertips_gives_it(door, door_data):
    r = door.get(f"{DOOR}/indicator_metadata/by_indicator_id", params={"indicator_ids": PUBLISHED})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert list(body) == [PUBLISHED]
    meta = body[PUBLISHED]
    assert meta["IndicatorId"] == 93014
    assert meta["Descriptive"]["Name"] == "Percentage of physically inactive adults"
    assert meta["Descriptive"]["Definition"] == "Definition of Percentage of physically inactive adults"
    assert meta["Unit"]["Value"] == 100 and meta["Unit"]["Label"] == "%"
    assert "wilson" in meta["ConfidenceIntervalMethod"]["Name"].lower()
    assert meta["ValueType"]["Name"] == "Proportion"


def test_metadata_csv(door, door_data):
    r = door.get(f"{DOOR}/indicator_metadata/csv/by_indicator_id", params={"indicator_ids": PUBLISHED})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = _csv(r)
    assert rows[0][:4] == ["Indicator ID", "Indicator", "Definition", "Rationale"]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Indicator ID"] == PUBLISHED
    assert record["Indicator"] == "Percentage of physically inactive adults"
    assert record["Data source"] == "Active Lives Adult Survey"
    assert record["Value type"] == "Proportion"
    assert len(rows) == 2


@pytest.mark.parametrize("path", ["indicator_metadata/by_indicator_id", "indicator_metadata/csv/by_indicator_id",
                                  "all_data/csv/by_indicator_id"])
def test_unpublished_is_answered_exactly_as_unknown(door, door_data, path):
    params = {"child_area_type_id": 502, "parent_area_type_id": 15}
    hidden = _problem(door.get(f"{DOOR}/{path}", params={**params, "indicator_ids": UNPUBLISHED}), 404)
    unknown = _problem(door.get(f"{DOOR}/{path}", params={**params, "indicator_ids": "91111"}), 404)
    assert hidden == {**unknown, "detail": unknown["detail"].replace("91111", UNPUBLISHED)}
    assert SECRET not in str(hidden)
    # One hidden indicator in the list hides the whole answer: nothing of it is sent.
    mixed = door.get(f"{DOOR}/{path}", params={**params, "indicator_ids": f"{PUBLISHED},{UNPUBLISHED}"})
    _problem(mixed, 404)
    assert SECRET not in mixed.text


def test_non_numeric_ids_cannot_be_asked_for(door, door_data):
    r = door.get(f"{DOOR}/indicator_metadata/by_indicator_id", params={"indicator_ids": WORDY})
    body = _problem(r, 422)
    assert body["errors"][0]["loc"] == ["query", "indicator_ids"]
    # Digits of other scripts are not Fingertips ids either (and are no server error).
    _problem(door.get(f"{DOOR}/indicator_metadata/by_indicator_id", params={"indicator_ids": "\u00b2,\uff11"}), 422)


def test_at_most_a_hundred_ids(door, door_data):
    ids = ",".join(str(90000 + n) for n in range(101))
    _problem(door.get(f"{DOOR}/indicator_metadata/by_indicator_id", params={"indicator_ids": ids}), 422)
    _problem(door.get(f"{DOOR}/indicator_metadata/by_indicator_id", params={"indicator_ids": " , "}), 422)


# -- data ------------------------------------------------------------------------------------------

def _data(door, *, child=502, parent=15, ids=PUBLISHED):
    return door.get(f"{DOOR}/all_data/csv/by_indicator_id",
                    params={"indicator_ids": ids, "child_area_type_id": child, "parent_area_type_id": parent})


def test_data_csv_has_fingertips_columns_in_order(door, door_data):
    r = _data(door)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert _csv(r)[0] == FINGERTIPS_COLUMNS


def test_data_under_the_icb_names_the_comparison_after_it(door, door_data):
    header = _csv(_data(door, parent=221))[0]
    assert header == [*FINGERTIPS_COLUMNS[:22], "Compared to ICBs value or percentiles", *FINGERTIPS_COLUMNS[23:]]


def test_data_rows_england_first_then_the_places(door, door_data):
    records = _records(_data(door))
    codes = [r["Area Code"] for r in records]
    assert codes[0] == ENGLAND and set(codes) == {ENGLAND, *PLACES}  # no ICB rows under England as parent
    first_place = codes.index(next(c for c in codes if c != ENGLAND))
    assert set(codes[:first_place]) == {ENGLAND}
    england = next(r for r in records if r["Area Code"] == ENGLAND and r["Time period"] == "2022/23"
                   and r["Sex"] == "Persons" and r["Age"] == "All ages" and not r["Category"])
    assert england["Area Type"] == "England" and england["Parent Code"] == ""
    assert england["Compared to England value or percentiles"] == ""
    halton = next(r for r in records if r["Area Code"] == "E06000006" and r["Time period"] == "2022/23")
    assert halton["Indicator ID"] == PUBLISHED
    assert halton["Indicator Name"] == "Percentage of physically inactive adults"
    assert (halton["Parent Code"], halton["Parent Name"]) == (ENGLAND, "England")
    assert (halton["Area Name"], halton["Area Type"]) == ("Halton", "Counties & UAs (from Apr 2023)")
    assert float(halton["Value"]) == 26.5
    assert float(halton["Lower CI 95.0 limit"]) == 26.0
    assert float(halton["Upper CI 99.8 limit"]) == 27.5
    assert float(halton["Denominator"]) == 1000
    assert halton["Time period Sortable"] == "20220000"
    # Lower is better and Halton's whole interval lies above England's 24.5.
    assert halton["Compared to England value or percentiles"] == "Worse"
    assert halton["Compared to percentiles"] == ""
    assert (halton["New data"], halton["Compared to goal"]) == ("", "")


def test_breakdowns_become_sex_age_and_category(door, door_data):
    records = [r for r in _records(_data(door)) if r["Area Code"] == PLACES[0] and r["Time period"] == "2022/23"]
    shape = {(r["Sex"], r["Age"], r["Category Type"], r["Category"]) for r in records}
    assert shape == {("Persons", "All ages", "", ""), ("Male", "All ages", "", ""), ("Persons", "16-34", "", ""),
                     ("Persons", "All ages", "IMD", "Most deprived decile")}


def test_recent_trend_on_each_series_latest_row(door, door_data):
    records = [r for r in _records(_data(door)) if r["Sex"] == "Persons" and r["Age"] == "All ages"
               and not r["Category Type"]]
    liverpool = [r for r in records if r["Area Code"] == "E08000012"]
    assert [r["Time period"] for r in liverpool] == PERIODS
    assert [r["Recent Trend"] for r in liverpool[:-1]] == [""] * (len(PERIODS) - 1)
    assert liverpool[-1]["Recent Trend"] == "Decreasing & getting better"
    steady = next(r for r in records if r["Area Code"] == "E06000049" and r["Time period"] == "2022/23")
    assert steady["Recent Trend"] == "No significant change"


def test_the_icb_as_parent(door, door_data):
    records = _records(_data(door, child=402, parent=221))
    assert [r["Area Code"] for r in records[:len(PERIODS) + 3]].count(ENGLAND) == len(PERIODS) + 3
    icb = [r for r in records if r["Area Code"] == SUBREGION]
    assert icb and all(r["Area Type"] == "ICBs" and r["Parent Code"] == ENGLAND for r in icb)
    halton = next(r for r in records if r["Area Code"] == "E06000006" and r["Time period"] == "2022/23")
    assert (halton["Parent Code"], halton["Parent Name"]) == (SUBREGION, "NHS Cheshire and Merseyside")
    assert halton["Area Type"] == "Counties & UAs (2021/22-2022/23)"
    # 26.5 (26.0 to 27.0) against the ICB's 26.5 (similar) and England's 24.5 (worse).
    assert halton["Compared to ICBs value or percentiles"] == "Similar"
    assert halton["Compared to England value or percentiles"] == "Worse"


def test_the_icb_as_child(door, door_data):
    codes = {r["Area Code"] for r in _records(_data(door, child=221, parent=15))}
    assert codes == {ENGLAND, SUBREGION}


def test_formula_like_notes_are_neutralised(door, door_data):
    notes = {r["Value note"] for r in _records(_data(door))}
    assert "'=HYPERLINK(\"http://evil.example\")" in notes


def test_data_parameters_are_checked(door, door_data):
    _problem(_data(door, child=999), 404)
    _problem(_data(door, child=502, parent=401), 422)
    _problem(_data(door, ids="abc"), 422)
    _problem(door.get(f"{DOOR}/all_data/csv/by_indicator_id", params={"indicator_ids": PUBLISHED}), 422)


def test_data_is_read_in_a_fixed_number_of_queries(door, door_data, count_queries):
    assert _data(door).status_code == 200  # connections opened, nothing left to set up
    with count_queries() as small:
        assert _data(door, child=15).status_code == 200
    with count_queries() as large:
        assert _data(door, child=502, parent=221).status_code == 200
    assert large.count == small.count <= 3


def test_several_indicators_in_one_pull(door, door_data, session):
    session.get(Indicator, UNPUBLISHED).published = True
    session.commit()
    ids = {r["Indicator ID"] for r in _records(_data(door, ids=f"{UNPUBLISHED}, {PUBLISHED}"))}
    assert ids == {PUBLISHED, UNPUBLISHED}


# -- the door itself ---------------------------------------------------------------------------------

def test_no_credentials_are_needed_and_a_bad_token_is_not_looked_at(door, door_data):
    assert "authorization" not in {k.lower() for k in door.headers}
    assert _data(door).status_code == 200
    assert _data(door).status_code == 200
    r = door.get(f"{DOOR}/area_types", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 200


def test_unknown_paths_under_the_door_are_problems_not_pages(door):
    _problem(door.get(f"{DOOR}/profiles/nothing-here"), 404)


def _budgeted_app(database_url, limit=3, **settings):
    return create_app(make_settings(database_url, open_data_rate_limit=limit, **settings))


def test_each_address_has_a_request_budget(database_url, engine):
    app = _budgeted_app(database_url)
    try:
        with TestClient(app, client=("203.0.113.9", 5000)) as caller, \
                TestClient(app, client=("203.0.113.10", 5000)) as neighbour:
            answers = [caller.get(f"{DOOR}/sexes") for _ in range(3)]
            assert [a.status_code for a in answers] == [200, 200, 200]
            assert answers[-1].headers["ratelimit"].startswith("limit=3, remaining=0")
            spent = caller.get(f"{DOOR}/area_types")
            body = _problem(spent, 429)
            assert 0 < int(spent.headers["retry-after"]) <= 60
            assert "3 requests" in body["detail"]
            assert neighbour.get(f"{DOOR}/sexes").status_code == 200
    finally:
        app.state.engine.dispose()


def test_the_budget_counts_on_the_door_only(database_url, engine):
    app = _budgeted_app(database_url, limit=1)
    try:
        with TestClient(app, client=("203.0.113.11", 5000)) as caller:
            assert caller.get(f"{DOOR}/sexes").status_code == 200
            assert caller.get("/healthz").status_code == 200
            assert caller.get(f"{DOOR}/sexes").status_code == 429
    finally:
        app.state.engine.dispose()


def test_the_budget_is_kept_in_redis_when_configured(database_url):
    settings = make_settings(database_url, redis_url="redis://127.0.0.1:6379/0")
    assert isinstance(make_open_data_limiter(settings).counter, RedisCounter)
    assert isinstance(make_open_data_limiter(make_settings(database_url)).counter, MemoryCounter)


def _redis_url():
    url = os.environ.get("ATA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis server to share the budget through")
    return url


def test_instances_share_one_budget_through_redis(database_url, engine):
    url = _redis_url()
    prefix = f"ata:test:{uuid.uuid4().hex}:"
    first, second = _budgeted_app(database_url, limit=2), _budgeted_app(database_url, limit=2)
    for app in (first, second):
        app.state.open_data_limiter = RequestLimiter(RedisCounter(url, prefix=prefix), window=60)
    try:
        with TestClient(first, client=("203.0.113.12", 5000)) as a, \
                TestClient(second, client=("203.0.113.12", 5000)) as b:
            assert a.get(f"{DOOR}/sexes").status_code == 200
            assert b.get(f"{DOOR}/sexes").status_code == 200
            assert _problem(a.get(f"{DOOR}/sexes"), 429)
            assert b.get(f"{DOOR}/sexes").status_code == 429
    finally:
        for app in (first, second):
            app.state.engine.dispose()


def test_the_door_is_in_the_openapi_document(door):
    document = door.get("/api/v1/openapi.json").json()
    paths = {p: v for p, v in document["paths"].items() if p.startswith("/fingertips")}
    assert set(paths) == {f"{DOOR}/{p}" for p in [
        "all_data/csv/by_indicator_id", "indicator_metadata/by_indicator_id",
        "indicator_metadata/csv/by_indicator_id", "areas/by_area_type", "area_types", "ages", "sexes",
        "available_data", "area_types/parent_area_types"]} | {"/fingertips"}
    for path in paths.values():
        operation = path["get"]
        assert operation["tags"] == ["fingertips"]
        assert "security" not in operation
        assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert "404" in paths[f"{DOOR}/all_data/csv/by_indicator_id"]["get"]["responses"]
    assert "text/csv" in paths[f"{DOOR}/all_data/csv/by_indicator_id"]["get"]["responses"]["200"]["content"]


def test_the_csv_streams_in_batches_with_the_same_bytes(door_data, app, session):
    request = fingertips.data_request(session, ids=[PUBLISHED], child_area_type_id=502, parent_area_type_id=221)
    whole = list(fingertips.stream_data_csv(app.state.engine, request))
    pieces = list(fingertips.stream_data_csv(app.state.engine, request, batch=7))
    assert "".join(pieces) == "".join(whole)
    assert len(pieces) > len(whole) + 5
