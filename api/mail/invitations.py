"""An account made for a person: an email with a one-time link to choose their password
(api/auth/invitations.py makes and checks the link). Always sent (an admin asked for it), no
unsubscribe link, and never deduplicated: an admin may send it again, and only the newest link
matters because choosing a password ends them all."""

from datetime import UTC, datetime
from urllib.parse import quote

from markupsafe import escape
from sqlmodel import Session

from api.audit import service as audit
from api.auth import invitations
from api.auth.models import UserAccount
from api.authz import Subject
from api.core.config import Settings
from api.core.errors import Conflict
from api.mail.models import OutboxMessage
from api.mail.outbox import enqueue
from api.mail.unsubscribe import public_url
from api.registry.service import names_of

KIND = "account_invitation"
SUBJECT = "You have been given an account on the All Together Active dashboard"


def _when(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y at %H:%M} UTC"


def link(settings: Settings, token: str) -> str:
    return f"{public_url(settings).rstrip('/')}/account/welcome?token={quote(token, safe='.')}"


def invite(session: Session, settings: Settings, user: UserAccount, person_name: str | None = None,
           *, expires_at: datetime | None = None) -> OutboxMessage:
    """Puts the invitation in the outbox (the caller's transaction)."""
    expires_at = expires_at or invitations.expiry_for()
    url = link(settings, invitations.make(settings, user, expires_at))
    greeting = f"Dear {person_name}," if person_name else "Hello,"
    when = _when(expires_at)
    text = (f"{greeting}\n\n"
            "An administrator has made you an account on the All Together Active stakeholder dashboard.\n\n"
            "Follow this link to choose your password and sign in:\n\n"
            f"{url}\n\n"
            f"The link works once, until {when}. If it has expired, ask an administrator to send a new one.\n\n"
            f"Your account's email address is {user.email}.\n\n"
            "If you were not expecting this email, you can ignore it.\n")
    html = ('<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"></head>\n<body>\n'
            f"<p>{escape(greeting)}</p>\n"
            "<p>An administrator has made you an account on the All Together Active stakeholder dashboard.</p>\n"
            f'<p><a href="{escape(url)}">Choose your password and sign in</a></p>\n'
            f"<p>The link works once, until {escape(when)}. If it has expired, ask an administrator to send "
            "a new one.</p>\n"
            f"<p>Your account&#x27;s email address is {escape(user.email)}.</p>\n"
            "<p>If you were not expecting this email, you can ignore it.</p>\n</body></html>\n")
    return enqueue(session, kind=KIND, to_address=user.email, subject=SUBJECT, text_body=text, html_body=html,
                   stakeholder_id=user.stakeholder_id)


def send(session: Session, settings: Settings, *, actor: Subject, user: UserAccount) -> OutboxMessage:
    """An admin's invitation for an account: addressed by the person's name if it is theirs, audited."""
    name = names_of(session, [user.stakeholder_id]).get(user.stakeholder_id) if user.stakeholder_id else None
    message = invite(session, settings, user, name)
    audit.record(session, actor=actor, action="user.invitation_sent", entity_type="user", entity_id=user.id)
    return message


def resend(session: Session, settings: Settings, *, actor: Subject, user: UserAccount) -> OutboxMessage:
    """A new link for an account nobody has signed in to yet (the older links stay valid until used)."""
    if not user.is_active:
        raise Conflict("This account is disabled; enable it first.")
    if user.last_sign_in_at is not None:
        raise Conflict("This person has signed in already; set a one-time password instead.")
    return send(session, settings, actor=actor, user=user)
