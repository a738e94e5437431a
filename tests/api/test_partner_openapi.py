"""The OpenAPI document tells partner systems every answer the indicator data operations can give:
the problems (401, 403, 422, 429 with Retry-After, ...), 304 where there is an ETag, and the
headers a partner syncs with; and what the service really answers is what the document says."""

import pytest

from api.core.errors import PROBLEM_JSON

PREFIXES = ("/api/v1/indicators", "/api/v1/data")
# The only operation with nothing a caller sends (no path, query or body): it cannot be a 422.
NO_INPUT = {("get", "/api/v1/data/csvw")}


@pytest.fixture(scope="module")
def document(app):
    return app.openapi()


def _operations(document):
    found = [(method, path, operation) for path, operations in document["paths"].items()
             if path.startswith(PREFIXES) for method, operation in operations.items()]
    assert len(found) >= 13, [f"{m} {p}" for m, p, _ in found]
    return found


def test_every_indicator_data_operation_lists_401_403_422_and_429(document):
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        wanted = {"401", "403", "429"} | (set() if (method, path) in NO_INPUT else {"422"})
        assert wanted <= set(responses), (method, path, sorted(responses))
        for code in wanted:
            assert responses[code]["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            assert responses[code]["description"], (method, path, code)
        retry_after = responses["429"]["headers"]["Retry-After"]
        assert retry_after["required"] is True and "seconds" in retry_after["description"].lower()
        assert "RateLimit" in responses["429"]["headers"]
        assert "WWW-Authenticate" in responses["401"]["headers"]
        assert operation["security"][0] == {"bearerAuth": []}, (method, path)
    for method, path in NO_INPUT:
        operation = document["paths"][path][method]
        assert not operation.get("parameters") and "requestBody" not in operation


def test_conditional_reads_declare_304_with_the_etag_and_if_none_match(document):
    for path in ("/api/v1/indicators/{indicator_id}", "/api/v1/indicators/{indicator_id}/data", "/api/v1/data"):
        operation = document["paths"][path]["get"]
        assert operation["responses"]["304"]["headers"]["ETag"]["required"] is True, path
        assert any(p["in"] == "header" and p["name"] == "If-None-Match" for p in operation["parameters"]), path


def test_the_data_operations_describe_their_filters_formats_and_sync_headers(document):
    for path in ("/api/v1/indicators/{indicator_id}/data", "/api/v1/data"):
        operation = document["paths"][path]["get"]
        ok = operation["responses"]["200"]
        assert {"application/json", "text/csv", "application/x-ndjson"} <= set(ok["content"]), path
        assert {"ETag", "Last-Modified", "Link", "RateLimit"} <= set(ok["headers"]), path
        assert "modified_since" in {p["name"] for p in operation["parameters"]}
        bad = operation["responses"]["422"]["description"]
        assert "100 `indicator`" in bad and "300 `area`" in bad and "modified_since" in bad, bad
        assert {"400", "404", "503"} <= set(operation["responses"]), path


# Each GET data operation as a partner calls it, and a query the operation refuses as invalid.
CALLS = {
    "/api/v1/indicators": ("/api/v1/indicators", "?limit=0"),
    "/api/v1/indicators/{indicator_id}": ("/api/v1/indicators/93014", None),
    "/api/v1/indicators/{indicator_id}/data": ("/api/v1/indicators/93014/data", "?area=nowhere"),
    "/api/v1/data": ("/api/v1/data", "?format=xlsx"),
    "/api/v1/indicators/{indicator_id}/data/csvw": ("/api/v1/indicators/93014/data/csvw", None),
    "/api/v1/data/csvw": ("/api/v1/data/csvw", None),
    "/api/v1/data/availability": ("/api/v1/data/availability", "?indicator=" + "&indicator=".join(
        str(n) for n in range(101))),
    "/api/v1/indicators/{indicator_id}/availability": ("/api/v1/indicators/93014/availability", None),
    "/api/v1/indicators/{indicator_id}/trend": ("/api/v1/indicators/93014/trend", "?area=E0"),
    "/api/v1/indicators/{indicator_id}/benchmark": ("/api/v1/indicators/93014/benchmark", "?comparator=England"),
}


def _declared(document, path: str, answer) -> None:
    assert str(answer.status_code) in document["paths"][path]["get"]["responses"], (path, answer.status_code)
    assert answer.headers["content-type"] == PROBLEM_JSON, (path, answer.text)


def test_what_a_partner_really_gets_is_declared(app, anonymous_client, client, document, indicator, partner):
    reader, registry_only = partner
    gets = {path for method, path, _ in _operations(document) if method == "get"}
    assert gets == set(CALLS)
    for path, (url, invalid) in CALLS.items():
        assert client.get(url, headers=reader).status_code == 200, url
        for headers, status in (({"Authorization": ""}, 401), ({"Authorization": "Bearer not-a-token"}, 401),
                                (registry_only, 403)):
            answer = client.get(url, headers=headers)
            assert answer.status_code == status, (url, headers, answer.text)
            _declared(document, path, answer)
        if invalid:
            answer = client.get(url + invalid, headers=reader)
            assert answer.status_code == 422, (url + invalid, answer.text)
            _declared(document, path, answer)
        if "{indicator_id}" in path:
            answer = client.get(url.replace("93014", "nope"), headers=reader)
            assert answer.status_code == 404
            _declared(document, path, answer)
    app.state.settings.client_rate_limit = 1
    try:
        for path, (url, _) in CALLS.items():
            client.get(url, headers=reader)
            answer = client.get(url, headers=reader)
            assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 0, url
            _declared(document, path, answer)
    finally:
        app.state.settings.client_rate_limit = 1200
