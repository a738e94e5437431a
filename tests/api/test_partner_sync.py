"""Incremental sync as docs/partners.md describes it: `modified_since` returns only the values
changed after that instant, in every format; a time without an offset is refused (422), never a
server error; the largest `updated_at` received is the next `modified_since`."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from api.indicators.models import IndicatorValue

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def dated(indicator, engine):
    """The fixture's 18 values stamped at T0, then two changed later: one corrected, one added."""
    with engine.begin() as connection:
        connection.execute(update(IndicatorValue).values(updated_at=T0))
        connection.execute(update(IndicatorValue).where(IndicatorValue.area_code == "E06000049",
                                                        IndicatorValue.period == "2022/23")
                           .values(value=42.0, updated_at=T0 + timedelta(hours=1)))
        connection.execute(insert(IndicatorValue), [{
            "indicator_id": "93014", "area_code": "E92000001", "period": "2022/23", "breakdown": "Persons",
            "value": 22.3, "note": "", "updated_at": T0 + timedelta(hours=2)}])


def _keys(rows) -> list[tuple[str, str]]:
    return sorted((row["area_code"], row["period"]) for row in rows)


@pytest.mark.parametrize("url", ["/api/v1/indicators/93014/data", "/api/v1/data", "/api/v1/data?indicator=93014"])
def test_modified_since_returns_only_what_changed_after_it_in_every_format(client, dated, partner, url):
    reader, _ = partner
    join = "&" if "?" in url else "?"
    since = f"{url}{join}modified_since=2026-03-01T12:30:00%2B00:00"
    changed = [("E06000049", "2022/23"), ("E92000001", "2022/23")]
    page = client.get(since, headers=reader)
    assert page.status_code == 200 and _keys(page.json()["items"]) == changed
    as_csv = client.get(f"{since}&format=csv", headers=reader)
    assert _keys(csv.DictReader(io.StringIO(as_csv.text))) == changed
    as_ndjson = client.get(f"{since}&format=ndjson", headers=reader)
    assert _keys(json.loads(line) for line in as_ndjson.text.splitlines()) == changed
    # The same instant in another offset, or as Z, is the same filter.
    assert _keys(client.get(f"{url}{join}modified_since=2026-03-01T13:30:00%2B01:00",
                            headers=reader).json()["items"]) == changed
    # Strictly after: the newest value's own stamp returns nothing; before everything, all 19.
    assert client.get(f"{url}{join}modified_since=2026-03-01T14:00:00Z", headers=reader).json()["items"] == []
    every = client.get(f"{url}{join}modified_since=2026-03-01T11:59:59Z&limit=500", headers=reader).json()
    assert len(every["items"]) == 19


def test_the_newest_updated_at_received_is_the_next_modified_since(client, dated, partner, engine):
    reader, _ = partner
    first = client.get("/api/v1/data?format=ndjson", headers=reader).text.splitlines()
    newest = max(json.loads(line)["updated_at"] for line in first)
    assert datetime.fromisoformat(newest) == T0 + timedelta(hours=2)
    assert client.get("/api/v1/data", params={"modified_since": newest}, headers=reader).json()["items"] == []
    with engine.begin() as connection:
        connection.execute(update(IndicatorValue).where(IndicatorValue.area_code == "E08000012",
                                                        IndicatorValue.period == "2021/22").values(value=1.5))
    later = client.get("/api/v1/data", params={"modified_since": newest}, headers=reader).json()["items"]
    assert [(row["area_code"], row["period"], row["value"]) for row in later] == [("E08000012", "2021/22", 1.5)]


@pytest.mark.parametrize("since", ["2026-03-01T12:30:00", "2026-03-01", "yesterday", "2026-13-01T00:00:00Z"])
def test_a_modified_since_without_an_offset_or_not_a_time_is_422(client, dated, partner, since):
    reader, _ = partner
    for url in ("/api/v1/indicators/93014/data", "/api/v1/data"):
        for fmt in ("json", "csv"):
            refused = client.get(url, params={"modified_since": since, "format": fmt}, headers=reader)
            assert refused.status_code == 422, (url, since, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            body = refused.json()
            assert body["type"] == "/problems/validation-error"
            assert [e["loc"] for e in body["errors"]] == [["query", "modified_since"]]
