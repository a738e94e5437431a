"""The outbox for admins: what waits, what failed and what went; a failed message sent again."""

from datetime import datetime

from fastapi import APIRouter, Query, Request, Response
from pydantic import ConfigDict, create_model

from api.core.errors import Conflict
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import Id, ReadModel
from api.deps import AccountManager, Person, SessionDep, SettingsDep
from api.mail import admin, preferences, unsubscribe
from api.mail.kinds import MAIL_KINDS, Frequency

router = APIRouter(prefix="/mail", tags=["mail"])

Status = admin.OutboxStatus


class OutboxMessageRead(ReadModel):
    """One message, without its body (an invitation's body holds a sign-in link)."""

    id: int
    kind: str
    stakeholder_id: int | None
    to_address: str
    subject: str
    has_calendar: bool = False
    status: Status
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None
    created_at: datetime | None

    @classmethod
    def of(cls, message) -> "OutboxMessageRead":
        read = cls.model_validate(message)
        read.has_calendar = message.ics is not None
        return read


@router.get("/outbox", response_model=Page[OutboxMessageRead])
def list_outbox(request: Request, response: Response, session: SessionDep, _: AccountManager, page: PageDep,
                status: Status | None = None):
    """Messages in the outbox, newest first (admins only): pending (waiting to be sent), held
    (for a weekly digest), sent, digested (went out in a digest) or failed (given up on)."""
    rows, cursor = admin.list_messages(session, page=page, status=status)
    set_next_link(request, response, cursor)
    return Page(items=[OutboxMessageRead.of(row) for row in rows], next_cursor=cursor)


@router.post("/outbox/{message_id}/retry", response_model=OutboxMessageRead)
def retry_message(message_id: Id, session: SessionDep, actor: AccountManager):
    """Send a failed message again (admins only): it is due at once, with its retries afresh.
    409 if the message has not failed."""
    return OutboxMessageRead.of(admin.retry(session, actor=actor, message_id=message_id))


# A person's own Email settings (at /api/v1/me/..., beside the person's other "me" routes) and the
# one-click unsubscribe link's API twin (the link in messages is the web page's, web/routes/account_mail.py).
me_router = APIRouter(tags=["mail"])

MailPreferences = create_model(
    "MailPreferences", __config__=ConfigDict(from_attributes=True),
    __doc__="How the person is told of each kind of message: immediately, in a weekly digest, or never.",
    **dict.fromkeys(MAIL_KINDS, (Frequency, ...)))
MailPreferencesUpdate = create_model(
    "MailPreferencesUpdate", __config__=ConfigDict(extra="forbid"),
    __doc__="The kinds to change; kinds left out keep their setting.",
    **dict.fromkeys(MAIL_KINDS, (Frequency | None, None)))


def _own_record(subject) -> int:
    if subject.stakeholder_id is None:
        raise Conflict("This account is not linked to a person on the register, so it has no email settings. "
                       "Ask an administrator to link it.")
    return subject.stakeholder_id


# An account not linked to a person on the register has no email settings.
NOT_A_PERSON = {409: {"description": "the account is not linked to a person on the register"}}


@me_router.get("/me/mail-preferences", response_model=MailPreferences, responses=NOT_A_PERSON)
def get_mail_preferences(session: SessionDep, subject: Person):
    """How the signed-in person is told of each kind of message (defaults where they have not
    chosen). 409 if the account is not linked to a person on the register."""
    return preferences.preferences_of(session, _own_record(subject))


@me_router.put("/me/mail-preferences", response_model=MailPreferences, responses=NOT_A_PERSON)
def put_mail_preferences(body: MailPreferencesUpdate, session: SessionDep, subject: Person):
    """Choose, per kind of message: `immediately`, `weekly` (in the weekly digest) or `never`.
    Kinds left out keep their setting. 422 for an unknown kind or frequency."""
    person = _own_record(subject)
    choices = {kind: value for kind, value in body.model_dump().items() if value is not None}
    return preferences.set_preferences(session, person, choices, actor=subject)


@router.post("/unsubscribe", status_code=204,
             responses={400: {"description": "The link's token was altered, cut short or never made here"}})
def one_click_unsubscribe(session: SessionDep, settings: SettingsDep,
                          token: str = Query(max_length=200, description="The token of an unsubscribe link")):
    """One-click unsubscribe (RFC 8058): no sign-in, the signed token is the credential. That
    kind of message is never sent to that person again until they choose otherwise. Idempotent;
    400 for a token that was altered or cut short."""
    unsubscribe.unsubscribe(session, settings, token)
    return Response(status_code=204)
