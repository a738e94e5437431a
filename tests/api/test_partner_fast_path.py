"""The partner data API's fast path (api/indicators/reading.py, router._values): the same rows and
bytes as the ORM path it replaced, one round trip for the credential and the validator, a
response cache keyed by the data's version (in process, and shared through Redis), and a
disabled account or revoked client refused at once on every instance."""

import asyncio
import csv
import inspect
import io
import json
from datetime import UTC, datetime
from operator import itemgetter

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import event, func, insert, literal, literal_column, select, table, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse

from api.auth import service as auth_service
from api.core.db import LoopReads
from api.core.pagination import Page, PageParams
from api.core.spreadsheet import CsvChunks
from api.indicators import service
from api.indicators.models import IndicatorValue
from api.indicators.schemas import VALUE_COLUMNS, ValueRead
from api.main import create_app
from tests.api.test_authz_matrix import all_routes
from tests.factories import INACTIVE, PLACES

REDIS_URL = "redis://127.0.0.1:6379/13"
SECOND = {**INACTIVE, "id": "B2", "name": "A second indicator"}
IMPORT_HEADER = "indicator_id,area_code,period,breakdown,value,lower_ci,upper_ci,count,denominator,note\n"


def _old_rows(session, *, limit=500, cursor=None, **filters):
    """The ORM path this replaced (service.list_values, which the outcome pages still use, and
    value_row before issue 16), kept as the reference the fast path must match."""
    rows, next_cursor = service.list_values(session, page=PageParams(limit=limit, cursor=cursor), **filters)
    return [{**value.model_dump(exclude={"id"}), "area_name": name} for value, name in rows], next_cursor


def _old_json(session, **filters) -> bytes:
    rows, next_cursor = _old_rows(session, **filters)
    page = Page[ValueRead](items=[ValueRead(**row) for row in rows], next_cursor=next_cursor)
    return JSONResponse(page.model_dump(mode="json")).body


def _old_csv(session, **filters) -> bytes:
    rows, _ = _old_rows(session, limit=100_000, **filters)
    out = CsvChunks()
    out.row(VALUE_COLUMNS)
    out.rows(map(itemgetter(*VALUE_COLUMNS), rows))
    return out.take().encode()


def _old_ndjson(session, **filters) -> list[dict]:
    rows, _ = _old_rows(session, limit=100_000, **filters)
    return [ValueRead(**row).model_dump(mode="json") for row in rows]


@pytest.fixture
def awkward(client, indicator, engine):
    """Values with every kind of cell: missing figures, negatives, long fractions, big numbers,
    text a spreadsheet would run, and names beyond ASCII; in two indicators."""
    assert client.post("/api/v1/indicators", json=SECOND).status_code == 201
    figures = [None, -3.5, 0.1, 1 / 3, 123456789.123, 0.000125, 2.0, 45.67]
    notes = ["", "=SUM(A1)", "Provisional, see note \u00fc \u2013 revised", "+44 line", "@risk", "plain"]
    rows = [{"indicator_id": indicator_id, "area_code": code, "period": period, "breakdown": breakdown,
             "value": figures[(n + i) % len(figures)], "lower_ci": figures[(n * 3 + i) % len(figures)],
             "upper_ci": None, "lower_ci_998": 0.5, "count": n * 10.0, "denominator": 1000,
             "note": notes[(n + i) % len(notes)]}
            for indicator_id in ("93014", "B2") for n, code in enumerate(PLACES)
            for i, period in enumerate(["2019/20", "2020/21"]) for breakdown in ("Persons", "Female")]
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), rows)
    return rows


