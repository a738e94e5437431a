"""What the mail tables hold about a person: their choices, and the messages addressed to them.

Composed by api/privacy.py with the other domains' parts."""

import re
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, delete, select

from api.mail.models import MailPreference, OutboxMessage


def personal_data(session: Session, person_id: int | None) -> dict[str, Any]:
    """Their choices and the messages to them: kind, subject, status and dates, not the bodies
    (those repeat records the export holds already)."""
    if person_id is None:
        return {"mail_preferences": {}, "mail_messages": []}
    chosen = session.exec(select(MailPreference).where(MailPreference.stakeholder_id == person_id)
                          .order_by(MailPreference.kind)).all()
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.stakeholder_id == person_id)
                            .order_by(OutboxMessage.id)).all()
    return {
        "mail_preferences": {p.kind: p.frequency for p in chosen},
        "mail_messages": [{"id": m.id, "kind": m.kind, "to_address": m.to_address, "subject": m.subject,
                           "status": m.status, "created_at": m.created_at.isoformat() if m.created_at else None,
                           "sent_at": m.sent_at.isoformat() if m.sent_at else None} for m in messages],
    }


def anonymise(session: Session, person_id: int, *, needles: list[str | None] = (), label: str = "") -> None:
    """Their choices go; messages not yet sent go (nobody is left to send them to); messages sent
    keep their kind, subject and dates (what the service sent, and when) but lose the address
    and the bodies, which greet the person by name. `needles`: their name and emails; messages
    written to one of those addresses without naming the stakeholder (an account invitation)
    are theirs too, and a subject naming them names `label` instead."""
    session.exec(delete(MailPreference).where(MailPreference.stakeholder_id == person_id))
    known = [n for n in needles if n]
    addresses = [n.lower() for n in known if "@" in n]
    mine = OutboxMessage.stakeholder_id == person_id
    if addresses:
        mine = mine | func.lower(OutboxMessage.to_address).in_(addresses)
    session.exec(delete(OutboxMessage).where(mine, OutboxMessage.status.in_(("pending", "held", "failed"))))
    for message in session.exec(select(OutboxMessage).where(mine)).all():
        message.to_address = ""
        message.text_body = ""
        message.html_body = ""
        message.ics = None
        message.last_error = ""
        for needle in known:
            message.subject = re.sub(re.escape(needle), label, message.subject, flags=re.IGNORECASE)
        session.add(message)
    session.flush()
