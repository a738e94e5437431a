"""Indicators through the API: metadata, values with filters, paging, CSV, caching, scopes."""

import csv
import io

from sqlalchemy import insert, update

from api.indicators.models import IndicatorValue
from tests.factories import INACTIVE


def test_metadata_and_values_with_filters(client, indicator, partner):
    reader, _ = partner
    meta = client.get("/api/v1/indicators/93014", headers=reader)
    assert meta.status_code == 200 and meta.json()["polarity"] == "lower_is_better" and meta.headers["etag"]
    assert [i["id"] for i in client.get("/api/v1/indicators", headers=reader).json()["items"]] == ["93014"]

    latest = client.get("/api/v1/indicators/93014/data?period=2022/23", headers=reader).json()["items"]
    assert len(latest) == 9 and {r["period"] for r in latest} == {"2022/23"}
    liverpool = next(r for r in latest if r["area_code"] == "E08000012")
    assert liverpool["area_name"] == "Liverpool" and liverpool["count"] == 205 and liverpool["denominator"] == 1000
    two = client.get("/api/v1/indicators/93014/data?area=E08000012&area=E08000015", headers=reader).json()["items"]
    assert {r["area_code"] for r in two} == {"E08000012", "E08000015"} and len(two) == 4
    assert client.get("/api/v1/indicators/93014/data?breakdown=Female", headers=reader).json()["items"] == []
    bulk = client.get("/api/v1/data?indicator=93014&period=2021/22", headers=reader).json()["items"]
    assert len(bulk) == 9


def test_paging_is_by_cursor_and_complete(client, indicator):
    seen, cursor = [], None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/indicators/93014/data", params=params)
        seen += [(r["area_code"], r["period"]) for r in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
        assert 'rel="next"' in page.headers["link"]
    assert len(seen) == 18 == len(set(seen))


def test_csv_streams_every_row_with_formulas_neutralised(client, indicator):
    response = client.get("/api/v1/indicators/93014/data?format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 18 and rows[0].keys() >= {"indicator_id", "area_code", "area_name", "lower_ci", "note"}
    assert rows[0]["note"].startswith("'=HYPERLINK")


def test_conditional_requests_and_caching_headers(client, indicator, engine):
    first = client.get("/api/v1/indicators/93014/data")
    assert first.headers["cache-control"].startswith("private") and first.headers["last-modified"]
    again = client.get("/api/v1/indicators/93014/data", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [{"indicator_id": "93014", "area_code": "E92000001",
                                                     "period": "2022/23", "breakdown": "Persons", "value": 22.3,
                                                     "note": ""}])
    changed = client.get("/api/v1/indicators/93014/data", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and len(changed.json()["items"]) == 19


def test_a_value_corrected_in_place_changes_the_etag_of_every_listing_that_holds_it(client, indicator, engine):
    one = client.get("/api/v1/indicators/93014/data").headers["etag"]
    bulk = client.get("/api/v1/data?indicator=93014").headers["etag"]
    everything = client.get("/api/v1/data").headers["etag"]
    assert client.get("/api/v1/data?indicator=93014", headers={"If-None-Match": bulk}).status_code == 304
    with engine.begin() as connection:  # the same number of values, one of them corrected
        connection.execute(update(IndicatorValue).where(IndicatorValue.id == connection.execute(
            IndicatorValue.__table__.select().limit(1)).first().id).values(value=99.9))
    for url, tag in (("/api/v1/indicators/93014/data", one), ("/api/v1/data?indicator=93014", bulk),
                     ("/api/v1/data", everything)):
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 200, url


def test_scopes_unknown_ids_and_bad_filters(client, anonymous_client, indicator, partner):
    reader, registry_only = partner
    assert client.get("/api/v1/indicators/99999/data", headers=reader).status_code == 404
    assert "no indicator" in client.get("/api/v1/indicators/99999", headers=reader).json()["detail"].lower()
    assert client.get("/api/v1/data?indicator=99999", headers=reader).status_code == 404
    assert client.get("/api/v1/indicators/93014/data", headers=registry_only).status_code == 403
    assert client.get("/api/v1/indicators/93014/data?area=Liverpool", headers=reader).status_code == 422
    assert client.get("/api/v1/indicators/93014/data?format=xml", headers=reader).status_code == 422
    assert client.post("/api/v1/indicators", json={**INACTIVE, "id": "1"}, headers=reader).status_code == 403
    anonymous_client.headers.pop("Authorization", None)
    assert anonymous_client.get("/api/v1/indicators").status_code == 401


def test_indicator_metadata_validation(client, indicator):
    assert client.post("/api/v1/indicators", json=INACTIVE).status_code == 409
    assert client.post("/api/v1/indicators", json={**INACTIVE, "id": "x y"}).status_code == 422
    assert client.post("/api/v1/indicators", json={**INACTIVE, "id": "2", "polarity": "up"}).status_code == 422
    assert client.post("/api/v1/indicators", json={**INACTIVE, "id": "3", "extra": 1}).status_code == 422
    etag = client.get("/api/v1/indicators/93014").headers["etag"]
    assert client.patch("/api/v1/indicators/93014", json={"theme": "Activity"}).status_code == 200
    assert client.patch("/api/v1/indicators/93014", json={"theme": "x"}, headers={"If-Match": etag}).status_code == 412
    assert client.patch("/api/v1/indicators/93014", json={"unit": None}).status_code == 422


def test_benchmark_against_england(client, indicator, engine):
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [
            {"indicator_id": "93014", "area_code": "E92000001", "period": "2022/23", "breakdown": "Persons",
             "value": 22.3, "lower_ci": 22.1, "upper_ci": 22.5, "note": ""},
            {"indicator_id": "93014", "area_code": "E92000001", "period": "2021/22", "breakdown": "Persons",
             "value": 25.0, "lower_ci": 24.8, "upper_ci": 25.2, "note": ""}])
    result = client.get("/api/v1/indicators/93014/benchmark").json()
    assert result["period"] == "2022/23" and result["comparator"] == {"area_code": "E92000001",
                                                                       "area_name": "England", "value": 22.3}
    by_area = {i["area_code"]: i["outcome"] for i in result["items"]}
    # 2022/23 values are 21+n with CI 19+n..23+n; lower is better for inactivity.
    assert by_area["E06000049"] == "similar"   # 21 (19..23) contains 22.3
    assert by_area["E08000015"] == "worse"     # 29 (27..31): higher inactivity
    assert "E92000001" not in by_area and len(by_area) == 9
    older = client.get("/api/v1/indicators/93014/benchmark?period=2021/22").json()
    assert older["comparator"]["value"] == 25.0
    assert {i["outcome"] for i in older["items"]} >= {"better", "similar"}
    nothing = client.get("/api/v1/indicators/93014/benchmark?comparator=E54000008").json()
    assert nothing["period"] is None and nothing["items"] == []
    assert client.get("/api/v1/indicators/nope/benchmark").status_code == 404
