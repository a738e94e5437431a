"""What partner systems need beyond the rows: trend, availability, NDJSON, CSVW, gzip, budgets."""

import json

from sqlalchemy import insert

from api.indicators.models import IndicatorValue
from tests.factories import PLACES

PERIODS = ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def _series(engine, area, shares, n=20_000):
    """Values over the six periods from counts and denominators, in the API's own units."""
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [
            {"indicator_id": "93014", "area_code": area, "period": period, "breakdown": "Persons",
             "value": share * 100, "count": share * n, "denominator": n, "note": ""}
            for period, share in zip(PERIODS, shares, strict=True)])


def test_recent_trend_per_area(client, indicator, partner, engine):
    reader, _ = partner
    _series(engine, "E92000001", [0.26, 0.25, 0.24, 0.23, 0.22, 0.21])           # falling inactivity
    _series(engine, "E54000008", [0.28, 0.28, 0.281, 0.279, 0.28, 0.28])         # flat
    body = client.get("/api/v1/indicators/93014/trend?area=E92000001&area=E54000008&area=E08000012",
                      headers=reader).json()
    by_area = {i["area_code"]: i for i in body["items"]}
    assert body["polarity"] == "lower_is_better" and body["breakdown"] == "Persons"
    england = by_area["E92000001"]
    assert (england["trend"], england["judgement"], england["method"]) == (
        "decreasing", "getting_better", "chi_squared_for_trend")
    assert england["periods"] == PERIODS[1:] and england["p_value"] < 0.001
    assert (by_area["E54000008"]["trend"], by_area["E54000008"]["judgement"]) == ("no_significant_change", None)
    # The fixture gives Liverpool two periods only.
    assert by_area["E08000012"]["trend"] == "cannot_be_calculated"
    assert client.get("/api/v1/indicators/93014/trend?breakdown=Female").json()["items"] == []
    assert client.get("/api/v1/indicators/nope/trend").status_code == 404


def test_availability_says_which_periods_areas_and_breakdowns_have_data(client, indicator, partner):
    reader, _ = partner
    summary = client.get("/api/v1/data/availability", headers=reader).json()["items"]
    assert summary == [{"indicator_id": "93014", "first_period": "2021/22", "latest_period": "2022/23",
                        "periods": ["2021/22", "2022/23"], "breakdowns": ["Persons"], "areas": 9, "values": 18}]
    assert client.get("/api/v1/data/availability?indicator=93014").json()["items"] == summary
    assert client.get("/api/v1/data/availability?indicator=404").status_code == 404
    areas = client.get("/api/v1/indicators/93014/availability", headers=reader).json()
    assert len(areas["items"]) == 9 and areas["items"][0] == {
        "area_code": "E06000006", "area_name": "Halton", "breakdown": "Persons", "first_period": "2021/22",
        "latest_period": "2022/23", "periods": 2}


def test_availability_of_nothing_is_empty_not_an_error(client, partner):
    reader, _ = partner
    assert client.get("/api/v1/data/availability", headers=reader).json() == {"items": []}


def test_ndjson_streams_one_object_per_line(client, indicator, partner):
    reader, _ = partner
    response = client.get("/api/v1/indicators/93014/data?format=ndjson&period=2022/23", headers=reader)
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    lines = response.text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 9 and {r["area_code"] for r in rows} == set(PLACES)
    json_page = client.get("/api/v1/indicators/93014/data?period=2022/23&limit=500", headers=reader).json()
    assert sorted(rows, key=lambda r: r["area_code"]) == sorted(json_page["items"], key=lambda r: r["area_code"])
    assert client.get("/api/v1/data?format=ndjson&period=1999/00", headers=reader).text == ""


def test_csv_links_to_csvw_metadata_that_describes_every_column(client, indicator, partner):
    reader, _ = partner
    response = client.get("/api/v1/indicators/93014/data?format=csv", headers=reader)
    link = response.headers["link"]
    assert 'rel="describedby"' in link and "application/csvm+json" in link
    url = link[link.index("<") + 1:link.index(">")]
    meta = client.get(url, headers=reader)
    assert meta.status_code == 200 and meta.headers["content-type"].startswith("application/csvm+json")
    doc = meta.json()
    assert doc["@context"] == "http://www.w3.org/ns/csvw"
    assert doc["url"].endswith("/api/v1/indicators/93014/data?format=csv")
    header = response.text.splitlines()[0].split(",")
    assert [c["name"] for c in doc["tableSchema"]["columns"]] == header
    assert doc["tableSchema"]["primaryKey"] == ["indicator_id", "area_code", "period", "breakdown"]
    assert {c["name"]: c["datatype"] for c in doc["tableSchema"]["columns"]}["value"] == "double"
    bulk = client.get("/api/v1/data/csvw", headers=reader).json()
    assert bulk["url"].endswith("/api/v1/data?format=csv")
    assert client.get("/api/v1/indicators/nope/data/csvw", headers=reader).status_code == 404


def test_api_responses_are_gzipped_and_web_pages_are_not(client, indicator):
    raw = client.get("/api/v1/indicators/93014/data?format=csv", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip" and "accept-encoding" in raw.headers["vary"].lower()
    assert raw.text.startswith("indicator_id,")  # httpx decompresses: the body is intact
    plain = client.get("/api/v1/indicators/93014/data", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and "content-encoding" not in page.headers


def test_partner_clients_have_a_request_budget_with_ratelimit_headers(client, app, indicator, partner):
    reader, _ = partner
    app.state.settings.client_rate_limit = 3
    try:
        seen = [client.get("/api/v1/indicators/93014", headers=reader) for _ in range(3)]
        assert [r.status_code for r in seen] == [200, 200, 200]
        assert seen[0].headers["ratelimit-policy"] == "3;w=60"
        assert seen[0].headers["ratelimit"].startswith("limit=3, remaining=2, reset=")
        assert seen[2].headers["ratelimit"].startswith("limit=3, remaining=0,")
        refused = client.get("/api/v1/indicators/93014/data", headers=reader)
        assert refused.status_code == 429 and refused.headers["content-type"] == "application/problem+json"
        assert 0 < int(refused.headers["retry-after"]) <= 60 and refused.headers["ratelimit"].startswith(
            "limit=3, remaining=0,")
        assert "3 requests" in refused.json()["detail"]
        # Each once, whether the answer or the request context middleware set them.
        for name in ("ratelimit", "ratelimit-policy", "x-request-id", "x-content-type-options"):
            assert len(refused.headers.get_list(name)) == 1 and len(seen[0].headers.get_list(name)) == 1, name
        # People are not budgeted this way (their sign-in is rate-limited instead).
        assert client.get("/api/v1/indicators/93014").status_code == 200
        assert "ratelimit" not in client.get("/api/v1/indicators/93014").headers
    finally:
        app.state.settings.client_rate_limit = 1200
