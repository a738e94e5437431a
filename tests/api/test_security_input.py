"""Bad input is refused by the shared types, the same on SQLite and PostgreSQL (issue 11, findings
5, 6 and 10): control characters in text, ids beyond the integer columns, cursors out of range,
non-ASCII tokens, and repeated filters beyond their cap. Each answer is a 4xx problem+json and
nothing is written."""

import base64
import importlib
import json
import pkgutil
import re
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import func, select

import api
from api.core.schemas import PatchModel, RequestModel
from api.core.types import metadata
from tests import factories

BIG = 2**31
NUL = "a\x00b"
PROBLEM = "application/problem+json"


def _all_request_models() -> list[type[BaseModel]]:
    for info in pkgutil.walk_packages(api.__path__, "api."):
        if info.name.endswith(".schemas"):
            importlib.import_module(info.name)
    found, todo = [], list(RequestModel.__subclasses__())
    while todo:
        model = todo.pop()
        found.append(model)
        todo.extend(model.__subclasses__())
    return found


def _first_accepted(adapter: TypeAdapter, samples: list[Any]) -> Any:
    for sample in samples:
        try:
            adapter.validate_python(sample)
        except ValidationError:
            continue
        return sample
    return None


TEXT_SAMPLES = ["abc", "a@b.co", "E06000001", "2024-Q1", "abc-def", "Abc"]


def _field_gaps(model: type[BaseModel]) -> list[str]:
    """The model's fields that take text with a NUL in it, or an integer beyond the id columns."""
    gaps = []
    for name, info in model.model_fields.items():
        adapter = TypeAdapter(Annotated[info.annotation, info])
        text = _first_accepted(adapter, TEXT_SAMPLES)
        if text is not None:
            for bad in (text[:1] + "\x00" + text[1:], text[:1] + "\x1b" + text[1:]):
                if _first_accepted(adapter, [bad]) is not None:
                    gaps.append(f"{model.__name__}.{name} takes {bad!r}")
        listed = _first_accepted(adapter, [[s] for s in TEXT_SAMPLES])
        if listed is not None and _first_accepted(adapter, [[listed[0][:1] + "\x00" + listed[0][1:]]]) is not None:
            gaps.append(f"{model.__name__}.{name} takes a list with NUL")
        # Every integer column is PostgreSQL `integer` (counts, positions and ids alike).
        kinds = _schema_types(adapter.json_schema())
        if "integer" in kinds and _first_accepted(adapter, [BIG]) is not None:
            gaps.append(f"{model.__name__}.{name} takes {BIG}")
        if "array:integer" in kinds and _first_accepted(adapter, [[BIG]]) is not None:
            gaps.append(f"{model.__name__}.{name} takes [{BIG}]")
    return gaps


def test_every_request_model_refuses_control_characters_and_ids_beyond_the_column():
    models = _all_request_models()
    assert len(models) > 20
    gaps = [gap for model in models for gap in _field_gaps(model)]
    assert gaps == []


def test_multiline_text_keeps_line_breaks_and_tabs(client, session):
    group = factories.group(session, remit="")
    session.commit()
    r = client.patch(f"/api/v1/groups/{group.id}", json={"remit": "First line\n\tsecond line\r\nthird"})
    assert r.status_code == 200, r.text
    assert r.json()["remit"] == "First line\n\tsecond line\r\nthird"
    # ... where a one-line name does not.
    assert client.patch(f"/api/v1/groups/{group.id}", json={"name": "Two\nlines"}).status_code == 422


# Every query and path parameter of the API ---------------------------------------------------------

def _schema_types(schema: dict) -> set[str]:
    kinds = {schema["type"]} if "type" in schema else set()
    for option in schema.get("anyOf", []):
        kinds |= _schema_types(option)
    if schema.get("type") == "array":
        kinds |= {f"array:{t}" for t in _schema_types(schema.get("items", {}))}
    return kinds


def _parameter_cases(app) -> list[tuple[str, str, str]]:
    """(path, parameter, bad value) for every query parameter taking text or an integer, and every
    integer path parameter, of every GET operation."""
    cases = []
    for path, operations in app.openapi()["paths"].items():
        get = operations.get("get")
        if get is None or not path.startswith("/api/"):
            continue
        for parameter in get.get("parameters", []):
            kinds = _schema_types(parameter.get("schema", {}))
            if parameter["in"] == "query" and ({"string", "array:string"} & kinds) and "enum" not in str(parameter):
                cases.append((path, parameter["name"], NUL))
            if parameter["in"] in ("query", "path") and ({"integer", "array:integer"} & kinds):
                cases.append((path, parameter["name"], str(BIG)))
    return cases


