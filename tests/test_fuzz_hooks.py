"""The fuzz run's case filter (tests/fuzz/hooks.py) leaves out only requests uvicorn would not parse."""

import pytest
import schemathesis

from tests.fuzz import hooks


@pytest.fixture(scope="module")
def trend(app):
    return schemathesis.openapi.from_dict(app.openapi())["/api/v1/indicators/{indicator_id}/trend"]["GET"]


def test_a_request_line_past_uvicorns_limit_is_not_sent(trend):
    case = trend.Case(path_parameters={"indicator_id": "x"}, query={"area": ["E06000006"] * 5000})
    assert len(hooks.request_target(case)) > 64 * 1024
    assert not hooks.filter_case(None, case)


def test_ordinary_and_generously_long_requests_are_sent(trend):
    # 300 areas is the most the operation accepts; non-ASCII text counts as it is encoded.
    for query in ({"area": ["E06000006"]}, {"area": ["E06000006"] * 300, "breakdown": "\U0001f600" * 80}):
        case = trend.Case(path_parameters={"indicator_id": "x"}, query=query)
        assert hooks.filter_case(None, case)
    encoded = hooks.request_target(trend.Case(path_parameters={"indicator_id": "x"}, query={"breakdown": "é"}))
    assert encoded == "/api/v1/indicators/x/trend?breakdown=%C3%A9"
