"""Who is using the web pages: the session cookie, and CSRF protection for every change.

A signed-in browser carries one HttpOnly cookie whose value is a random key; the server-side
record (api/auth/sessions.py) holds the account and a CSRF token. Every state-changing request
must present that token, in the form field `csrf_token` or (htmx) the `X-CSRF-Token` header.
Before sign-in, the sign-in form is protected the same way by a short-lived nonce cookie, so a
third-party site cannot sign a browser in to an account of its choosing.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from api import authz
from api.auth import service as auth_service
from api.auth import sessions
from api.authz import Subject
from api.core.config import Settings
from api.core.errors import ProblemError
from api.core.security import constant_time_equals
from api.deps import SessionDep, SettingsDep, require

SESSION_COOKIE = "ata_session"
SIGN_IN_COOKIE = "ata_sign_in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Viewer:
    """What the page layout shows of the signed-in person."""

    email: str
    is_admin: bool
    csrf_token: str


class SignInRequired(ProblemError):
    """Rendered by web/errors.py as a redirect to the sign-in page."""

    status, slug = 401, "sign-in-required"


class CsrfRejected(ProblemError):
    status, slug = 403, "csrf-rejected"


def cookie_is_secure(request: Request, settings: Settings) -> bool:
    # Relaxed only outside production and only on plain http (a laptop running the demo).
    return settings.env == "production" or request.url.scheme == "https"


def set_cookie(response: Response, request: Request, settings: Settings, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=cookie_is_secure(request, settings))


def set_session_cookie(response: Response, request: Request, settings: Settings, key: str) -> None:
    # No max-age: the cookie ends with the browser; the server ends the session sooner if idle.
    response.set_cookie(SESSION_COOKIE, key, path="/", httponly=True, samesite="lax",
                        secure=cookie_is_secure(request, settings))


def web_subject(request: Request, settings: SettingsDep, session: SessionDep) -> Subject:
    """The signed-in person; partner clients have no web sign-in, and nobody else gets in."""
    resolved = sessions.resolve(session, settings, request.cookies.get(SESSION_COOKIE))
    if resolved is None:
        raise SignInRequired("Sign in to continue.")
    record, user = resolved
    request.state.web_session = record
    # Plain values for the templates: error pages render after the database session has closed.
    request.state.viewer = Viewer(email=user.email, is_admin=user.is_admin, csrf_token=record.csrf_token)
    return auth_service.user_subject(user)


def page_requires(rule):
    """`api.deps.require` for the web door: the same rule, asked of the cookie's person."""
    return require(rule, source=web_subject)


SignedIn = Annotated[Subject, Depends(page_requires(authz.is_person))]
RegistryViewer = Annotated[Subject, Depends(page_requires(authz.may_read_registry))]
GroupBusinessViewer = Annotated[Subject, Depends(page_requires(authz.may_read_group_business))]


async def _presented_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def csrf_protected(rule):
    """`page_requires(rule)`, and for changes the session's CSRF token must come back too."""
    allowed = page_requires(rule)

    async def _protect(request: Request, subject: Annotated[Subject, Depends(allowed)]) -> Subject:
        if request.method not in _SAFE_METHODS and not sessions.csrf_matches(
            request.state.web_session, await _presented_csrf(request)
        ):
            raise CsrfRejected("The form has expired or did not come from this site. Reload the page and try again.")
        return subject

    return _protect


# A form changing a group's business (agenda, attendance, minutes, decisions, actions): the door
# checks only that the person may read it; the meetings service decides who may change it (the
# group's officers, an action's owner, an admin), with the group in hand.
ReaderChangingGroupBusiness = Annotated[Subject, Depends(csrf_protected(authz.may_read_group_business))]


def sign_in_nonce(request: Request) -> str:
    existing = request.cookies.get(SIGN_IN_COOKIE, "")
    return existing if 20 <= len(existing) <= 64 else secrets.token_urlsafe(24)


def sign_in_token(settings: Settings, nonce: str) -> str:
    """The form's token for the pre-sign-in nonce: bound to our secret, so a cookie planted by
    someone else cannot be paired with a token they made."""
    return hmac.new(settings.secret_key.encode(), f"sign-in:{nonce}".encode(), hashlib.sha256).hexdigest()


async def check_sign_in_csrf(request: Request, settings: Settings) -> None:
    nonce = request.cookies.get(SIGN_IN_COOKIE, "")
    presented = await _presented_csrf(request) or ""
    if not nonce or not constant_time_equals(sign_in_token(settings, nonce), presented):
        raise CsrfRejected("The sign-in form has expired. Reload the page and try again.")

# Signing out and changing one's own password (allowed even while a one-time password is held).
OwnSignIn = Annotated[Subject, Depends(csrf_protected(authz.may_manage_own_sign_in))]
