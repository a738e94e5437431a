"""What admins see of the outbox (what waits, what failed, what went) and the one thing they
do with it: send a failed message again. Plain functions over a Session; they flush, never
commit. Bodies are never listed: an account invitation's body holds a sign-in link."""

from typing import Literal, get_args

from sqlalchemy import func
from sqlmodel import Session, select

from api.audit import service as audit
from api.authz import Subject
from api.core.db import get_or_404
from api.core.errors import Conflict
from api.core.pagination import PageParams, paginate
from api.core.types import utcnow
from api.mail.models import OutboxMessage

# pending: to send; held: for the person's weekly digest; sent; digested: went out inside a
# digest; failed: given up on (an admin may send it again).
OutboxStatus = Literal["pending", "held", "sent", "digested", "failed"]
STATUSES: tuple[OutboxStatus, ...] = get_args(OutboxStatus)


def counts(session: Session) -> dict[str, int]:
    """How many messages are in each status (every status, 0 where none), in one query."""
    found = dict(session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return {status: found.get(status, 0) for status in STATUSES}


def list_messages(session: Session, *, page: PageParams, status: str | None = None
                  ) -> tuple[list[OutboxMessage], str | None]:
    """Messages, newest first; `status` keeps one status only."""
    stmt = select(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return paginate(session, stmt, order=[OutboxMessage.id], page=page, descending=True)


def retry(session: Session, *, actor: Subject, message_id: int) -> OutboxMessage:
    """A failed message back in the queue, due now, with its retries counted afresh."""
    message = get_or_404(session, OutboxMessage, message_id, "message")
    if message.status != "failed":
        raise Conflict("Only a failed message can be sent again.")
    before = {"status": message.status, "attempts": message.attempts}
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_by = message.claimed_until = None
    session.add(message)
    session.flush()
    audit.record(session, actor=actor, action="mail.retry", entity_type="mail_message", entity_id=message.id,
                 before=before, after={"status": message.status, "attempts": message.attempts})
    return message
