"""The sender: takes messages from the outbox and delivers them by SMTP.

One loop (`Sender.run`), used by `ata worker` alone and by `ata serve` in a background thread.
Each round it runs the registered periodic jobs (the weekly digest), then delivers what is due:

1. Claim, in one short transaction: up to BATCH pending messages whose time has come and whose
   lease is free get this sender's id and a lease (`claimed_until`). On PostgreSQL the rows are
   picked with FOR UPDATE SKIP LOCKED, so senders never wait on or take each other's rows; on
   SQLite each row is taken by a conditional UPDATE whose row count says who won.
2. Send, outside any transaction, over one SMTP connection for the batch.
3. Record each result in its own short transaction: sent; or a retry later (attempts + 1, next
   attempt after a backoff of 30 s x 2^(attempts-1) with jitter, at most an hour; the error kept,
   short and without the password); or failed, when the server refused it for good (5xx) or
   after ATA_MAIL_MAX_ATTEMPTS tries. Admins see failed messages and can send them again.

What a crash costs: before sending, nothing (the lease runs out and another round or sender
takes the message). Between the server accepting a message and the result being written, the
message is sent again once the lease has run out: at most one duplicate, with the same
Message-ID. Nothing is ever lost. Without ATA_SMTP_URL nothing is claimed: messages wait.
"""

import contextlib
import logging
import os
import random
import smtplib
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlmodel import Session

from api.core.config import Settings
from api.core.types import utcnow
from api.mail import mime, smtp
from api.mail.models import OutboxMessage

log = logging.getLogger("ata.mail")

BATCH = 10
# Longer than a batch can take (BATCH messages at smtp.TIMEOUT_SECONDS each, and the connection).
LEASE = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
LONGEST_ERROR = 300

PeriodicJob = Callable[[Session, datetime], object]
_periodic: list[PeriodicJob] = []


def register_periodic(job: PeriodicJob) -> PeriodicJob:
    """Run `job(session, now)` every round of every sender, in its own transaction (committed
    when it returns). Jobs decide for themselves whether anything is due, and must be safe to run
    in several senders at once (e.g. by dedupe keys). Usable as a decorator."""
    if job not in _periodic:
        _periodic.append(job)
    return job


