"""Two `ata serve` processes, A and B, over one database, one Redis and one storage folder, as
behind a load balancer: a web session made on A is honoured by B; a partner client's request
budget is counted across both; a paper uploaded on A is served by B; If-Match conflicts across
both; their three in-process mail senders deliver each message once; and SIGTERM stops A
gracefully (/readyz 503 while it drains, the request in flight finished, exit 0) while B serves on;
B runs `--workers 2`, and drains on SIGTERM the same way."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import func, select
from sqlmodel import Session

from api.auth import service as auth_service
from api.authz import SYSTEM_SUBJECT
from api.core.db import make_engine
from api.mail import outbox
from api.mail.models import OutboxMessage
from tests import factories
from tests.api.test_documents import PDF
from tests.api.test_meetings import JAN, MARCH
from tests.conftest import fresh_database, make_settings
from tests.mail.conftest import SmtpServer

SECRET = "multi-instance-test-secret-" + "m" * 24
REDIS_URL = "redis://127.0.0.1:6379/14"
BUDGET = 6  # a partner client's requests per window, across both instances
DRAIN_SECONDS = 3
GRACE_SECONDS = 10
MESSAGES = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (CI requires one)")
    return REDIS_URL


def _wait_for(condition, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Cluster:
    a: Instance
    b: Instance
    database_url: str
    settings: object
    admin: dict[str, str]  # an admin's bearer token header, good on both (one secret)
    person_email: str
    client_id: str
    client_secret: str
    group_id: int
    smtp: SmtpServer


def _start(name: str, env: dict[str, str], tmp: Path, workers: int) -> Instance:
    port = _free_port()
    log = tmp / f"{name}.log"
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("w") as out:  # a file, not a pipe nobody reads (a full pipe would block the server)
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603 (our own interpreter)
    return Instance(name, port, process, log)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    redis_url = _redis()
    tmp = tmp_path_factory.mktemp("multi")
    storage = tmp / "storage"
    smtp = SmtpServer().start()
    with fresh_database(tmp) as url:
        env = {**os.environ, "ATA_DATABASE_URL": url, "ATA_SECRET_KEY": SECRET, "ATA_ENV": "test",
               "ATA_STORAGE_DIR": str(storage), "ATA_REDIS_URL": redis_url,
               "ATA_CLIENT_RATE_LIMIT": str(BUDGET), "ATA_MAIL_WORKER": "true", "ATA_SMTP_URL": smtp.url,
               "ATA_MAIL_POLL_SECONDS": "0.2", "ATA_SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS),
               "ATA_SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS)}
        # Started together over the new database: one migrates it, the other waits (the start-up lock).
        # B runs two worker processes (`--workers 2`), so three senders share the outbox.
        instances = [_start("a", env, tmp, workers=1), _start("b", env, tmp, workers=2)]
        try:
            for instance in instances:
                _wait_for(lambda i=instance: i.process.poll() is not None or _ready(i.base), 120,
                          f"instance {instance.name} to be ready")
                assert instance.process.poll() is None, instance.output()
            settings = make_settings(url, secret_key=SECRET, storage_dir=storage)
            engine = make_engine(settings)
            client_id = f"multi-{uuid.uuid4().hex[:10]}"  # its budget's key in Redis is this run's own
            with Session(engine, expire_on_commit=False) as session:
                _, admin = factories.person_with_account(session, f"admin-{client_id}@example.org", is_admin=True)
                person, _ = factories.person_with_account(session, f"person-{client_id}@example.org")
                group = factories.group(session)
                _, client_secret = auth_service.create_client(session, actor=SYSTEM_SUBJECT, name="Multi Partner",
                                                              scopes="registry:read", client_id=client_id)
                session.commit()
            engine.dispose()
            admin_token = auth_service.user_token(settings, admin).token
            yield Cluster(*instances, database_url=url, settings=settings,
                          admin={"Authorization": f"Bearer {admin_token}"}, person_email=person.email,
                          client_id=client_id, client_secret=client_secret, group_id=group.id, smtp=smtp)
        finally:
            for instance in instances:
                if instance.process.poll() is None:
                    instance.process.send_signal(signal.SIGINT)  # at once: no balancer to drain from
            for instance in instances:
                try:
                    instance.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    instance.process.kill()
            smtp.stop()


def _a_web_session_made_on_one_is_honoured_by_the_other(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.a.base) as browser:
        form = browser.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', form.text).group(1)
        signed_in = browser.post("/login", data={"email": cluster.person_email, "password": factories.PASSWORD,
                                                 "csrf_token": token, "next": "/account/password"})
        assert signed_in.status_code == 303, signed_in.text
        cookies = dict(browser.cookies)
    assert httpx.get(f"{cluster.b.base}/account/password").status_code == 303  # no cookie: sign in first
    with httpx.Client(base_url=cluster.b.base, cookies=cookies) as other:
        page = other.get("/account/password")
    assert page.status_code == 200 and "password" in page.text.lower()


def _a_partner_budget_is_counted_across_both(cluster: Cluster) -> None:
    grant = {"grant_type": "client_credentials", "client_id": cluster.client_id,
             "client_secret": cluster.client_secret}
    token = httpx.post(f"{cluster.a.base}/api/v1/auth/token", data=grant).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    both = [cluster.a.base, cluster.b.base]
    answers = [httpx.get(f"{both[n % 2]}/api/v1/groups", headers=auth) for n in range(BUDGET + 2)]
    assert [r.status_code for r in answers] == [200] * BUDGET + [429, 429]
    assert answers[BUDGET - 1].headers["ratelimit"].startswith(f"limit={BUDGET}, remaining=0,")
    for refused in answers[BUDGET:]:  # one refused by each instance
        assert 0 < int(refused.headers["retry-after"]) <= 60


def _a_paper_uploaded_on_one_is_served_by_the_other(cluster: Cluster) -> None:
    meeting = httpx.post(f"{cluster.a.base}/api/v1/groups/{cluster.group_id}/meetings", headers=cluster.admin,
                         json={**JAN, "venue_kind": "hybrid", "venue": "Lakeside, Warrington"})
    assert meeting.status_code == 201, meeting.text
    uploaded = httpx.post(f"{cluster.a.base}/api/v1/meetings/{meeting.json()['id']}/documents",
                          headers=cluster.admin, files={"file": ("paper.pdf", PDF, "application/octet-stream")})
    assert uploaded.status_code == 201, uploaded.text
    served = httpx.get(f"{cluster.b.base}/api/v1/documents/{uploaded.json()['id']}/content", headers=cluster.admin)
    assert served.status_code == 200 and served.content == PDF


def _if_match_conflicts_across_both(cluster: Cluster) -> None:
    created = httpx.post(f"{cluster.a.base}/api/v1/organisations", headers=cluster.admin,
                         json={"name": f"Org {cluster.client_id}", "sector": "public"})
    assert created.status_code == 201, created.text
    url = f"/api/v1/organisations/{created.json()['id']}"
    stale = httpx.get(cluster.a.base + url, headers=cluster.admin).headers["etag"]
    first = httpx.patch(cluster.a.base + url, headers=cluster.admin | {"If-Match": stale},
                        json={"website": "https://a.example.org"})
    assert first.status_code == 200
    late = httpx.patch(cluster.b.base + url, headers=cluster.admin | {"If-Match": stale},
                       json={"website": "https://b.example.org"})
    assert late.status_code == 412
    current = httpx.get(cluster.b.base + url, headers=cluster.admin)
    assert current.headers["etag"] == first.headers["etag"] and current.json()["website"] == "https://a.example.org"


def _the_senders_deliver_each_message_once(cluster: Cluster) -> None:
    engine = make_engine(cluster.settings)
    subject = f"Multi-instance {cluster.client_id}"
    try:
        with Session(engine) as session:
            for n in range(MESSAGES):
                outbox.enqueue(session, kind="notice", to_address=f"reader{n}@example.org",
                               subject=f"{subject} #{n}", text_body="One of twenty.")
            session.commit()

        def all_sent() -> bool:
            with Session(engine) as session:
                return session.execute(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.subject.startswith(subject), OutboxMessage.status == "sent")).scalar() == MESSAGES

        _wait_for(all_sent, 60, "the senders to deliver the messages", interval=0.2)
    finally:
        engine.dispose()
    ours = [r.message for r in list(cluster.smtp.received) if r.message["Subject"].startswith(subject)]
    per_id = Counter(message["Message-ID"] for message in ours)
    assert len(per_id) == MESSAGES and set(per_id.values()) == {1}, per_id


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def _wait_for_draining(instance: Instance) -> None:
    def stopping():
        answer = httpx.get(f"{instance.base}/readyz", timeout=2)
        return answer if answer.status_code == 503 else None

    draining = _wait_for(stopping, DRAIN_SECONDS, f"{instance.name}'s /readyz to answer 503")
    assert draining.json() == {"status": "stopping"}


def _sigterm_drains_a_then_it_stops_gracefully(cluster: Cluster) -> None:
    meeting = httpx.post(f"{cluster.a.base}/api/v1/groups/{cluster.group_id}/meetings", headers=cluster.admin,
                         json={**MARCH, "venue_kind": "online", "venue": "Teams"})
    assert meeting.status_code == 201, meeting.text
    # An upload over a slow link, held open by the client: its first half goes before SIGTERM,
    # the rest only once A has stopped taking connections, so it is in flight through the stop.
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
    half = len(body) // 2
    first_half_sent, send_the_rest = threading.Event(), threading.Event()

    def slow_body():
        yield body[:half]
        first_half_sent.set()
        send_the_rest.wait(60)
        yield body[half:]

    result: dict[str, httpx.Response] = {}

    def upload() -> None:
        result["response"] = httpx.post(
            f"{cluster.a.base}/api/v1/meetings/{meeting.json()['id']}/documents", content=slow_body(),
            headers=cluster.admin | {"Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout=60)

    uploader = threading.Thread(target=upload)
    uploader.start()
    try:
        assert first_half_sent.wait(30)
        signalled = time.monotonic()
        cluster.a.process.send_signal(signal.SIGTERM)

        # Draining: /readyz answers 503 "stopping", while A still serves everything else.
        _wait_for_draining(cluster.a)
        assert httpx.get(f"{cluster.a.base}/healthz", timeout=2).status_code == 200
        # Then A stops taking connections, with the upload still open.
        _wait_for(lambda: _refuses_connections(cluster.a.port), DRAIN_SECONDS + 5, "A to refuse connections")
        assert uploader.is_alive() and "response" not in result
    finally:
        send_the_rest.set()
        uploader.join(60)
    response = result["response"]
    assert response.status_code == 201, response.text
    assert cluster.a.process.wait(timeout=DRAIN_SECONDS + GRACE_SECONDS) == 0, cluster.a.output()
    stopped_after = time.monotonic() - signalled
    assert stopped_after < DRAIN_SECONDS + GRACE_SECONDS
    print(f"A stopped {stopped_after:.1f}s after SIGTERM (drain {DRAIN_SECONDS}s)")
    # B serves on: it is ready, and serves the paper A finished receiving as it stopped.
    assert _ready(cluster.b.base)
    served = httpx.get(f"{cluster.b.base}/api/v1/documents/{response.json()['id']}/content", headers=cluster.admin)
    assert served.status_code == 200 and served.content == PDF


def _sigterm_drains_every_worker_of_b(cluster: Cluster) -> None:
    # B (`--workers 2`): uvicorn's supervisor passes SIGTERM on to each worker, which drains.
    signalled = time.monotonic()
    cluster.b.process.send_signal(signal.SIGTERM)
    _wait_for_draining(cluster.b)
    assert cluster.b.process.wait(timeout=DRAIN_SECONDS + GRACE_SECONDS) == 0, cluster.b.output()
    assert time.monotonic() - signalled >= DRAIN_SECONDS  # it drained first


def test_two_instances_behind_a_balancer(cluster):
    # One test, the checks in this order: under `pytest -n auto` the tests of one module may go to
    # different workers, each of which would start its own pair of instances (xdist's loadgroup
    # does not group them with this pytest), and the last two checks stop the instances.
    _a_web_session_made_on_one_is_honoured_by_the_other(cluster)
    _a_partner_budget_is_counted_across_both(cluster)
    _a_paper_uploaded_on_one_is_served_by_the_other(cluster)
    _if_match_conflicts_across_both(cluster)
    _the_senders_deliver_each_message_once(cluster)
    _sigterm_drains_a_then_it_stops_gracefully(cluster)
    _sigterm_drains_every_worker_of_b(cluster)