QUERIES = [
    ("/api/v1/indicators/93014/data?limit=500", {"indicator_ids": ["93014"]}),
    ("/api/v1/indicators/93014/data?area=E08000012&breakdown=Persons",
     {"indicator_ids": ["93014"], "areas": ["E08000012"], "breakdown": "Persons", "limit": 50}),
    ("/api/v1/indicators/B2/data?period=2020/21&limit=500",
     {"indicator_ids": ["B2"], "period": "2020/21"}),
    ("/api/v1/data?indicator=B2&indicator=93014&area=E06000049&area=E08000011&limit=500",
     {"indicator_ids": ["B2", "93014"], "areas": ["E06000049", "E08000011"]}),
    ("/api/v1/data?limit=500", {}),
    ("/api/v1/data?breakdown=Female&limit=7", {"breakdown": "Female", "limit": 7}),
    ("/api/v1/data?modified_since=2001-01-01T00:00:00%2B01:00&indicator=B2&limit=500",
     {"modified_since": datetime(2000, 12, 31, 23, tzinfo=UTC), "indicator_ids": ["B2"]}),
]


@pytest.mark.parametrize(("url", "filters"), QUERIES)
def test_json_pages_are_byte_for_byte_what_the_orm_path_wrote(client, partner, awkward, session, url, filters):
    reader, _ = partner
    filters = {"limit": 500, **filters}
    for _ in range(2):  # the second answer comes from the cache
        response = client.get(url, headers=reader)
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        assert response.content == _old_json(session, **filters)


def test_numbers_too_small_or_big_for_plain_notation_parse_to_the_same_values(client, partner, indicator, engine,
                                                                              session):
    """The one difference in bytes: orjson writes an exponent without a leading zero (1e-7,
    where Python's json wrote 1e-07); the numbers read back are the same."""
    reader, _ = partner
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [
            {"indicator_id": "93014", "area_code": "E92000001", "period": period, "breakdown": "Persons",
             "value": value, "count": 1e22} for period, value in (("2001/02", 1e-7), ("2002/03", 2.5e-5))])
    response = client.get("/api/v1/indicators/93014/data?area=E92000001", headers=reader)
    assert b"1e-7" in response.content
    assert response.json() == json.loads(_old_json(session, indicator_ids=["93014"], areas=["E92000001"], limit=50))