def unregister_periodic(job: PeriodicJob) -> None:
    """Undo register_periodic (an application that registered a job for its own sender, on
    shutdown); a job not registered is ignored."""
    with contextlib.suppress(ValueError):
        _periodic.remove(job)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 30 s, 1 min, 2 min... at most an
    hour, each within ±20% so that many messages failing together do not retry together."""
    seconds = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, seconds * random.uniform(0.8, 1.2)))  # noqa: S311


def _describe(exc: BaseException, password: str | None) -> tuple[str, bool]:
    """A short error for people, and whether it is permanent (a 5xx reply)."""
    code: int | None = None
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, reply = next(iter(exc.recipients.values()))
        text = f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        reply = exc.smtp_error
        text = f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
    elif isinstance(exc, socket.timeout | TimeoutError):
        text = "The mail server did not answer in time"
    elif isinstance(exc, ConnectionRefusedError):
        text = "The mail server refused the connection"
    elif isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
        text = f"Could not reach the mail server: {exc.strerror or exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    if password:
        text = text.replace(password, "***")
    # Authentication failures (535) are the server's settings, not the message's: retried.
    permanent = code is not None and 500 <= code < 600 and code not in (530, 534, 535)
    return text[:LONGEST_ERROR], permanent


class Sender:
    def __init__(self, engine: Engine, settings: Settings, *, sender_id: str | None = None,
                 periodic: list[PeriodicJob] | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.sender_id = (sender_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")[:100]
        self.config = smtp.parse_smtp_url(settings.smtp_url) if settings.smtp_url else None
        self._periodic = periodic

    # Claiming -----------------------------------------------------------------------------------

    def _due(self, now: datetime):
        return (OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))

    def claim(self, now: datetime | None = None, limit: int = BATCH) -> list[OutboxMessage]:
        """Up to `limit` due messages, now this sender's until the lease runs out."""
        now = now or utcnow()
        lease = {"claimed_by": self.sender_id, "claimed_until": now + LEASE}
        with Session(self.engine, expire_on_commit=False) as session:
            if self.engine.dialect.name == "postgresql":
                free = (select(OutboxMessage.id).where(*self._due(now))
                        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
                        .with_for_update(skip_locked=True))
                ids = list(session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(free.scalar_subquery()))
                                           .values(**lease).returning(OutboxMessage.id)).scalars())
            else:
                candidates = session.execute(select(OutboxMessage.id).where(*self._due(now))
                                             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                                             .limit(limit)).scalars().all()
                ids = []
                for message_id in candidates:
                    # SQLite runs one writer at a time: whoever updates the row first wins it.
                    taken = session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                                        *self._due(now)).values(**lease))
                    if taken.rowcount == 1:
                        ids.append(message_id)
            session.commit()
            if not ids:
                return []
            rows = session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                   .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)).scalars().all()
            return list(rows)

    # Recording --------------------------------------------------------------------------------

    def _record(self, message_id: int, values: dict, *, mine_only: bool) -> None:
        conditions = [OutboxMessage.id == message_id, OutboxMessage.status == "pending"]
        if mine_only:  # a failure is not written over another sender that took the message since
            conditions.append(OutboxMessage.claimed_by == self.sender_id)
        with Session(self.engine) as session:
            session.execute(update(OutboxMessage).where(*conditions).values(**values))
            session.commit()

    def _sent(self, message: OutboxMessage) -> None:
        self._record(message.id, {"status": "sent", "sent_at": utcnow(), "claimed_by": None,
                                  "claimed_until": None, "attempts": message.attempts + 1, "last_error": ""},
                     mine_only=False)

    def _failed(self, message: OutboxMessage, exc: BaseException) -> None:
        error, permanent = _describe(exc, self.config.password if self.config else None)
        attempts = message.attempts + 1
        values: dict = {"attempts": attempts, "last_error": error, "claimed_by": None, "claimed_until": None}
        if permanent or attempts >= self.settings.mail_max_attempts:
            values["status"] = "failed"
            log.warning("mail %s to %s failed for good after %d attempt(s): %s", message.id,
                        message.to_address, attempts, error)
        else:
            values["next_attempt_at"] = utcnow() + backoff(attempts)
            log.info("mail %s: attempt %d failed, will retry: %s", message.id, attempts, error)
        self._record(message.id, values, mine_only=True)

    def _failed_all(self, messages: list[OutboxMessage], exc: BaseException) -> None:
        for message in messages:
            self._failed(message, exc)

    def release(self, messages: list[OutboxMessage]) -> None:
        """Give back claimed messages not tried (stopping): free for the next round at once."""
        with Session(self.engine) as session:
            for message in messages:
                session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                            OutboxMessage.status == "pending",
                                                            OutboxMessage.claimed_by == self.sender_id)
                                .values(claimed_by=None, claimed_until=None))
            session.commit()

    # Sending ----------------------------------------------------------------------------------

    def deliver(self, messages: list[OutboxMessage], stop: threading.Event | None = None) -> int:
        """Send claimed messages over one connection; returns how many were sent."""
        if not messages:
            return 0
        assert self.config is not None
        try:
            connection = smtp.connect(self.config)
        except OSError as exc:  # SMTPException is an OSError too
            self._failed_all(messages, exc)
            return 0
        sent = 0
        envelope = mime.envelope_sender(self.settings)
        try:
            for index, message in enumerate(messages):
                if stop is not None and stop.is_set():
                    self.release(messages[index:])
                    break
                try:
                    smtp.send(connection, mime.build(self.settings, message), sender=envelope,
                              recipient=message.to_address)
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
                    self._failed_all(messages[index:], exc)  # the connection is gone: a later round
                    break
                except smtplib.SMTPException as exc:  # this message refused (a 4xx or 5xx reply)
                    self._failed(message, exc)
                    with contextlib.suppress(smtplib.SMTPException, OSError):
                        connection.rset()  # the refusal may leave the conversation mid-message
                except OSError as exc:  # timeouts, resets: the connection is gone
                    self._failed_all(messages[index:], exc)
                    break
                except (ValueError, UnicodeError) as exc:  # a message that cannot be written
                    self._failed(message, exc)
                else:
                    self._sent(message)
                    sent += 1
        finally:
            smtp.close(connection)
        return sent

    def run_periodic(self, now: datetime | None = None) -> None:
        now = now or utcnow()
        for job in list(self._periodic if self._periodic is not None else _periodic):
            try:
                with Session(self.engine, expire_on_commit=False) as session:
                    job(session, now)
                    session.commit()
            except Exception:
                log.exception("mail: periodic job %s failed; it runs again next round",
                              getattr(job, "__name__", job))

    def run_once(self, stop: threading.Event | None = None) -> int:
        """One round: periodic jobs, then every due message (batch after batch). Returns how
        many were sent. Without ATA_SMTP_URL, nothing is claimed."""
        self.run_periodic()
        if self.config is None:
            return 0
        sent = 0
        while not (stop is not None and stop.is_set()):
            batch = self.claim()
            if not batch:
                break
            sent += self.deliver(batch, stop)
        return sent

    def run(self, stop: threading.Event) -> None:
        """Round after round until `stop` is set; the message in hand is finished first."""
        if self.config is None:
            log.warning("mail: ATA_SMTP_URL is not set; messages wait in the outbox (see /admin/mail)")
        else:
            log.info("mail: sender %s delivering through %s", self.sender_id, self.config.describe())
        while not stop.is_set():
            try:
                self.run_once(stop)
            except Exception:
                log.exception("mail: sender round failed; trying again in %ss", self.settings.mail_poll_seconds)
            stop.wait(self.settings.mail_poll_seconds)
        log.info("mail: sender %s stopped", self.sender_id)


def start_thread(engine: Engine, settings: Settings) -> tuple[threading.Thread, threading.Event]:
    """The sender in a daemon thread of this process (`ata serve`); set the event to stop it."""
    stop = threading.Event()
    sender = Sender(engine, settings)
    thread = threading.Thread(target=sender.run, args=(stop,), name="ata-mail-sender", daemon=True)
    thread.start()
    return thread, stop
