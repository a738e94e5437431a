"""The SMTP server messages go through: ATA_SMTP_URL parsed once, and one connection per batch.

    smtp://user:pass@host:port           plain SMTP (port 25 unless given)
    smtp+starttls://user:pass@host:port  SMTP upgraded with STARTTLS (port 587 unless given)
    smtps://user:pass@host:port          SMTP over TLS from the start (port 465 unless given)

User and password are optional and percent-decoded (a password with "@" is written "%40"). The
password is kept out of every repr, log line and error message.
"""

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Literal
from urllib.parse import unquote, urlsplit

Security = Literal["none", "starttls", "tls"]

_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("none", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
TIMEOUT_SECONDS = 30


class SmtpConfigError(ValueError):
    """ATA_SMTP_URL cannot be used; the message never holds the URL (it may carry a password)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        """For people (the admin page, the log): where mail goes, never the password."""
        how = "SMTP over TLS" if self.security == "tls" else (
            "SMTP with STARTTLS" if self.security == "starttls" else "plain SMTP")
        who = f" as {self.username}" if self.username else ""
        return f"{self.host}:{self.port} ({how}){who}"


def parse_smtp_url(url: str) -> SmtpConfig:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise SmtpConfigError("ATA_SMTP_URL is not a valid URL (check the port)") from exc
    if parts.scheme not in _SCHEMES:
        raise SmtpConfigError("ATA_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
    if not parts.hostname:
        raise SmtpConfigError("ATA_SMTP_URL names no host")
    security, default_port = _SCHEMES[parts.scheme]
    return SmtpConfig(host=parts.hostname, port=port or default_port, security=security,
                      username=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password) if parts.password is not None else None)


def connect(config: SmtpConfig, *, timeout: float = TIMEOUT_SECONDS) -> smtplib.SMTP:
    """An open, signed-in connection; the caller quits it. Raises OSError or SMTPException."""
    context = ssl.create_default_context()
    if config.security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=timeout)
    try:
        smtp.ehlo()
        if config.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, config.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(smtp: smtplib.SMTP, message: EmailMessage, *, sender: str, recipient: str) -> None:
    """One message to one address. Raises SMTPException (with the server's code) or OSError."""
    refused = smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
    if refused:  # only when some of several recipients are refused; kept for completeness
        code, reply = refused[recipient]
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})


def close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
