"""An outbox row as an email: plain text and HTML as multipart/alternative, an iCalendar
invitation or cancellation attached as text/calendar with its METHOD, and a one-click
unsubscribe link (RFC 8058) when the message is to a person about a kind they can turn off."""

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

from api.core.config import Settings
from api.core.types import utcnow
from api.mail.kinds import MAIL_KINDS
from api.mail.models import OutboxMessage


def envelope_sender(settings: Settings) -> str:
    """The bare address of ATA_MAIL_FROM, for the SMTP envelope (MAIL FROM)."""
    addresses = getaddresses([settings.mail_from])
    return addresses[0][1] if addresses and addresses[0][1] else "no-reply@localhost"


def _domain(settings: Settings) -> str:
    sender = envelope_sender(settings)
    return sender.rpartition("@")[2] or "localhost"


def message_id(settings: Settings, message: OutboxMessage) -> str:
    """The same for every attempt at one outbox row: a resend after a crash reads as the same
    message to clients that drop duplicates."""
    created = int(message.created_at.timestamp()) if message.created_at else 0
    return f"<ata-outbox-{message.id}-{created}@{_domain(settings)}>"


def _unsubscribe_link(settings: Settings, message: OutboxMessage) -> str | None:
    """The person's one-click link for this kind; None for kinds nobody can turn off (an
    account invitation)."""
    if message.stakeholder_id is None or message.kind not in MAIL_KINDS:
        return None
    from api.mail import unsubscribe  # imported when used (it signs with the secret key)

    return unsubscribe.link(settings, message.stakeholder_id, message.kind)


def build(settings: Settings, message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = Address(addr_spec=message.to_address) if "@" in message.to_address else message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id(settings, message)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to us
    link = _unsubscribe_link(settings, message)
    if link:
        email["List-Unsubscribe"] = f"<{link}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    if message.ics:
        method = (message.ics_method or "REQUEST").upper()
        email.add_attachment(message.ics, subtype="calendar", charset="utf-8", params={"method": method},
                             filename="cancel.ics" if method == "CANCEL" else "invite.ics")
    return email
