"""PreparedRoute (api/core/preparedroute.py): the endpoint gets exactly the values FastAPI's own
handler would give it, every refusal reads exactly as FastAPI's, and a route it cannot serve
is refused when the application is built."""

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Response
from fastapi.testclient import TestClient
from pydantic import AwareDatetime

from api.core.preparedroute import PreparedRoute
from tests.api.test_authz_matrix import all_routes

calls: list[str] = []


async def who(request: Request) -> str:
    calls.append("who")
    return request.headers.get("authorization", "anonymous")


async def route_level(request: Request) -> None:
    calls.append("route_level")


async def include_level(request: Request) -> None:
    calls.append("include_level")
    if "\x00" in request.url.query or "%00" in request.url.query:
        raise HTTPException(422, "no NUL")


async def echo(request: Request, x: Annotated[str, Path(pattern=r"^[a-z]{1,5}$")],
               caller: Annotated[str, Depends(who)],
               limit: Annotated[int, Query(ge=1, le=500)] = 20,
               area: Annotated[list[Annotated[str, Query(pattern=r"^E\d{8}$")]] | None, Query(max_length=3)] = None,
               period: Annotated[str | None, Query(max_length=7)] = None,
               since: Annotated[AwareDatetime | None, Query()] = None,
               format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
               flag: bool = False) -> Response:
    seen = {"x": x, "caller": caller, "limit": limit, "area": area, "period": period,
            "since": since.isoformat() if since else None, "format": format, "flag": flag,
            "path": request.url.path}
    return Response(repr(sorted(seen.items())), media_type="text/plain")


def _app() -> FastAPI:
    app = FastAPI()
    for prefix, route_class in (("/prepared", PreparedRoute), ("/plain", None)):
        router = APIRouter(dependencies=[Depends(route_level)], **({"route_class": route_class} if route_class else {}))
        router.add_api_route("/{x}", echo, methods=["GET"])
        app.include_router(router, prefix=prefix, dependencies=[Depends(include_level)])
    # Added to the application's own router, as the data routes are: served by its own ASGI app.
    app.router.add_api_route("/direct/{x}", echo, methods=["GET"], route_class_override=PreparedRoute,
                             dependencies=[Depends(include_level), Depends(route_level)])
    return app


QUERIES = [
    "", "limit=7", "limit=500&format=csv", "area=E08000012", "area=E08000012&area=E06000049&area=E08000011",
    "period=2020/21&flag=true", "flag=yes", "since=2026-01-01T00:00:00Z", "since=2026-01-01T00:00:00%2B01:00",
    "limit=7&limit=9", "unknown=1&limit=3", "format=json&format=csv", "area=&limit=2", "period=",
    # refused: each is FastAPI's own 422
    "limit=0", "limit=501", "limit=ten", "limit=", "area=X1", "area=E08000012&area=E1&area=E2&area=E3",
    "period=far-too-long", "period=a%00b", "since=2026-01-01T00:00:00", "since=yesterday", "format=xml", "flag=maybe",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("x", ["abc", "ABC", "toolong"])
def test_the_same_answer_as_fastapis_own_handler(query, x):
    with TestClient(_app()) as client:
        for headers in ({}, {"authorization": "Bearer t"}):
            plain = client.get(f"/plain/{x}?{query}", headers=headers)
            for prefix in ("/prepared/", "/direct/"):
                prepared = client.get(f"{prefix}{x}?{query}", headers=headers)
                assert prepared.status_code == plain.status_code, prefix
                assert prepared.text == plain.text.replace("/plain/", prefix), prefix


def test_valid_parameters_take_the_prepared_way_and_the_rest_fastapis():
    app = _app()
    route = next(r for r in (getattr(c, "original_route", c) for c in all_routes(app)) if isinstance(r, PreparedRoute))
    with TestClient(app) as client:
        for path in ("/prepared/abc", "/direct/abc"):
            calls.clear()
            assert client.get(f"{path}?limit=3&area=E08000012").status_code == 200
            assert calls == ["include_level", "route_level", "who"], path  # all of them, in FastAPI's order
        prepared = route.prepared
        seen = []
        original, prepared.arguments = prepared.arguments, lambda request: seen.append(original(request)) or seen[-1]
        client.get("/prepared/abc?limit=3&area=E08000012")
        client.get("/prepared/abc?limit=0")
    assert seen[0]["limit"] == 3 and seen[0]["area"] == ["E08000012"] and seen[1] is None


def test_dependency_overrides_are_honoured():
    app = _app()

    async def someone_else(request: Request) -> str:
        return "overridden"

    app.dependency_overrides[who] = someone_else
    with TestClient(app) as client:
        assert "overridden" in client.get("/prepared/abc").text and "overridden" in client.get("/direct/abc").text


def test_routes_it_cannot_serve_are_refused_when_built():
    def sync_endpoint(q: str = "") -> Response:
        return Response(q)

    async def with_header(token: Annotated[str, Header()]) -> Response:
        return Response(token)

    def sync_dependency(request: Request) -> None:
        return None

    async def uses_sync_dependency(_: Annotated[None, Depends(sync_dependency)]) -> Response:
        return Response("")

    async def takes_a_param(q: str) -> str:
        return q

    async def uses_param_dependency(_: Annotated[str, Depends(takes_a_param)]) -> Response:
        return Response("")

    for endpoint, problem in ((sync_endpoint, "coroutine"), (with_header, "header_params"),
                              (uses_sync_dependency, "taking only the request"),
                              (uses_param_dependency, "taking only the request")):
        router = APIRouter(route_class=PreparedRoute)
        with pytest.raises(TypeError, match=problem):
            router.add_api_route("/x", endpoint, methods=["GET"])


def test_an_endpoint_that_returns_a_model_is_an_error_not_a_guess():
    async def returns_dict() -> dict:
        return {"a": 1}

    app = FastAPI()
    app.router.add_api_route("/d", returns_dict, methods=["GET"], route_class_override=PreparedRoute)
    with TestClient(app) as client, pytest.raises(TypeError, match="returns a Response"):
        client.get("/d")
