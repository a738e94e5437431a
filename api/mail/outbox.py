"""Putting messages in the outbox, in the caller's transaction: a change and the messages it
causes are committed together or not at all, and a sender (api/mail/sender.py) delivers them
afterwards. Plain functions over a Session; they flush, never commit.
"""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.core.db import savepoint
from api.core.types import utcnow
from api.mail.models import OutboxMessage


def enqueue(session: Session, *, kind: str, to_address: str, subject: str, text_body: str, html_body: str = "",
            stakeholder_id: int | None = None, ics: str | None = None, ics_method: str | None = None,
            dedupe_key: str | None = None, hold: bool = False, not_before: datetime | None = None
            ) -> OutboxMessage | None:
    """One message to one address; None when a message with `dedupe_key` was written before
    (nothing is sent twice for one key). `hold`: kept for the person's weekly digest."""
    if dedupe_key is not None and session.exec(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)).first() is not None:
        return None
    message = OutboxMessage(kind=kind, to_address=to_address, subject=subject[:300], text_body=text_body,
                            html_body=html_body, stakeholder_id=stakeholder_id, ics=ics, ics_method=ics_method,
                            dedupe_key=dedupe_key, status="held" if hold else "pending",
                            next_attempt_at=not_before or utcnow())
    try:
        with savepoint(session):  # two writers racing for one key: the second is skipped, not an error
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message