def _fill(path: str, skip: str) -> str:
    # The other path parameters get a plausible value, so that only the bad one is bad.
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == skip:
            return match.group(0)
        if "gss" in name:
            return "E06000049"
        if name in ("indicator_id",):
            return "93014"
        if name == "client_id":
            return "some-client"
        return "1"
    return re.sub(r"\{(\w+)\}", value, path)


def test_every_query_and_path_parameter_refuses_nul_and_big_ids(client, app):
    cases = _parameter_cases(app)
    assert len(cases) > 20
    wrong = []
    for path, name, bad in cases:
        url = _fill(path, name)
        if "{" + name + "}" in url:
            r = client.get(url.replace("{" + name + "}", bad))
        else:
            r = client.get(url, params={name: bad})
        if r.status_code != 422 or r.headers["content-type"] != PROBLEM:
            wrong.append((path, name, r.status_code))
    assert wrong == []


# Bodies, on real rows: refused, and nothing written --------------------------------------------------

def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


@pytest.fixture
def world(client, session):
    """One of everything a body can name, made through the API."""
    organisation = factories.organisation(session)
    person = factories.stakeholder(session)
    group = factories.group(session, code="TST")
    factories.membership(session, group=group, stakeholder=person)
    session.commit()
    meeting = client.post(f"/api/v1/groups/{group.id}/meetings", json={
        "title": "Board", "starts_at": "2026-03-02T10:00:00Z", "ends_at": "2026-03-02T11:00:00Z"}).json()
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", json={"title": "Welcome"}).json()
    pilot = client.post("/api/v1/pilots", json={"name": "Walking", "summary": "s"}).json()
    action = client.post("/api/v1/actions", json={"group_id": group.id, "text": "Do it"}).json()
    return {"organisation": organisation.id, "person": person.id, "group": group.id, "meeting": meeting["id"],
            "item": item["id"], "pilot": pilot["id"], "action": action["id"]}


BODY_CASES = [
    ("post", "/api/v1/organisations", {"name": NUL, "sector": "public"}),
    ("post", "/api/v1/organisations", {"name": "Org", "sector": "public", "website": "https://a\x00.org"}),
    ("patch", "/api/v1/organisations/{organisation}", {"name": NUL}),
    ("post", "/api/v1/stakeholders", {"name": NUL}),
    ("post", "/api/v1/stakeholders", {"name": "Sam", "email": "s\x00m@example.org"}),
    ("post", "/api/v1/stakeholders", {"name": "Sam", "organisation_id": BIG}),
    ("patch", "/api/v1/stakeholders/{person}", {"job_title": NUL}),
    ("patch", "/api/v1/stakeholders/{person}", {"organisation_id": BIG}),
    ("post", "/api/v1/groups", {"name": "G", "kind": "board", "remit": NUL}),
    ("post", "/api/v1/groups", {"name": "G", "kind": "board", "parent_id": BIG}),
    ("patch", "/api/v1/groups/{group}", {"parent_id": BIG}),
    ("post", "/api/v1/groups/{group}/memberships", {"stakeholder_id": BIG}),
    ("post", "/api/v1/groups/{group}/memberships", {"stakeholder_id": "{person}", "on_behalf_of_id": BIG}),
    ("post", "/api/v1/groups/{group}/meetings",
     {"title": NUL, "starts_at": "2026-04-02T10:00:00Z", "ends_at": "2026-04-02T11:00:00Z"}),
    ("patch", "/api/v1/meetings/{meeting}", {"venue": NUL}),
    ("post", "/api/v1/meetings/{meeting}/agenda-items", {"title": NUL}),
    ("post", "/api/v1/meetings/{meeting}/agenda-items", {"title": "T", "lead_id": BIG}),
    ("patch", "/api/v1/agenda-items/{item}", {"purpose": NUL}),
    ("put", "/api/v1/meetings/{meeting}/minutes", {"items": [{"agenda_item_id": "{item}", "text": NUL}]}),
    ("put", "/api/v1/meetings/{meeting}/attendance",
     {"items": [{"stakeholder_id": "{person}", "status": "present", "note": NUL}]}),
    ("post", "/api/v1/meetings/{meeting}/decisions", {"text": NUL}),
    ("post", "/api/v1/actions", {"group_id": "{group}", "text": NUL}),
    ("post", "/api/v1/actions", {"group_id": BIG, "text": "Do"}),
    ("post", "/api/v1/actions", {"group_id": "{group}", "text": "Do", "owner_id": BIG}),
    ("patch", "/api/v1/actions/{action}", {"text": NUL}),
    ("post", "/api/v1/actions/{action}/updates", {"text": NUL}),
    ("post", "/api/v1/pilots", {"name": "P", "summary": NUL}),
    ("post", "/api/v1/pilots", {"name": "P", "partner_ids": [BIG]}),
    ("post", "/api/v1/pilots", {"name": "P", "measures": [{"name": NUL, "value": 1}]}),
    ("patch", "/api/v1/pilots/{pilot}", {"pathway": NUL}),
    ("patch", "/api/v1/pilots/{pilot}", {"measures": None}),
    ("patch", "/api/v1/pilots/{pilot}", {"summary": None}),
    ("post", "/api/v1/places/E06000049/updates", {"period": "2024-Q1", "plan_status": "launched", "narrative": NUL}),
    ("post", "/api/v1/indicators", {"id": "X1", "name": "N", "unit": "count", "polarity": "no_judgement",
                                    "definition": NUL}),
    ("post", "/api/v1/users", {"email": "n\x00@example.org", "password": "long-enough-password"}),
    ("post", "/api/v1/users", {"email": "new@example.org", "password": "long-enough-password", "stakeholder_id": BIG}),
    ("post", "/api/v1/clients", {"name": NUL, "scopes": ["registry:read"]}),
]


