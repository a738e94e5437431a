"""The sender against a real SMTP server: delivered once, with its parts; kept and retried while
the server is away; refused for good; a restart between writing and sending; two senders at
once; `ata worker`; the SMTP URL. Both databases (ATA_TEST_DATABASE_URL)."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import icalendar
import pytest
from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, select

from api.core.db import make_engine
from api.core.migrations import upgrade
from api.core.types import utcnow
from api.mail import outbox
from api.mail.models import OutboxMessage
from api.mail.sender import LEASE, Sender, backoff
from api.mail.smtp import SmtpConfigError, parse_smtp_url
from tests.conftest import fresh_database, make_settings
from tests.mail.conftest import SmtpServer, free_port

ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ATA//Test//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n"
       "UID:meeting-7@ata.example.org\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20261203T120000Z\r\n"
       "DTSTART:20261210T100000Z\r\nDTEND:20261210T120000Z\r\nSUMMARY:Board meeting\r\nEND:VEVENT\r\n"
       "END:VCALENDAR\r\n")


def _write(session, n: int = 1, **values) -> list[OutboxMessage]:
    made = [outbox.enqueue(session, **({"kind": "meeting", "to_address": f"member{i}@example.org",
                                         "subject": f"Message {i}", "text_body": f"Plain text {i}",
                                         "html_body": f"<p>HTML {i}</p>"} | values)) for i in range(n)]
    session.commit()
    return made


def _rows(engine) -> list[OutboxMessage]:
    with Session(engine) as db:
        return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def _make_due(engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))


def test_a_message_is_delivered_once_with_its_parts_and_calendar(engine, session, person, mail_settings,
                                                                 smtp_server):
    stakeholder, _ = person("member.one@example.org")
    [written] = _write(session, to_address="member.one@example.org", subject="Invitation: Board meeting",
                       stakeholder_id=stakeholder.id, text_body="You are invited.\nUnsubscribe below.",
                       html_body="<p>You are <strong>invited</strong>.</p>",
                       ics=ICS.format(method="REQUEST", sequence=2), ics_method="REQUEST")
    sender = Sender(engine, mail_settings, sender_id="test-sender")
    assert sender.run_once() == 1
    assert sender.run_once() == 0  # nothing twice

    [received] = smtp_server.received
    assert received.rcpt_tos == ["member.one@example.org"] and received.mail_from == "mail@example.org"
    email = received.message
    assert email["Subject"] == "Invitation: Board meeting" and email["To"] == "member.one@example.org"
    assert email["From"] == "ATA Test <mail@example.org>" and email["Message-ID"] and email["Date"]
    assert email.get_body(("plain",)).get_content().strip() == "You are invited.\nUnsubscribe below."
    assert "<strong>invited</strong>" in email.get_body(("html",)).get_content()
    assert email.get_body(("plain",)).get_content_type() == "text/plain"
    [calendar_part] = [part for part in email.walk() if part.get_content_type() == "text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST" and calendar_part.get_content_charset() == "utf-8"
    calendar = icalendar.Calendar.from_ical(calendar_part.get_content())
    event = next(iter(calendar.walk("VEVENT")))
    assert calendar["METHOD"] == "REQUEST" and str(event["UID"]) == "meeting-7@ata.example.org"
    assert int(event["SEQUENCE"]) == 2
    link = email["List-Unsubscribe"]
    assert link.startswith("<https://ata.example.org/mail/unsubscribe?token=") and link.endswith(">")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    [row] = _rows(engine)
    assert row.id == written.id and row.status == "sent" and row.sent_at is not None and row.attempts == 1
    assert row.claimed_by is None and row.last_error == ""


def test_cancellation_and_invitation_kinds(engine, session, mail_settings, smtp_server):
    """A CANCEL goes as method=CANCEL; a kind nobody can turn off has no unsubscribe link."""
    _write(session, ics=ICS.format(method="CANCEL", sequence=3), ics_method="CANCEL")
    _write(session, kind="account_invitation", to_address="new.person@example.org", subject="Your account",
           html_body="")
    Sender(engine, mail_settings).run_once()
    cancel = smtp_server.handler.to("member0@example.org")[0]
    [part] = [p for p in cancel.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    assert icalendar.Calendar.from_ical(part.get_content())["METHOD"] == "CANCEL"
    invitation = smtp_server.handler.to("new.person@example.org")[0]
    assert invitation["List-Unsubscribe"] is None and invitation.get_content_type() == "text/plain"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_unreachable_server_keeps_retries_then_delivers(engine, session, database_url, client):
    port = free_port()  # nothing listens here yet
    settings = make_settings(database_url, smtp_url=f"smtp://someone:top-secret@127.0.0.1:{port}")
    _write(session, 2)
    sender = Sender(engine, settings)
    before = utcnow()
    assert sender.run_once() == 0
    rows = _rows(engine)
    assert [r.status for r in rows] == ["pending", "pending"] and [r.attempts for r in rows] == [1, 1]
    assert all(r.next_attempt_at >= before + timedelta(seconds=20) for r in rows)
    assert all("refused" in r.last_error and "top-secret" not in r.last_error for r in rows)
    assert sender.run_once() == 0 and _rows(engine)[0].attempts == 1  # not due yet: not tried again

    listed = client.get("/api/v1/mail/outbox", params={"status": "pending"}).json()["items"]
    assert {m["last_error"] for m in listed} == {rows[0].last_error} and listed[0]["attempts"] == 1
    assert "text_body" not in listed[0]

    _make_due(engine)
    assert sender.run_once() == 0
    assert [r.attempts for r in _rows(engine)] == [2, 2]
    first, second = _rows(engine)[0].next_attempt_at, backoff(2)
    assert first > utcnow() + timedelta(seconds=40) and second <= timedelta(seconds=72)

    server = SmtpServer(port, login=("someone", "top-secret")).start()
    try:
        _make_due(engine)
        assert sender.run_once() == 2
        assert sorted(r.rcpt_tos[0] for r in server.received) == ["member0@example.org", "member1@example.org"]
        assert {r.status for r in _rows(engine)} == {"sent"}
    finally:
        server.stop()


def test_temporary_refusal_retried_permanent_refusal_failed_then_retried_by_an_admin(
        engine, session, mail_settings, smtp_server, client):
    _write(session)
    sender = Sender(engine, mail_settings)
    smtp_server.handler.reply = "451 4.3.0 Mailbox busy, try later"
    sender.run_once()
    [row] = _rows(engine)
    assert row.status == "pending" and row.attempts == 1 and row.last_error.startswith("451")

    smtp_server.handler.reply = "550 5.1.1 No such mailbox"
    _make_due(engine)
    sender.run_once()
    [row] = _rows(engine)
    assert row.status == "failed" and row.attempts == 2 and "550" in row.last_error
    assert client.get("/api/v1/mail/outbox", params={"status": "failed"}).json()["items"][0]["id"] == row.id

    smtp_server.handler.reply = None
    response = client.post(f"/api/v1/mail/outbox/{row.id}/retry")
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert client.post(f"/api/v1/mail/outbox/{row.id}/retry").status_code == 409
    assert sender.run_once() == 1 and _rows(engine)[0].status == "sent"
    assert len(smtp_server.received) == 1


def test_gives_up_after_the_most_attempts(engine, session, database_url):
    settings = make_settings(database_url, smtp_url=f"smtp://127.0.0.1:{free_port()}", mail_max_attempts=2)
    _write(session)
    sender = Sender(engine, settings)
    sender.run_once()
    _make_due(engine)
    sender.run_once()
    [row] = _rows(engine)
    assert row.status == "failed" and row.attempts == 2


def test_without_smtp_url_nothing_is_sent_or_dropped(engine, session, settings):
    _write(session, 3)
    assert Sender(engine, settings).run_once() == 0
    assert [(r.status, r.attempts, r.claimed_by) for r in _rows(engine)] == [("pending", 0, None)] * 3


def test_restart_between_writing_and_sending_delivers_once(engine, session, database_url, smtp_server):
    """Written by one process; a new sender with its own engine (a restarted service) sends it."""
    _write(session, 3)
    fresh = make_settings(database_url, smtp_url=smtp_server.url)
    restarted = make_engine(fresh)
    try:
        assert Sender(restarted, fresh).run_once() == 3
        assert Sender(restarted, fresh).run_once() == 0
    finally:
        restarted.dispose()
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [f"member{i}@example.org" for i in range(3)]


def test_a_sender_that_dies_after_claiming_loses_nothing(engine, session, mail_settings, smtp_server):
    """Claimed, then the sender is gone: nobody else takes it while the lease runs; then one does."""
    _write(session)
    dead = Sender(engine, mail_settings, sender_id="dead")
    assert len(dead.claim()) == 1
    other = Sender(engine, mail_settings, sender_id="other")
    assert other.claim() == []
    later = utcnow() + LEASE + timedelta(seconds=1)
    taken = other.claim(now=later)
    assert [m.claimed_by for m in taken] == ["other"]
    assert other.deliver(taken) == 1 and len(smtp_server.received) == 1


def test_two_senders_at_once_send_each_message_once(engine, session, database_url, smtp_server):
    count = 40
    _write(session, count)
    settings = make_settings(database_url, smtp_url=smtp_server.url)
    smtp_server.handler.delay = 0.01  # a batch takes a while: the other sender claims meanwhile
    sent: dict[str, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(name: str) -> None:
        own = make_engine(settings)
        try:
            sender = Sender(own, settings, sender_id=name)
            start.wait()
            total = 0
            for _ in range(20):
                total += sender.run_once()
            sent[name] = total
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("sender-a", "sender-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    recipients = sorted(r.rcpt_tos[0] for r in smtp_server.received)
    assert recipients == sorted(f"member{i}@example.org" for i in range(count))  # each exactly once
    assert sum(sent.values()) == count and all(sent.values()), sent  # both worked, on different messages
    assert {r.status for r in _rows(engine)} == {"sent"}


def test_periodic_jobs_run_each_round_in_their_own_transaction(engine, settings):
    seen = []

    def job(session, now):
        seen.append(now)
        outbox.enqueue(session, kind="action_digest", to_address="digest@example.org", subject="Digest",
                       text_body="Due soon", dedupe_key="digest:test")

    def broken(session, now):
        raise RuntimeError("boom")

    sender = Sender(engine, settings, periodic=[broken, job])
    sender.run_once()
    sender.run_once()
    assert len(seen) == 2
    assert [r.subject for r in _rows(engine)] == ["Digest"]


def test_the_in_process_sender_starts_and_stops_with_the_app(engine, session, database_url, smtp_server):
    from fastapi.testclient import TestClient

    from api.main import create_app

    _write(session)
    app = create_app(make_settings(database_url, smtp_url=smtp_server.url, mail_poll_seconds=0.1),
                     mail_worker=True)
    try:
        with TestClient(app):
            deadline = time.monotonic() + 10
            while not smtp_server.received and time.monotonic() < deadline:
                time.sleep(0.05)
        assert len(smtp_server.received) == 1
        assert not [t for t in threading.enumerate() if t.name == "ata-mail-sender"]
    finally:
        app.state.engine.dispose()


def test_ata_worker_sends_and_stops_on_sigterm(tmp_path, smtp_server):
    with fresh_database(tmp_path) as url:
        upgrade(url)
        settings = make_settings(url)
        own = make_engine(settings)
        with Session(own) as db:
            _write(db)
        own.dispose()
        env = os.environ | {"ATA_DATABASE_URL": url, "ATA_ENV": "development", "ATA_SECRET_KEY": "w" * 40,
                            "ATA_SMTP_URL": smtp_server.url, "ATA_MAIL_POLL_SECONDS": "0.2",
                            "ATA_STORAGE_DIR": str(tmp_path)}
        worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, cwd=os.getcwd())
        try:
            deadline = time.monotonic() + 20
            while not smtp_server.received and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.1)
            assert len(smtp_server.received) == 1
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=15)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert worker.returncode == 0, output
        assert "stopping" in output and "stopped" in output


def test_ata_worker_refuses_a_bad_smtp_url(tmp_path):
    env = os.environ | {"ATA_DATABASE_URL": f"sqlite:///{tmp_path}/w.db", "ATA_ENV": "development",
                        "ATA_SECRET_KEY": "w" * 40, "ATA_SMTP_URL": "http://user:hush-hush@mail.example.org"}
    done = subprocess.run([sys.executable, "-m", "api.cli", "worker"], env=env, capture_output=True, text=True,
                          timeout=30, cwd=os.getcwd())
    assert done.returncode != 0 and "ATA_SMTP_URL must start with" in done.stderr
    assert "hush-hush" not in done.stderr + done.stdout


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.org", ("mail.example.org", 25, "none", None, None)),
    ("smtp://user:pa%40ss@mail.example.org:2525", ("mail.example.org", 2525, "none", "user", "pa@ss")),
    ("smtp+starttls://me%40example.org:secret@smtp.example.org", ("smtp.example.org", 587, "starttls",
                                                                  "me@example.org", "secret")),
    ("smtps://u:p@smtp.example.org:1465", ("smtp.example.org", 1465, "tls", "u", "p")),
])
def test_smtp_urls(url, expected):
    config = parse_smtp_url(url)
    assert (config.host, config.port, config.security, config.username, config.password) == expected
    assert "secret" not in repr(config) and "secret" not in config.describe()


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://host:notaport",
                                 "imap://u:p@mail.example.org"])
def test_bad_smtp_urls_refused(url):
    with pytest.raises(SmtpConfigError) as refused:
        parse_smtp_url(url)
    assert url not in str(refused.value)


def test_settings_refuse_an_unknown_scheme_without_echoing_it(database_url):
    with pytest.raises(ValidationError) as refused:
        make_settings(database_url, smtp_url="ftp://user:hush-hush@mail.example.org")
    assert "ATA_SMTP_URL must start with" in str(refused.value) and "hush-hush" not in str(refused.value)
