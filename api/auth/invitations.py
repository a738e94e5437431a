"""One-time sign-in links for new accounts: `{public_url}/account/welcome?token=...`.

Nothing is stored. The token is `{account id}.{expiry, epoch seconds}.{hmac}`, the HMAC (under
the secret key) covering the account, the expiry and the account's current password hash and
token generation. So the link stops working once the person has chosen a password (the hash
changes and the generation rises: it is single use), when the account is disabled or its
password reset (the generation rises), and after INVITATION_DAYS days.
"""

import hashlib
import hmac
import re
from datetime import datetime, timedelta

from sqlmodel import Session

from api.audit import service as audit
from api.auth.models import UserAccount
from api.auth.service import user_subject
from api.core.config import Settings
from api.core.errors import BadRequest
from api.core.schemas import MAX_ID
from api.core.security import constant_time_equals, hash_secret, new_secret
from api.core.types import utcnow

INVITATION_DAYS = 7
_SHAPE = re.compile(r"^([0-9]{1,19})\.([0-9]{1,12})\.([0-9a-f]{64})$")


class InvalidInvitation(BadRequest):
    """The link is altered, already used, for a disabled account, or expired."""

    slug = "invitation-invalid"


def unknown_password() -> str:
    """A hash of a random password nobody is told: the account can be entered only by the link."""
    return hash_secret(new_secret(32))


def _mac(settings: Settings, user: UserAccount, expiry: int) -> str:
    message = f"invitation:{user.id}:{expiry}:{user.token_generation}:{user.password_hash}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def expiry_for(now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(days=INVITATION_DAYS)


def make(settings: Settings, user: UserAccount, expires_at: datetime) -> str:
    expiry = int(expires_at.timestamp())
    return f"{user.id}.{expiry}.{_mac(settings, user, expiry)}"


def check(session: Session, settings: Settings, token: str) -> UserAccount:
    """The account a live token is for; InvalidInvitation (400) otherwise."""
    match = _SHAPE.match(token or "")
    if match is None or int(match.group(1)) > MAX_ID:
        raise InvalidInvitation("This link is not valid.")
    user_id, expiry, presented = int(match.group(1)), int(match.group(2)), match.group(3)
    user = session.get(UserAccount, user_id)
    if user is None or not constant_time_equals(_mac(settings, user, expiry), presented):
        raise InvalidInvitation("This link has expired or has already been used.")
    if not user.is_active:
        raise InvalidInvitation("This account is disabled.")
    if expiry < utcnow().timestamp():
        raise InvalidInvitation("This link has expired.")
    return user


def accept(session: Session, settings: Settings, token: str, password: str) -> UserAccount:
    """The person chooses their password by the link: the link (and any other) dies with it."""
    user = check(session, settings, token)
    user.password_hash = hash_secret(password)
    user.must_change_password = False
    user.token_generation += 1
    user.last_sign_in_at = utcnow()
    session.flush()
    audit.record(session, actor=user_subject(user), action="user.invitation_accepted", entity_type="user",
                 entity_id=user.id)
    return user
