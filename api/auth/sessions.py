"""Web sessions: server-side records behind an HttpOnly cookie, with a CSRF token each.

Stored in the database so that any app instance can serve any request, and so that disabling
an account (its token generation moves on) ends its sessions at once.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from api.auth.models import UserAccount, WebSession
from api.core.config import Settings
from api.core.security import constant_time_equals
from api.core.types import utcnow


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(session: Session, *, user: UserAccount, replacing: str | None = None) -> tuple[str, WebSession]:
    """A new session (and cookie value) for `user`; any session the browser had is ended, so
    the identifier always changes at sign-in."""
    if replacing:
        end(session, replacing)
    key = secrets.token_urlsafe(32)
    now = utcnow()
    record = WebSession(key_hash=_hash(key), user_id=user.id, token_generation=user.token_generation,
                        csrf_token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now)
    session.add(record)
    session.flush()
    return key, record


def resolve(session: Session, settings: Settings, key: str | None) -> tuple[WebSession, UserAccount] | None:
    """The live session and its account, touched; None if unknown, idle too long, too old, or
    its account disabled or reset since."""
    if not key or len(key) > 100:
        return None
    row = session.exec(
        select(WebSession, UserAccount)
        .join(UserAccount, UserAccount.id == WebSession.user_id)
        .where(WebSession.key_hash == _hash(key))
    ).first()
    if row is None:
        return None
    record, user = row
    now = utcnow()
    expired = (
        now - record.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
        or now - record.created_at > timedelta(hours=settings.session_max_hours)
        or not user.is_active
        or user.token_generation != record.token_generation
    )
    if expired:
        session.delete(record)
        session.flush()
        return None
    # Touch at most once a minute: most requests then write nothing.
    if now - record.last_seen_at > timedelta(minutes=1):
        record.last_seen_at = now
        session.flush()
    return record, user


def end(session: Session, key: str) -> None:
    session.exec(delete(WebSession).where(WebSession.key_hash == _hash(key)))


def csrf_matches(record: WebSession, presented: str | None) -> bool:
    return bool(presented) and constant_time_equals(record.csrf_token, presented)
