"""Token endpoint (OAuth2), the signed-in person, and account administration."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import JSONResponse

from api.audit import service as audit
from api.auth import service, signin, throttle
from api.auth.models import UserAccount
from api.auth.schemas import (
    ClientCreate,
    ClientCreated,
    ClientRead,
    MeRead,
    MyMembership,
    PasswordChange,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from api.authz import SYSTEM_SUBJECT
from api.core import tokens
from api.core.db import get_or_404
from api.core.errors import problem_response
from api.core.http import check_if_match, conditional_get, etag_of
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import SINGLE_LINE, Id
from api.deps import AccountManager, PasswordChanger, Person, SessionDep, SettingsDep
from api.registry import service as registry
from api.registry.current import is_current
from api.registry.models import Stakeholder
from api.registry.schemas import StakeholderRead

router = APIRouter()

Field200 = Annotated[str | None, Form(max_length=200), SINGLE_LINE]


def _oauth_error(status: int, error: str, detail: str) -> JSONResponse:
    # problem+json for our clients, with RFC 6749's `error` member for OAuth2 libraries.
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="ata"'
    return problem_response(status, detail, slug=error.replace("_", "-"), headers=headers, extra={"error": error})


@router.post("/auth/token", response_model=TokenResponse, tags=["auth"],
             responses={400: {"description": "invalid_grant / invalid_scope / unsupported_grant_type"},
                        401: {"description": "invalid_client"},
                        429: {"description": "too many failed attempts (Retry-After)"}})
def token(request: Request, response: Response, session: SessionDep, settings: SettingsDep,
          grant_type: Annotated[str, Form(max_length=40), SINGLE_LINE],
          username: Field200 = None, password: Field200 = None,
          client_id: Annotated[str | None, Form(max_length=64), SINGLE_LINE] = None,
          client_secret: Field200 = None, scope: Field200 = None):
    """OAuth2 token endpoint: `password` grant for people, `client_credentials` for partners."""
    response.headers["Cache-Control"] = "no-store"
    if grant_type == "password":
        if not username or not password:
            return _oauth_error(400, "invalid_request", "username and password are required.")
        user = signin.sign_in(request, session, email=username, password=password, channel="api")
        if user is None:
            return _oauth_error(400, "invalid_grant", "The email or password is not right.")
        issued = service.user_token(settings, user)
        return TokenResponse(access_token=issued.token, expires_in=issued.expires_in, scope=service.USER_SCOPE)
    if grant_type == "client_credentials":
        if not client_id or not client_secret:
            return _oauth_error(401, "invalid_client", "client_id and client_secret are required.")
        throttle.ensure_allowed(request, f"client:{client_id}")
        client = service.authenticate_client(session, client_id=client_id, secret=client_secret)
        if client is None:
            throttle.record_failure(request, f"client:{client_id}")
            audit.record(session, actor=SYSTEM_SUBJECT, action="auth.client_failed", entity_type="client",
                         entity_id=client_id[:64])
            return _oauth_error(401, "invalid_client", "The client credentials are not right.")
        allowed = set(client.scopes.split())
        requested = set(scope.split()) if scope else allowed
        if not requested <= allowed:
            return _oauth_error(400, "invalid_scope",
                                f"This client may ask only for: {' '.join(sorted(allowed)) or '(no scopes)'}.")
        granted = " ".join(sorted(requested))
        issued = tokens.issue(settings, subject=f"client:{client.client_id}", scope=granted,
                              claims={"gen": client.token_generation})
        audit.record(session, actor=service.client_subject(client, requested), action="auth.client_token",
                     entity_type="client", entity_id=client.client_id, after={"scope": granted, "jti": issued.jti})
        return TokenResponse(access_token=issued.token, expires_in=issued.expires_in, scope=granted)
    return _oauth_error(400, "unsupported_grant_type", "grant_type must be password or client_credentials.")


@router.get("/me", response_model=MeRead, tags=["auth"])
def me(session: SessionDep, subject: Person):
    """The signed-in person: account, stakeholder record, roles and group memberships."""
    user = session.get(UserAccount, int(subject.id))
    person = session.get(Stakeholder, user.stakeholder_id) if user.stakeholder_id else None
    seats = registry.memberships_of(session, user.stakeholder_id) if person else []
    roles = sorted({"admin"} if user.is_admin else set()) + sorted({m.role for m, _ in seats if is_current(m)})
    return MeRead(
        account=UserRead.model_validate(user),
        stakeholder=StakeholderRead.model_validate(person) if person else None,
        roles=roles,
        memberships=[MyMembership(group_id=g.id, group_name=g.name, group_slug=g.slug, role=m.role,
                                  start_date=m.start_date, end_date=m.end_date,
                                  is_current=is_current(m)) for m, g in seats],
    )


@router.post("/me/password", response_model=TokenResponse, tags=["auth"],
             responses={422: {"description": "current password wrong, or new password too short or unchanged"},
                        429: {"description": "too many failed attempts (Retry-After), counted with sign-in's"}})
def change_my_password(body: PasswordChange, request: Request, response: Response, session: SessionDep,
                       settings: SettingsDep, subject: PasswordChanger):
    """Choose a new password (required after an admin sets a one-time password). Every other
    token and web session of the person ends; the answer carries a fresh token. A wrong current
    password counts as a failed sign-in: after too many, 429 until the lockout ends."""
    user = session.get(UserAccount, int(subject.id))
    signin.change_password(request, session, user=user, current=body.current_password, new=body.new_password,
                           channel="api")
    response.headers["Cache-Control"] = "no-store"
    issued = service.user_token(settings, user)
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in, scope=service.USER_SCOPE)


# Account administration --------------------------------------------------------------------

@router.get("/users", response_model=Page[UserRead], tags=["auth"])
def list_users(request: Request, response: Response, session: SessionDep, _: AccountManager, page: PageDep,
               is_active: bool | None = None):
    rows, cursor = service.list_users(session, page=page, is_active=is_active)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


def _invitations(request: Request):
    """api/mail/invitations.py, wired in by api/main.py: mail sits above auth (no import cycle)."""
    return request.app.state.invitations


@router.post("/users", response_model=UserRead, status_code=201, tags=["auth"])
def create_user(body: UserCreate, request: Request, response: Response, session: SessionDep,
                settings: SettingsDep, actor: AccountManager):
    """A new account. Without `password` the person is emailed a one-time link, valid for 7 days,
    to choose their own (`send_invitation`, the default then); with one, it is a one-time password
    they must replace at first sign-in (and `send_invitation: true` also emails them the link)."""
    user = service.create_user(session, actor=actor, data=body.model_dump(exclude={"send_invitation"}))
    if body.send_invitation:
        _invitations(request).send(session, settings, actor=actor, user=user)
    response.headers["Location"] = str(request.url_for("get_user", user_id=user.id))
    response.headers["ETag"] = etag_of(user)
    return user


@router.get("/users/{user_id}", response_model=UserRead, tags=["auth"])
def get_user(user_id: Id, request: Request, response: Response, session: SessionDep, _: AccountManager):
    user = get_or_404(session, UserAccount, user_id, "account")
    conditional_get(request, response, user)
    return user


@router.patch("/users/{user_id}", response_model=UserRead, tags=["auth"],
              responses={412: {"description": "If-Match does not match the current ETag"}})
def update_user(user_id: Id, body: UserUpdate, request: Request, response: Response, session: SessionDep,
                actor: AccountManager):
    """Disable (`is_active: false`, ends live tokens at once), re-enable, or set a one-time password."""
    user = get_or_404(session, UserAccount, user_id, "account")
    check_if_match(request, user)
    user = service.update_user(session, actor=actor, user=user, changes=body.changes())
    response.headers["ETag"] = etag_of(user)
    return user


@router.post("/users/{user_id}/invitation", response_model=UserRead, status_code=202, tags=["auth"],
             responses={409: {"description": "the account is disabled, or its holder has signed in already"}})
def resend_invitation(user_id: Id, request: Request, session: SessionDep, settings: SettingsDep,
                      actor: AccountManager):
    """Email the person a new one-time link to choose their password, for an account never signed in to."""
    user = get_or_404(session, UserAccount, user_id, "account")
    _invitations(request).resend(session, settings, actor=actor, user=user)
    return user


# Partner clients ----------------------------------------------------------------------------

ClientId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]


@router.get("/clients", response_model=Page[ClientRead], tags=["auth"])
def list_clients(request: Request, response: Response, session: SessionDep, _: AccountManager, page: PageDep,
                 is_active: bool | None = None):
    rows, cursor = service.list_clients(session, page=page, is_active=is_active)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


@router.post("/clients", response_model=ClientCreated, status_code=201, tags=["auth"])
def create_client(body: ClientCreate, request: Request, response: Response, session: SessionDep,
                  actor: AccountManager):
    """A partner client; `client_secret` is in this answer only (it is stored hashed)."""
    client, secret = service.create_client(session, actor=actor, name=body.name, scopes=" ".join(body.scopes),
                                           client_id=body.client_id)
    response.headers["Location"] = str(request.url_for("get_client", client_id=client.client_id))
    response.headers["Cache-Control"] = "no-store"
    return ClientCreated(**ClientRead.model_validate(client).model_dump(), client_secret=secret)


@router.get("/clients/{client_id}", response_model=ClientRead, tags=["auth"])
def get_client(client_id: ClientId, session: SessionDep, _: AccountManager):
    return service.get_client(session, client_id)


@router.post("/clients/{client_id}/revoke", response_model=ClientRead, tags=["auth"])
def revoke_client(client_id: ClientId, session: SessionDep, actor: AccountManager):
    """Revoke a client: its live tokens stop working at once and it can get no more."""
    client = service.get_client(session, client_id)
    if not client.is_active:
        return client
    return service.revoke_client(session, actor=actor, client=client)
