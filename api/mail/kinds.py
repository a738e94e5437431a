"""The kinds of message the service sends, how each is sent unless the person chooses otherwise,
and the choices a person has (their "Email settings")."""

from typing import Literal, get_args

MailKind = Literal["meeting", "papers", "action_assigned", "action_digest", "minutes_approved"]
Frequency = Literal["immediately", "weekly", "never"]
MAIL_KINDS: tuple[MailKind, ...] = get_args(MailKind)
FREQUENCIES: tuple[Frequency, ...] = get_args(Frequency)

# Unless a person chooses otherwise: at once, but the actions due soon or overdue only as a digest.
DEFAULT_FREQUENCY: dict[str, Frequency] = {
    kind: "weekly" if kind == "action_digest" else "immediately" for kind in MAIL_KINDS}
# Kinds that cannot be chosen: an account invitation is sent because an admin asked for it.
ALWAYS_SENT = ("account_invitation",)
