"""Request bodies are bounded before they are read, and writes without a credential are refused unread.

The "unread" claims are proved against a real HTTP server: the client declares a body far larger
than it sends, so a server that read the body before answering would still be waiting for it.
"""

import json
import socket
import threading
import time

import pytest
import uvicorn

from tests.api.test_documents import PDF, _upload
from tests.api.test_meetings import _meeting, hcp  # noqa: F401 (fixture)

MB = 1024 * 1024
PROMPTLY = 5.0  # seconds; the refused requests below never send the bulk of their body


@pytest.fixture
def limits(app):
    """Sets the body and upload limits of the shared application for one test."""
    settings = app.state.settings
    before = settings.max_body_kb, settings.max_upload_mb

    def _set(*, body_kb: int | None = None, upload_mb: int | None = None) -> None:
        settings.max_body_kb = body_kb or before[0]
        settings.max_upload_mb = upload_mb or before[1]

    yield _set
    settings.max_body_kb, settings.max_upload_mb = before


@pytest.fixture
def live_server(app, engine):
    """The test application served by uvicorn on a free local port: (host, port)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield listener.getsockname()
    server.should_exit = True
    thread.join(10)
    listener.close()


class Answer:
    def __init__(self, raw: bytes, elapsed: float) -> None:
        self.elapsed = elapsed
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ")[1]) if lines[0].startswith("HTTP/") else None
        self.headers = {name.strip().lower(): value.strip()
                        for name, _, value in (line.partition(":") for line in lines[1:])}

    def json(self):
        return json.loads(self.body)


def _send(address, method: str, path: str, headers: dict[str, str], body: bytes = b"",
          more: list[bytes] = ()) -> Answer:
    """Sends the request head and `body`, then each of `more`, and reads the answer until the
    server closes the connection or PROMPTLY seconds pass. Nothing beyond these bytes is sent."""
    head = f"{method} {path} HTTP/1.1\r\nHost: testserver\r\nConnection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    started = time.monotonic()
    raw = b""
    with socket.create_connection(address, timeout=PROMPTLY) as connection:
        connection.sendall(head.encode("latin-1") + body)

        def _send_more() -> None:
            try:
                for part in more:
                    connection.sendall(part)
            except OSError:
                pass  # the server has answered and closed: the rest is refused unread, as intended

        # The rest goes from another thread while this one reads: a server that answers and closes
        # with bytes still unread resets the connection, and an answer not yet read is then lost.
        sender = threading.Thread(target=_send_more, daemon=True)
        sender.start()
        try:
            while chunk := connection.recv(65536):
                raw += chunk
        except (TimeoutError, ConnectionResetError, BrokenPipeError):
            pass
        sender.join(PROMPTLY)
    return Answer(raw, time.monotonic() - started)


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _is_problem(answer: Answer, status: int) -> None:
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == status
    assert answer.elapsed < PROMPTLY


def test_an_over_limit_content_length_is_refused_before_anything_is_read(client, live_server):
    token = client.headers["Authorization"]
    json_body = _send(live_server, "POST", "/api/v1/organisations",
                      {"Authorization": token, "Content-Type": "application/json", "Content-Length": str(60 * MB)},
                      b'{"name": "Halton')
    _is_problem(json_body, 413)
    assert json_body.json()["type"] == "/problems/too-large"
    assert "1 MB" in json_body.json()["detail"]
    assert json_body.headers["x-request-id"]  # answered inside the service's own headers

    # Multipart may be as large as an upload (25 MB by default), not larger.
    upload = _send(live_server, "POST", "/api/v1/indicators/import",
                   {"Authorization": token, "Content-Type": "multipart/form-data; boundary=x",
                    "Content-Length": str(60 * MB)}, b"--x\r\n")
    _is_problem(upload, 413)
    assert "25 MB" in upload.json()["detail"]

    # Signing in needs no credential, but its body is held to the small limit.
    sign_in = _send(live_server, "POST", "/api/v1/auth/token",
                    {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(50 * MB)},
                    b"grant_type=password&username=")
    _is_problem(sign_in, 413)
    web_sign_in = _send(live_server, "POST", "/login",
                        {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(50 * MB)},
                        b"email=")
    assert web_sign_in.status == 413 and web_sign_in.elapsed < PROMPTLY
    assert web_sign_in.headers["content-type"].startswith("text/html")  # the web door answers with a page


def test_an_unauthenticated_write_is_refused_without_reading_the_body(anonymous_client, live_server):
    answer = _send(live_server, "POST", "/api/v1/organisations",
                   {"Content-Type": "application/json", "Content-Length": str(50 * MB)}, b'{"name": ')
    _is_problem(answer, 401)
    # The same answer as the route's own sign-in check gives, so a client sees one behaviour.
    by_route = anonymous_client.get("/api/v1/organisations")
    assert answer.json() == by_route.json()
    assert answer.headers["www-authenticate"] == by_route.headers["www-authenticate"] == 'Bearer realm="ata"'

    # Uploads too, whatever the limit: nobody unauthenticated gets to send 50 MB.
    upload = _send(live_server, "PUT", "/api/v1/meetings/1/minutes",
                   {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(20 * MB)}, b"--x")
    _is_problem(upload, 401)

    # A session cookie is not a credential on the JSON door.
    cookie = _send(live_server, "POST", "/api/v1/organisations",
                   {"Cookie": "ata_session=anything", "Content-Type": "application/json",
                    "Content-Length": str(50 * MB)}, b"{")
    _is_problem(cookie, 401)

    # The web door: no session cookie, no reading; the answer is the sign-in page (a form sent after
    # its session ended keeps its text only when the body was within the limits, see web/drafts.py).
    page = _send(live_server, "POST", "/contributions",
                 {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(20 * MB)}, b"--x")
    assert page.status == 401 and page.headers["content-type"].startswith("text/html")
    assert b'action="/login' in page.body
    assert page.elapsed < PROMPTLY


def test_a_chunked_body_is_capped_while_it_streams(client, live_server, limits):
    limits(body_kb=64)
    token = client.headers["Authorization"]
    # 80 KB sent of a body with no declared length, and the server never sees its end.
    answer = _send(live_server, "POST", "/api/v1/organisations",
                   {"Authorization": token, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                   _chunk(b'{"name": "' + b"x" * 1024), more=[_chunk(b"x" * 1024) for _ in range(80)])
    _is_problem(answer, 413)
    assert "64 KB" in answer.json()["detail"]


def test_a_streamed_body_over_the_limit_never_reaches_the_route_cut_short(client, limits):
    limits(body_kb=64)

    def body(padding: int):
        # Valid JSON whichever way it is cut: a route given only the first part would answer
        # 400 (malformed), one given all of it 422 (unknown field); neither may happen.
        yield b'{"name": "Halton Borough Council", "sector": "public", "padding": "'
        for _ in range(padding):
            yield b"x" * 1024
        yield b'"}'

    over = client.post("/api/v1/organisations", content=body(80), headers={"Content-Type": "application/json"})
    assert over.status_code == 413, over.text
    assert over.headers["content-type"] == "application/problem+json"
    assert over.json()["type"] == "/problems/too-large"
    under = client.post("/api/v1/organisations", content=body(40), headers={"Content-Type": "application/json"})
    assert under.status_code == 422, under.text  # read and parsed: the unknown field is refused
    assert client.get("/api/v1/organisations").json()["items"] == []


def test_the_small_limit_applies_to_json_and_forms(client, limits):
    limits(body_kb=64)
    big = {"name": "Halton Borough Council", "sector": "public", "website": "https://example.org/" + "x" * 70_000}
    r = client.post("/api/v1/organisations", json=big)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    r = client.post("/api/v1/auth/token", data={"grant_type": "password", "username": "x" * 70_000, "password": "p"})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    # Under the limit the request is handled as ever.
    r = client.post("/api/v1/organisations", json={"name": "Halton Borough Council", "sector": "public"})
    assert r.status_code == 201, r.text


def test_uploads_have_the_upload_limit(client, hcp, limits, settings):  # noqa: F811
    limits(body_kb=64, upload_mb=1)
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    # Far over the small limit, just under the upload limit: stored.
    nearly = _upload(client, meeting["id"], sec, PDF + b"0" * (MB - 4096), "pack.pdf")
    assert nearly.status_code == 201, nearly.text
    assert nearly.json()["size"] == len(PDF) + MB - 4096

    # Over the upload limit as multipart, to a route that does not check sizes itself.
    too_big = PDF + b"0" * (MB + 128 * 1024)
    r = client.post("/api/v1/organisations", files={"file": ("a.pdf", too_big, "application/pdf")})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert "1 MB" in r.json()["detail"]

    # A CSV body is a file too: the membership import takes one larger than the small limit.
    rows = "".join(f"person{n}@example.org,member,,\n" for n in range(4000))
    r = client.post(f"/api/v1/groups/{group.id}/memberships/import?dry_run=true",
                    content=("email,role,start_date,end_date\n" + rows).encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 422, r.text  # read and checked: those people are not in the registry
    assert r.json()["errors"][0]["line"] == 2