def test_every_page_by_cursor_matches_and_the_link_names_the_next(client, partner, awkward, session):
    reader, _ = partner
    url, cursor, pages = "/api/v1/data?limit=9", None, 0
    while True:
        response = client.get(url, headers=reader)
        assert response.content == _old_json(session, limit=9, cursor=cursor)
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            break
        assert response.headers["link"] == f'<http://testserver/api/v1/data?limit=9&cursor={cursor}>; rel="next"'
        url = f"/api/v1/data?limit=9&cursor={cursor}"
    assert pages == -(-(len(awkward) + 18) // 9)  # and the indicator fixture's 18


@pytest.mark.parametrize(("url", "filters"), [
    ("/api/v1/indicators/93014/data?format=csv", {"indicator_ids": ["93014"]}),
    ("/api/v1/data?format=csv&period=2019/20", {"period": "2019/20"}),
    ("/api/v1/data?format=csv", {}),
])
def test_csv_is_byte_for_byte_what_the_orm_path_wrote(client, partner, awkward, session, url, filters):
    reader, _ = partner
    for _ in range(2):
        response = client.get(url, headers=reader)
        assert response.status_code == 200 and response.content == _old_csv(session, **filters)
    assert b"'=SUM(A1)" in response.content and b"'+44 line" in response.content


def test_ndjson_has_the_rows_the_orm_path_wrote(client, partner, awkward, session):
    reader, _ = partner
    for _ in range(2):
        response = client.get("/api/v1/data?format=ndjson&breakdown=Persons", headers=reader)
        lines = [json.loads(line) for line in response.content.splitlines()]
        assert lines == _old_ndjson(session, breakdown="Persons") and len(lines) == len(awkward) // 2 + 18


class Statements:
    """Counts the statements run on the event-loop engine, where the fast path reads (or, with
    `kind="checkout"`, the connections taken from its pool)."""

    def __init__(self, engine, kind="before_cursor_execute"):
        self.engine, self.kind, self.count = engine, kind, 0

    def __enter__(self):
        event.listen(self.engine, self.kind, self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, self.kind, self._seen)

    def _seen(self, *args):
        self.count += 1


def test_one_round_trip_for_a_cached_answer_two_for_a_new_one(client, app, partner, awkward):
    reader, _ = partner
    with Statements(app.state.loop_reads.engine) as first:
        assert client.get("/api/v1/indicators/93014/data?area=E08000012", headers=reader).status_code == 200
    with Statements(app.state.loop_reads.engine) as again:
        assert client.get("/api/v1/indicators/93014/data?area=E08000012", headers=reader).status_code == 200
    with Statements(app.state.loop_reads.engine) as other:
        assert client.get("/api/v1/indicators/93014/data?area=E08000011", headers=reader).status_code == 200
    assert (first.count, again.count, other.count) == (2, 1, 2)


def test_the_serving_thread_keeps_its_connections_and_any_other_borrows_one_per_read(app, partner, indicator):
    reader, _ = partner
    served = _second_app(app.state.settings)
    reads = served.state.loop_reads
    urls = [f"/api/v1/indicators/93014/data?area={code}" for code in PLACES[:3]]
    with Statements(reads.engine, "checkout") as checkouts:
        with TestClient(served) as c:  # its lifespan: this client's thread serves the application
            assert [c.get(url, headers=reader).status_code for url in urls] == [200] * 3
        # SQLite: one of SQLAlchemy's, kept; PostgreSQL: psycopg's own asynchronous connection.
        assert (reads.connections_made, checkouts.count) == (1, 1 if reads.engine.dialect.name == "sqlite" else 0)
        assert reads.engine.pool.checkedout() == 0  # given back as the lifespan ended
    with Statements(reads.engine, "checkout") as borrowed:
        bare = TestClient(served)  # no lifespan: each request on a thread of its own
        assert [bare.get(url, headers=reader).status_code for url in urls] == [200] * 3
    assert (reads.connections_made, borrowed.count) == (1, 3)
    served.state.engine.dispose()
    reads.dispose()


ONE = select(literal(1))
BACKEND = select(func.pg_backend_pid())
NO_SUCH_TABLE = select(literal_column("x")).select_from(table("no_such_table"))


def test_a_connection_that_died_is_replaced_and_the_read_tried_once_more(app):
    served = _second_app(app.state.settings)
    reads = served.state.loop_reads
    seen = []

    async def read(reader):
        seen.append(reader.connection)
        if len(seen) == 1:
            raise DBAPIError("SELECT 1", None, Exception("server closed the connection"), connection_invalidated=True)
        return await reader.fetch(ONE, {})

    async def connection(reader):
        return reader.connection

    async def failing(reader):
        return await reader.fetch(NO_SUCH_TABLE, {})

    async def scenario():
        reads.hold()
        try:
            assert await reads.on_loop(read) == [(1,)]
            assert seen[1] is await reads.on_loop(connection)
            with pytest.raises(DBAPIError):  # any other error is raised at once, and the connection kept
                await reads.on_loop(failing)
            assert await reads.on_loop(connection) is seen[1]
        finally:
            await reads.release()

    asyncio.run(scenario())
    assert len(seen) == 2
    served.state.engine.dispose()
    reads.dispose()


def test_reads_at_once_share_a_few_connections_and_a_cancelled_one_passes_its_turn_on(app, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's reads on the loop never wait: one connection serves them in turn")
    served = _second_app(app.state.settings)
    reads = served.state.loop_reads
    inside, most = 0, 0

    async def slow(reader):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.02)  # the connection is held across an await, as a read's round trip holds it
        inside -= 1
        return (await reader.fetch(ONE, {}))[0][0]

    async def scenario():
        reads.hold()
        try:
            results = await asyncio.gather(*(reads.on_loop(slow) for _ in range(3 * reads.ASYNC_CONNECTIONS)))
            waiting = [asyncio.ensure_future(reads.on_loop(slow)) for _ in range(reads.ASYNC_CONNECTIONS + 2)]
            await asyncio.sleep(0)
            waiting[-1].cancel()  # waiting for a connection when cancelled
            done = await asyncio.gather(*waiting, return_exceptions=True)
            again = await asyncio.gather(*(reads.on_loop(slow) for _ in range(reads.ASYNC_CONNECTIONS)))
            return results, done, again
        finally:
            await reads.release()

    results, done, again = asyncio.run(scenario())
    assert results == [1] * 3 * reads.ASYNC_CONNECTIONS and again == [1] * reads.ASYNC_CONNECTIONS
    assert isinstance(done[-1], asyncio.CancelledError) and done[:-1] == [1] * (reads.ASYNC_CONNECTIONS + 1)
    assert most == reads.ASYNC_CONNECTIONS and reads.connections_made == reads.ASYNC_CONNECTIONS
    served.state.engine.dispose()
    reads.dispose()


def test_a_database_that_cannot_be_reached_is_sqlalchemys_error_and_frees_its_slot(app, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("the asynchronous connections are PostgreSQL's")
    reads = LoopReads(app.state.settings.model_copy(
        update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"}))

    async def scenario():
        reads.hold()
        try:
            for _ in range(reads.ASYNC_CONNECTIONS + 1):  # a slot kept by a failure would leave the last one waiting
                with pytest.raises(OperationalError):  # answered 503 by api/core/errors.py
                    await asyncio.wait_for(reads.on_loop(lambda reader: reader.fetch(ONE, {})), 10)
        finally:
            await reads.release()

    asyncio.run(scenario())
    assert reads.connections_made == 0
    reads.dispose()


def test_after_the_database_ends_a_kept_connection_the_next_request_is_answered(app, client, partner, indicator,
                                                                                engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file has no server to end a connection")
    reader, _ = partner
    served = _second_app(app.state.settings)
    reads = served.state.loop_reads

    async def backend(db):
        return (await db.fetch(BACKEND, {}))[0][0]

    with TestClient(served) as c:
        assert c.get("/api/v1/indicators/93014/data", headers=reader).status_code == 200
        pid = c.portal.call(reads.on_loop, backend)
        with engine.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        assert c.get("/api/v1/indicators/93014/data", headers=reader).status_code == 200
        assert c.portal.call(reads.on_loop, backend) != pid
        assert reads.connections_made == 2
    served.state.engine.dispose()
    reads.dispose()


def test_the_same_query_asked_differently_shares_a_validator_and_other_filters_do_not(client, partner, awkward):
    reader, _ = partner

    def etag(url):
        return client.get(url, headers=reader).headers["etag"]

    same = {etag("/api/v1/data?indicator=93014&indicator=B2&area=E08000012&area=E06000049"),
            etag("/api/v1/data?area=E06000049&indicator=B2&area=E08000012&indicator=93014&indicator=B2")}
    assert len(same) == 1
    others = [etag(url) for url in ("/api/v1/data?indicator=93014&indicator=B2&area=E08000012",
                                    "/api/v1/data?indicator=93014&indicator=B2&area=E08000012&area=E06000049"
                                    "&format=csv",
                                    "/api/v1/data?indicator=93014&indicator=B2&area=E08000012&area=E06000049"
                                    "&limit=5",
                                    "/api/v1/data?indicator=93014&indicator=B2&area=E08000012&area=E06000049"
                                    "&period=2019/20")]
    assert len(set(others) | same) == 5


def _import(client, rows: str):
    response = client.post("/api/v1/indicators/import", files={"file": ("v.csv", IMPORT_HEADER + rows, "text/csv")})
    assert response.status_code == 200, response.text
    return response.json()


def _values_in(response) -> list[float]:
    if response.headers["content-type"].startswith("text/csv"):
        return [float(row["value"]) for row in csv.DictReader(io.StringIO(response.text))]
    if response.headers["content-type"] == "application/x-ndjson":
        return [json.loads(line)["value"] for line in response.text.splitlines()]
    return [item["value"] for item in response.json()["items"]]


@pytest.mark.parametrize("url", ["/api/v1/indicators/93014/data?area=E08000012&period=2022/23",
                                 "/api/v1/data?indicator=93014&area=E08000012&period=2022/23&format=csv",
                                 "/api/v1/data?area=E08000012&period=2022/23&format=ndjson"])
def test_an_import_and_a_correction_in_place_are_served_at_once(client, partner, indicator, url):
    reader, _ = partner
    before = client.get(url, headers=reader)
    assert before.status_code == 200 and _values_in(before) == [26]
    assert client.get(url, headers={**reader, "If-None-Match": before.headers["etag"]}).status_code == 304
    # A correction in place: the same key, another value (the values were inserted directly, so
    # this is also the first import that ever touched the indicator).
    assert _import(client, "93014,E08000012,2022/23,Persons,31.5,30,33,320,1000,\n")["rows_written"] == 1
    corrected = client.get(url, headers={**reader, "If-None-Match": before.headers["etag"]})
    assert corrected.status_code == 200 and _values_in(corrected) == [31.5]
    assert corrected.headers["etag"] != before.headers["etag"]
    # And again, on top of an import that already bumped the indicator.
    assert _import(client, "93014,E08000012,2022/23,Persons,29.25,28,31,300,1000,\n")["rows_written"] == 1
    again = client.get(url, headers=reader)
    assert _values_in(again) == [29.25]
    assert again.headers["etag"] not in {before.headers["etag"], corrected.headers["etag"]}
    # A new value, not a correction: a pull without the period filter sees it too.
    assert _import(client, "93014,E08000012,2023/24,Persons,25,24,26,250,1000,\n")["rows_written"] == 1
    everything = client.get("/api/v1/data?indicator=93014&area=E08000012&format=csv", headers=reader)
    assert _values_in(everything) == [25, 29.25, 25]


def test_a_value_written_outside_the_importer_is_served_too(client, partner, indicator, engine):
    """The validator also reads each indicator's newest value change, which any write moves."""
    reader, _ = partner
    url = "/api/v1/data?period=2024/25"
    assert client.get(url, headers=reader).json()["items"] == []
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [{"indicator_id": "93014", "area_code": "E08000012",
                                                     "period": "2024/25", "breakdown": "Persons", "value": 26}])
    assert [i["value"] for i in client.get(url, headers=reader).json()["items"]] == [26]


def test_unknown_indicators_are_404_and_refusals_come_before_the_data(client, partner, awkward):
    reader, registry_only = partner
    assert client.get("/api/v1/data?indicator=93014&indicator=nope", headers=reader).status_code == 404
    assert "'nope'" in client.get("/api/v1/data?indicator=nope", headers=reader).json()["detail"]
    assert client.get("/api/v1/indicators/nope/data", headers=reader).status_code == 404
    assert client.get("/api/v1/indicators/93014/data", headers=registry_only).status_code == 403
    assert client.get("/api/v1/indicators/93014/data", headers={"Authorization": "Bearer x.y.z"}).status_code == 401
    assert client.get("/api/v1/indicators/93014/data?cursor=WyJ4Il0", headers=reader).status_code == 400


def _second_app(settings, **overrides):
    return create_app(settings.model_copy(update=overrides))


def test_a_disabled_person_and_a_revoked_client_are_refused_at_once_on_every_instance(
        app, client, partner, indicator, session, person):
    """Two instances over one database: each has served (and cached) the data for the token;
    a disable or a revoke made through one is refused by the other at the very next request."""
    reader, _ = partner
    _, account = person("reader.one@example.org")
    user_token = {"Authorization": f"Bearer {auth_service.user_token(app.state.settings, account).token}"}
    other = _second_app(app.state.settings)
    url = "/api/v1/indicators/93014/data?area=E08000012"
    with TestClient(other, raise_server_exceptions=False) as b:
        for headers in (reader, user_token):
            assert client.get(url, headers=headers).status_code == 200
            assert b.get(url, headers=headers).status_code == 200
        assert client.patch(f"/api/v1/users/{account.id}", json={"is_active": False}).status_code == 200
        assert b.get(url, headers=user_token).status_code == 401
        assert client.get(url, headers=user_token).status_code == 401
        assert client.post("/api/v1/clients/council-intelligence/revoke").status_code == 200
        assert b.get(url, headers=reader).status_code == 401
        assert client.get(url, headers=reader).status_code == 401
    other.state.engine.dispose()
    other.state.loop_reads.dispose()


@pytest.fixture
def shared_redis():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def test_instances_share_the_cache_through_redis_and_an_import_on_one_is_served_by_the_other(
        app, client, partner, indicator, shared_redis):
    reader, _ = partner
    a = _second_app(app.state.settings, redis_url=shared_redis)
    b = _second_app(app.state.settings, redis_url=shared_redis)
    url = "/api/v1/indicators/93014/data?area=E08000012&period=2022/23"
    with TestClient(a, raise_server_exceptions=False) as on_a, TestClient(b, raise_server_exceptions=False) as on_b:
        first = on_a.get(url, headers=reader)
        with Statements(b.state.loop_reads.engine) as statements:
            from_redis = on_b.get(url, headers=reader)
        assert from_redis.content == first.content and statements.count == 1
        on_a.headers["Authorization"] = client.headers["Authorization"]
        imported = on_a.post("/api/v1/indicators/import",
                             files={"file": ("v.csv", IMPORT_HEADER + "93014,E08000012,2022/23,Persons,33,32,34,330,"
                                             "1000,\n", "text/csv")})
        assert imported.status_code == 200
        assert on_b.get(url, headers=reader).json()["items"][0]["value"] == 33
    for application in (a, b):
        application.state.engine.dispose()
        application.state.loop_reads.dispose()


def test_with_the_cache_off_every_answer_is_read_again(app, partner, indicator):
    reader, _ = partner
    cold = _second_app(app.state.settings, data_cache_mb=0)
    with TestClient(cold) as c, Statements(cold.state.loop_reads.engine) as statements:
        for _ in range(3):
            assert c.get("/api/v1/indicators/93014/data?area=E08000012", headers=reader).status_code == 200
    assert statements.count == 6
    cold.state.engine.dispose()
    cold.state.loop_reads.dispose()


def test_the_hot_path_has_no_thread_pool_hop_and_no_base_http_middleware(app):
    """Every dependency of the two data routes, and the routes themselves, are coroutines (a
    plain function would be run in the thread pool), and no middleware is BaseHTTPMiddleware
    (a task and a copy of every body per request)."""
    def calls(dependant):
        for dependency in dependant.dependencies:
            yield dependency.call
            yield from calls(dependency)

    paths = ("/api/v1/data", "/api/v1/indicators/{indicator_id}/data")
    routes = [r for r in all_routes(app) if getattr(r, "path", "") in paths]
    assert len(routes) == 2
    for route in routes:
        assert inspect.iscoroutinefunction(route.endpoint)
        assert all(inspect.iscoroutinefunction(call) for call in calls(route.dependant)), route.path
    assert not [m for m in app.user_middleware if isinstance(m.cls, type) and issubclass(m.cls, BaseHTTPMiddleware)]


def test_pages_of_a_big_indicator_come_in_the_order_written(client, partner, indicator, engine):
    reader, _ = partner
    with engine.begin() as connection:
        connection.execute(insert(IndicatorValue), [
            {"indicator_id": "93014", "area_code": code, "period": f"{1990 + n}/{(91 + n) % 100:02d}",
             "breakdown": "Persons", "value": n} for code in PLACES for n in range(30)])
    with Session(engine) as db:
        written = [tuple(row) for row in db.exec(select(IndicatorValue.area_code, IndicatorValue.period)
                                                 .order_by(IndicatorValue.id))]
    seen, cursor = [], None
    while True:
        body = client.get("/api/v1/indicators/93014/data?limit=100" + (f"&cursor={cursor}" if cursor else ""),
                          headers=reader).json()
        seen += [(i["area_code"], i["period"]) for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == written and len(written) == 9 * 32


def test_a_get_that_carries_a_body_over_the_cap_is_still_refused(client, partner, indicator, app):
    """Bodiless GETs skip the body cap's counting; one that declares a body does not."""
    reader, _ = partner
    too_big = b"x" * (app.state.settings.max_body_kb * 1024 + 1)
    refused = client.request("GET", "/api/v1/indicators/93014/data", headers=reader, content=too_big)
    assert refused.status_code == 413 and refused.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/indicators/93014/data", headers=reader).status_code == 200