def _with_ids(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _with_ids(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_ids(v, ids) for v in value]
    return value


@pytest.mark.parametrize(("method", "path", "body"), BODY_CASES,
                         ids=[f"{m} {p} {json.dumps(b)[:60]}" for m, p, b in BODY_CASES])
def test_bad_bodies_are_422_and_write_nothing(client, engine, world, method, path, body):
    before = _row_counts(engine)
    r = client.request(method, path.format(**world), json=_with_ids(body, world))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    assert _row_counts(engine) == before


def test_pilot_measures_cannot_be_nulled_and_the_pilot_is_unchanged(client, world):
    before = client.get(f"/api/v1/pilots/{world['pilot']}").json()
    r = client.patch(f"/api/v1/pilots/{world['pilot']}", json={"measures": None})
    assert r.status_code == 422
    assert "measures" in r.text
    assert client.get(f"/api/v1/pilots/{world['pilot']}").json() == before
    # An empty list is how measures are cleared.
    cleared = client.patch(f"/api/v1/pilots/{world['pilot']}", json={"measures": []})
    assert cleared.status_code == 200 and cleared.json()["measures"] == []


@pytest.mark.parametrize("field", ["breakdowns", "definition", "theme", "source", "frequency"])
def test_a_patch_cannot_null_a_column_the_table_requires(client, indicator, field):
    # The fuzz found these: a null reached the NOT NULL column (409) or the response model (500).
    before = client.get("/api/v1/indicators/93014").json()
    r = client.patch("/api/v1/indicators/93014", json={field: None})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in r.text
    assert client.get("/api/v1/indicators/93014").json() == before


def test_every_patch_model_refuses_null_for_every_not_null_column():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    checked = 0
    for model in subclasses(PatchModel):
        if model.table is None:
            continue
        columns = model.table.__table__.columns
        for name in model.model_fields:
            if name in columns and not columns[name].nullable:
                with pytest.raises(ValueError, match="cannot be null"):
                    model.model_validate({name: None})
                checked += 1
    assert checked > 30


def test_a_multipart_document_title_with_nul_is_refused(client, engine, world):
    before = _row_counts(engine)
    r = client.post(f"/api/v1/meetings/{world['meeting']}/documents", data={"title": NUL},
                    files={"file": ("paper.pdf", b"%PDF-1.4 test", "application/pdf")})
    assert r.status_code == 422
    assert _row_counts(engine) == before


# Sign-in --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", [
    {"grant_type": "password", "username": "pat\x00@example.org", "password": "whatever-it-is"},
    {"grant_type": "password", "username": "pat@example.org", "password": "what\x00ever"},
    {"grant_type": "client_credentials", "client_id": "a\x00b", "client_secret": "s"},
    {"grant_type": "pass\x00word", "username": "pat@example.org", "password": "p"},
])
def test_token_endpoint_refuses_nul_without_a_500(anonymous_client, engine, form):
    before = _row_counts(engine)
    r = anonymous_client.post("/api/v1/auth/token", data=form)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    assert _row_counts(engine) == before


