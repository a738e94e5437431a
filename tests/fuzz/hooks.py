"""Schemathesis hooks for tests/fuzz/fuzz.py, loaded through SCHEMATHESIS_HOOKS."""

import requests
import schemathesis

# uvicorn's HTTP parser refuses a request whose request line passes 64 KiB with a plain-text 400
# ("Invalid HTTP request received.") before the service sees it. A generated case that long tests
# uvicorn, not the API, and its 400 is not one the API can document; the fuzzer's negative cases
# reach it now and then (CI, 2026-12-05: a query of thousands of generated characters).
MAX_REQUEST_TARGET = 60_000
_NOWHERE = "http://fuzz.invalid"


def request_target(case: schemathesis.Case) -> str:
    """The path and query this case puts on the request line, encoded as the fuzzer sends them."""
    sent = case.as_transport_kwargs(base_url=_NOWHERE)
    return requests.Request(method=sent["method"], url=sent["url"], params=sent.get("params")).prepare().path_url


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    return len(request_target(case)) < MAX_REQUEST_TARGET
