"""What sign-in holds about a person: their account, the failed sign-ins typed with its email,
and anonymising the account. `api/privacy.py` composes this with every other domain's part."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from api.audit import service as audit
from api.audit.models import AuditEvent
from api.audit.privacy import Refs, ids_of
from api.auth.models import UserAccount
from api.core.security import hash_secret, new_secret


def account_of(session: Session, stakeholder_id: int) -> UserAccount | None:
    return session.exec(select(UserAccount).where(UserAccount.stakeholder_id == stakeholder_id)).first()


def personal_data(user: UserAccount) -> dict[str, Any]:
    return {"account": audit.snapshot(user)}


def refs(user: UserAccount) -> Refs:
    return [("user", ids_of(UserAccount.id, UserAccount.id, user.id))]


def failed_sign_ins(session: Session, user: UserAccount, own_events: list[AuditEvent]) -> list[AuditEvent]:
    """Failed sign-ins typed with exactly the account's email, while the account has held it.

    A failed attempt is recorded against the address typed, not an account (there may be none),
    so it is matched by that address, but only exactly (as sign-in compares it: trimmed and in
    lower case), never as part of a longer address; and only from when this account took the
    address, because before then an attempt with it was against someone else or no one. They
    are included because they are attempts on this person's account, which they are entitled to
    see (and may want to report); the record holds only the address typed and the channel."""
    typed = AuditEvent.after["username"].as_string()
    stmt = select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed",
                                    typed == user.email.strip().lower())
    since = _email_held_since(user, own_events)
    if since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    return list(session.exec(stmt.order_by(AuditEvent.id)))


def _email_held_since(user: UserAccount, events: list[AuditEvent]) -> datetime | None:
    """When the account took its current email: its latest own event that set it (creation or
    a change), else the account's creation."""
    email = user.email.lower()
    setting = [e.occurred_at for e in events
               if e.entity_type == "user" and e.entity_id == str(user.id) and e.action in ("user.create", "user.update")
               and isinstance(e.after, dict) and str(e.after.get("email") or "").lower() == email]
    return max(setting) if setting else user.created_at


def anonymise(user: UserAccount) -> None:
    """No one can sign in as the person again: their address is gone, their password unknown,
    and every token and session they held has ended."""
    user.email = f"anonymised-{user.id}@invalid"
    user.password_hash = hash_secret(new_secret())
    user.is_active = False
    user.token_generation += 1
