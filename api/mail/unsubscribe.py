"""One-click unsubscribe links (RFC 8058): `{public_url}/mail/unsubscribe?token=...`.

The token names a person and a kind of message, signed with an HMAC under the secret key
(as the calendar feed links are, api/meetings/calendar.py): nothing is stored, it cannot be
altered to name someone else, and it keeps working in old messages. Following it only ever
turns that kind of message off for that person, which they can undo in their Email settings.
"""

import hashlib
import hmac
from urllib.parse import quote

from api.authz import Subject
from api.core.config import Settings
from api.core.errors import BadRequest
from api.core.schemas import MAX_ID
from api.core.security import constant_time_equals
from api.mail.kinds import MAIL_KINDS

_MAX_TOKEN = 120
# Who the audit log says turned a kind off by following a link (nobody signed in).
LINK = Subject(kind="anonymous", label="unsubscribe link")


class BadUnsubscribeToken(BadRequest):
    slug = "bad-unsubscribe-link"


def public_url(settings: Settings) -> str:
    return getattr(settings, "public_url", None) or "http://localhost:8000"


def _mac(settings: Settings, stakeholder_id: int, kind: str) -> str:
    message = f"unsubscribe:{stakeholder_id}:{kind}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:40]


def token(settings: Settings, stakeholder_id: int, kind: str) -> str:
    if kind not in MAIL_KINDS:
        raise ValueError(f"{kind!r} cannot be unsubscribed from")
    return f"{stakeholder_id}.{kind}.{_mac(settings, stakeholder_id, kind)}"


def link(settings: Settings, stakeholder_id: int, kind: str) -> str:
    """The absolute URL of the person's unsubscribe link for `kind` (for List-Unsubscribe and
    the foot of every message)."""
    return f"{public_url(settings).rstrip('/')}/mail/unsubscribe?token={quote(token(settings, stakeholder_id, kind))}"


def read(settings: Settings, presented: str) -> tuple[int, str]:
    """(stakeholder_id, kind) named by a token, or BadUnsubscribeToken (400) if it was altered,
    cut short or never made here."""
    problem = BadUnsubscribeToken("This unsubscribe link is not valid: it may have been cut short or altered. "
                                  "Sign in and choose in your Email settings instead.")
    if not isinstance(presented, str) or len(presented) > _MAX_TOKEN:
        raise problem
    person, _, rest = presented.partition(".")
    kind, _, _ = rest.partition(".")
    if not (person.isascii() and person.isdigit()) or not 1 <= int(person) <= MAX_ID or kind not in MAIL_KINDS:
        raise problem
    if not constant_time_equals(token(settings, int(person), kind), presented):
        raise problem
    return int(person), kind


def unsubscribe(session, settings: Settings, presented: str) -> tuple[int, str]:
    """Follow a link: that kind of message is never sent to that person again (until they
    choose otherwise). Idempotent. Returns (stakeholder_id, kind); a link naming someone no
    longer on the register does nothing."""
    from api.mail.preferences import set_preference
    from api.registry.models import Stakeholder

    person, kind = read(settings, presented)
    if session.get(Stakeholder, person) is not None:
        set_preference(session, person, kind, "never", actor=LINK)
    return person, kind
