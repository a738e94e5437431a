"""Dependency aliases shared by the API routers and the web routes.

Every router imports this module, so it imports nothing above api/core and api/authz: what it
needs from the domain (who a token names, how a refusal is recorded) is wired onto the
application by create_app (api/main.py) as `app.state.identify` and `app.state.refuse`.
Importing the auth or access packages here would close an import cycle through each router."""

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from api import authz
from api.authz import Subject
from api.core import tokens
from api.core.config import Settings
from api.core.db import Read, session_scope
from api.core.errors import Forbidden, InvalidInput, Unauthorized
from api.core.rawreads import Reader, fetch_first


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.engine)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the commit happens before the response is sent, so a failed commit is
# answered as an error instead of after a 2xx has already gone out.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ata"'}


async def bearer_claims(request: Request) -> dict[str, Any]:
    """`verified_claims` as a dependency: a coroutine, so that a read served on the event loop
    (api/indicators/router.py) takes no thread-pool hop."""
    return verified_claims(request)


def verified_claims(request: Request) -> dict[str, Any]:
    """The bearer token's verified claims, without asking the database whether its account or
    client still stands (the caller must: `current_subject` or `admit`); without a token, 401."""
    header = request.headers.get("authorization")
    if not header:
        raise sign_in_required()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use a bearer token: Authorization: Bearer <token>.", headers=_CHALLENGE)
    try:
        return tokens.verify(request.app.state.settings, token.strip())
    except tokens.InvalidToken:
        raise Unauthorized("The access token is invalid or has expired.", headers=_CHALLENGE) from None


BearerClaims = Annotated[dict[str, Any], Depends(bearer_claims)]


def current_subject(request: Request, claims: BearerClaims, session: SessionDep) -> Subject:
    """Who is asking: the bearer token's person or client; without a token, 401."""
    return _standing(request.app.state.identify(request, session, claims))


def _standing(subject: Subject | None) -> Subject:
    if subject is None:
        raise Unauthorized("The access token is no longer valid.", headers=_CHALLENGE)
    return subject


# The principal's SELECT with a read's columns, by (kind of principal, shape of read): a few dozen.
_ADMITTING: dict[tuple[str, Hashable], Any] = {}


async def admit(request: Request, reader: Reader, claims: dict[str, Any], rule: Callable[[Subject], bool],
                read: Read | None = None) -> Sequence[Any]:
    """`current_subject` and `require(rule)` in the same round trip as `read` (a read's
    validator, say): its columns' values, after the principal's. 401, 403 or 429 as the
    dependencies would answer."""
    found = request.app.state.principal(claims)
    if found is None:
        raise Unauthorized("The access token is no longer valid.", headers=_CHALLENGE)
    key = (found.kind, read.shape if read else None)
    statement = _ADMITTING.get(key)
    if statement is None:
        statement = _ADMITTING[key] = found.statement.add_columns(*(read.columns() if read else ()))
    row = await fetch_first(reader, statement, {**found.params, **(read.params if read else {})})
    check_rule(request, _standing(found.admit(request, row)), rule)
    return row[found.width:]


def sign_in_required() -> Unauthorized:
    """The answer to a request that brings no credential; api/core/bodylimit.py gives it too,
    to a change, before reading the body."""
    return Unauthorized("Sign-in is required.", headers=_CHALLENGE)


CurrentSubject = Annotated[Subject, Depends(current_subject)]


class PasswordChangeRequired(Forbidden):
    slug = "password-change-required"


def require(rule: Callable[[Subject], bool], *, source: Callable[..., Subject] = current_subject
            ) -> Callable[[Subject], Subject]:
    """A dependency that lets the request through only when `rule(subject)` holds (403 if not).

    `source` says who is asking: the bearer token (the API) or the session cookie (the web
    pages, web/auth.py); the rules are the same for both doors.

    Rules about one hidden record (a confidential item, another group's drafts) answer 404 from
    the service instead, so that their existence does not leak.
    """

    def _check(request: Request, subject: Annotated[Subject, Depends(source)]) -> Subject:
        check_rule(request, subject, rule)
        return subject

    _check.__name__ = f"require_{rule.__name__}"
    _check.rule = rule  # read by the authorisation matrix test: every route names its rule
    return _check


def check_rule(request: Request, subject: Subject, rule: Callable[[Subject], bool]) -> None:
    if not authz.may_act(subject, rule):
        raise PasswordChangeRequired("Choose a new password first: an administrator set a one-time password.")
    if not rule(subject):
        raise request.app.state.refuse(request.app.state.engine, subject=subject, rule=rule.__name__,
                                       target=f"{request.method} {request.url.path}",
                                       message="You do not have permission to do this.")


def claims_for(rule: Callable[[Subject], bool]) -> Callable[..., Any]:
    """`bearer_claims` for a route that checks `rule` itself, with `admit`, in its own round
    trip to the database; named like `require` so that the authorisation matrix reads it."""

    async def _claims(request: Request) -> dict[str, Any]:
        return verified_claims(request)

    _claims.__name__ = f"claims_for_{rule.__name__}"
    _claims.rule = rule
    _claims.bearer_only = True  # read by api/openapi.py: no other credential is taken
    return _claims


RegistryReader = Annotated[Subject, Depends(require(authz.may_read_registry))]
BodiesReader = Annotated[Subject, Depends(require(authz.may_read_bodies))]
RegistryManager = Annotated[Subject, Depends(require(authz.may_manage_registry))]
AuditReader = Annotated[Subject, Depends(require(authz.may_read_audit_log))]
AccountManager = Annotated[Subject, Depends(require(authz.may_manage_accounts))]
Person = Annotated[Subject, Depends(require(authz.is_person))]
_group_business_reader = require(authz.may_read_group_business)
# Reading meetings, minutes, decisions and actions; hidden records answer 404 from the service.
GroupBusinessReader = Annotated[Subject, Depends(_group_business_reader)]
# Changing them: the door checks only that the caller may read the group's business. Who may
# change it (the group's officers, an action's owner, an admin) depends on the group, so the
# meetings service decides, and refuses (403, audited) with the group in hand.
ReaderChangingGroupBusiness = Annotated[Subject, Depends(_group_business_reader)]
PasswordChanger = Annotated[Subject, Depends(require(authz.may_manage_own_sign_in))]


async def refuse_nul_in_query(request: Request) -> None:
    """A NUL anywhere in the query string is refused (422), even in a parameter no route
    declares: behind the typed parameters (api/core/schemas.py), so that no query text that
    PostgreSQL cannot hold reaches a service that reads the query string itself."""
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise InvalidInput("The query string must not contain NUL characters.",
                               errors=[{"loc": ["query", name.replace("\x00", "")],
                                        "msg": "must not contain NUL characters", "type": "value_error"}])
