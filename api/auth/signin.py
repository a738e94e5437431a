"""Signing a person in, the same way for the token endpoint and the web sign-in page:
throttled per account and address, every attempt audited. Changing one's password checks the
current one, so it is a sign-in too and shares the same throttle."""

from fastapi import Request
from sqlmodel import Session

from api.audit import service as audit
from api.auth import service, throttle
from api.auth.models import UserAccount
from api.authz import SYSTEM_SUBJECT


def sign_in(request: Request, session: Session, *, email: str, password: str, channel: str) -> UserAccount | None:
    """The account, or None for a wrong email or password. Raises TooManyAttempts (429) while
    the account or the client address is locked out; only failures count towards that."""
    throttle.ensure_allowed(request, email)
    user = service.authenticate_user(session, email=email, password=password)
    if user is None:
        throttle.record_failure(request, email)
        audit.record(session, actor=SYSTEM_SUBJECT, action="auth.sign_in_failed", entity_type="user",
                     entity_id=None, after={"username": email.strip().lower()[:254], "channel": channel})
        return None
    audit.record(session, actor=service.user_subject(user), action="auth.sign_in", entity_type="user",
                 entity_id=user.id, after={"channel": channel})
    return user


def change_password(request: Request, session: Session, *, user: UserAccount, current: str, new: str,
                    channel: str) -> UserAccount:
    """`service.change_own_password` behind the sign-in throttle. Without it a stolen token or an
    unattended session could guess the password without limit; so a wrong current password
    counts as a failed sign-in of the account (and the address), and once they are locked out
    the answer is 429 (TooManyAttempts) even for the right password, as at sign-in."""
    throttle.ensure_allowed(request, user.email)
    try:
        return service.change_own_password(session, user=user, current=current, new=new)
    except service.WrongPassword:
        throttle.record_failure(request, user.email)
        # In a transaction of its own: the request's is rolled back with the error.
        with Session(session.get_bind()) as own:
            audit.record(own, actor=service.user_subject(user), action="auth.password_change_failed",
                         entity_type="user", entity_id=user.id, after={"channel": channel})
            own.commit()
        raise
