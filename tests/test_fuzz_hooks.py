"""The fuzz run's case filter (tests/fuzz/hooks.py) leaves out only requests uvicorn would not parse,
and uvicorn does refuse those before the service sees them."""

import socket

import pytest
import schemathesis

from tests.e2e.conftest import server  # noqa: F401 (the uvicorn server fixture, over the test database)
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


def _status_line_and_body(base: str, target: str) -> tuple[bytes, bytes]:
    """Sent over a plain socket: HTTP clients refuse URLs this long before they leave."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


def test_the_limit_is_uvicorns_and_the_filter_sends_what_it_accepts(server):  # noqa: F811 (fixture imported above)
    below = "/healthz?x=" + "a" * (hooks.MAX_REQUEST_TARGET - len("/healthz?x=") - 1)
    assert _status_line_and_body(server, below)[0] == b"HTTP/1.1 200 OK"
    past = "/healthz?x=" + "a" * (64 * 1024)
    assert _status_line_and_body(server, past) == (b"HTTP/1.1 400 Bad Request", b"Invalid HTTP request received.")