def test_nul_anywhere_in_a_query_string_is_refused(client):
    # Defence in depth: also a parameter no route declares.
    r = client.get("/api/v1/stakeholders?unknown=a%00b")
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM


# Cursors --------------------------------------------------------------------------------------------

def _cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("values", [
    ["Sam", 2**63], ["Sam", 2**31], ["Sam", -(2**63) - 1], ["a\x00b", 1], ["\ud800", 1], ["Sam", True],
])
def test_cursors_out_of_range_are_refused(client, session, values):
    factories.stakeholder(session, name="Sam")
    session.commit()
    r = client.get("/api/v1/stakeholders", params={"cursor": _cursor(values)})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == PROBLEM
    assert "cursor" in r.json()["detail"]


def test_a_cursor_time_that_is_not_a_storable_time_is_refused(client, session):
    group = factories.group(session)
    session.commit()
    # Year 1 at +01:00 is before the first UTC instant there is.
    for values in (["0001-01-01T00:00:00+01:00", 1], ["not a time", 1], [[1], 1], [{"a": 1}, 1]):
        r = client.get(f"/api/v1/groups/{group.id}/meetings", params={"cursor": _cursor(values)})
        assert r.status_code == 400, (values, r.text)
        assert r.headers["content-type"] == PROBLEM


# Tokens with characters outside ASCII (finding 6) ----------------------------------------------------

def _feed_token_cases(account_id: int) -> list[str]:
    fullwidth_digits = "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10"
    return [f"{account_id}." + "é" * 40, f"{account_id}." + fullwidth_digits * 4, "\uff11." + "a" * 40,
            f"{account_id}.abc\u00e9def", "9" * 20 + ".abc"]


def test_a_feed_token_outside_ascii_is_refused_like_a_wrong_one(client_factory, session, person):
    _, account = person("feed.reader@example.org")
    group = factories.group(session)
    session.commit()
    browser = client_factory()
    wrong = browser.get(f"/api/v1/groups/{group.id}/meetings.ics", params={"token": f"{account.id}." + "0" * 40})
    assert wrong.status_code == 401
    for token in _feed_token_cases(account.id):
        for path in (f"/api/v1/groups/{group.id}/meetings.ics", "/api/v1/me/meetings.ics"):
            r = browser.get(path, params={"token": token})
            assert (r.status_code, r.headers["content-type"]) == (401, PROBLEM), (path, token)


# Repeated filters (finding 10) -----------------------------------------------------------------------

def test_repeated_indicator_filters_are_capped(client, indicator):
    ok = client.get("/api/v1/data", params=[("indicator", "93014")] * 100)
    assert ok.status_code == 200
    r = client.get("/api/v1/data", params=[("indicator", "93014")] * 101)
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert "100" in r.text


def test_repeated_area_filters_are_capped(client, indicator):
    assert client.get("/api/v1/data", params=[("area", "E06000049")] * 300).status_code == 200
    r = client.get("/api/v1/data", params=[("area", "E06000049")] * 301)
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert "300" in r.text


def test_every_repeatable_query_parameter_has_a_cap(app):
    uncapped = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                arrays = [s for s in [schema, *schema.get("anyOf", [])] if s.get("type") == "array"]
                if arrays and not all("maxItems" in s for s in arrays):
                    uncapped.append((method, path, parameter["name"]))
    assert uncapped == []


@pytest.mark.parametrize("token", ["\u00e9" * 40, "a.\u00e9.b", "\uff11\uff12\uff13"])
def test_a_bearer_token_or_session_cookie_outside_ascii_is_refused(client_factory, token):
    browser = client_factory()
    r = browser.get("/api/v1/me", headers={"Authorization": b"Bearer " + token.encode()})
    assert (r.status_code, r.headers["content-type"]) == (401, PROBLEM)
    page = browser.get("/", headers={"Cookie": b"ata_session=" + token.encode()}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
