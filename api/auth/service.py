"""Accounts, partner clients, and turning credentials into subjects."""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import Select, bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from api.audit import service as audit
from api.auth import throttle
from api.auth.models import PartnerClient, UserAccount
from api.authz import PARTNER_SCOPES, Subject
from api.core import tokens
from api.core.config import Settings
from api.core.errors import Conflict, InvalidInput, NotFound
from api.core.pagination import PageParams, paginate
from api.core.security import hash_secret, new_secret, verify_secret
from api.core.types import utcnow
from api.registry.models import Stakeholder

USER_SCOPE = "user"


# People ------------------------------------------------------------------------------------

def _check_user_fields(session: Session, values: dict[str, Any], *, exclude_id: int | None = None) -> None:
    if values.get("email") is not None:
        stmt = select(UserAccount.id).where(func.lower(UserAccount.email) == values["email"].lower())
        if exclude_id is not None:
            stmt = stmt.where(UserAccount.id != exclude_id)
        if session.exec(stmt).first() is not None:
            raise Conflict(f"An account for {values['email']} already exists.")
    if values.get("stakeholder_id") is not None:
        if session.get(Stakeholder, values["stakeholder_id"]) is None:
            raise InvalidInput("The request names records that do not exist.",
                               errors=[{"loc": ["body", "stakeholder_id"], "msg": "no stakeholder with this id"}])
        stmt = select(UserAccount.id).where(UserAccount.stakeholder_id == values["stakeholder_id"])
        if exclude_id is not None:
            stmt = stmt.where(UserAccount.id != exclude_id)
        if session.exec(stmt).first() is not None:
            raise Conflict("That stakeholder already has an account.")


def create_user(session: Session, *, actor: Subject, data: dict[str, Any]) -> UserAccount:
    """A new account. When a person (an admin, at either door) creates it, the password is one
    they chose and know: a one-time password the holder must replace at first sign-in, as after
    a reset. The service's own set-up (the command line's first admin, the demo) is exempt."""
    _check_user_fields(session, data)
    values = {k: v for k, v in data.items() if k != "password"}
    values["must_change_password"] = actor.kind == "user"
    # No password: an invitation's account, with one nobody knows until the person chooses theirs.
    user = UserAccount(**values, password_hash=hash_secret(data.get("password") or new_secret(32)))
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.create", entity_type="user", entity_id=user.id,
                 after=audit.snapshot(user))
    return user


def update_user(session: Session, *, actor: Subject, user: UserAccount, changes: dict[str, Any]) -> UserAccount:
    if actor.kind == "user" and actor.id == str(user.id) and changes.get("is_active") is False:
        raise Conflict("You cannot disable your own account; ask another admin.")
    _check_user_fields(session, changes, exclude_id=user.id)
    before = audit.snapshot(user)
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(user, key, value)
    if password is not None:
        user.password_hash = hash_secret(password)
        user.must_change_password = True
    if password is not None or changes.get("is_active") is False:
        # Live tokens and sessions carry the old generation and stop working at once.
        user.token_generation += 1
    after = audit.snapshot(user)
    if after == before:
        return user
    session.flush()
    action = "user.password_reset" if password is not None else "user.update"
    audit.record(session, actor=actor, action=action, entity_type="user", entity_id=user.id,
                 before=before, after=audit.snapshot(user))
    return user


def list_users(session: Session, *, page: PageParams, is_active: bool | None = None):
    stmt = select(UserAccount)
    if is_active is not None:
        stmt = stmt.where(UserAccount.is_active == is_active)
    return paginate(session, stmt, order=[UserAccount.id], page=page)


def user_by_email(session: Session, email: str) -> UserAccount | None:
    """The account with this email address, whatever its case."""
    return session.exec(select(UserAccount).where(func.lower(UserAccount.email) == email.strip().lower())).first()


def account_names(session: Session, account_ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    """(email, the person's name if the account has one) for a page of accounts, in one query."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    rows = session.exec(select(UserAccount.id, UserAccount.email, Stakeholder.name)
                        .join(Stakeholder, Stakeholder.id == UserAccount.stakeholder_id, isouter=True)
                        .where(UserAccount.id.in_(ids))).all()
    return {account_id: (email, name) for account_id, email, name in rows}


def account_of_person(session: Session, stakeholder_id: int) -> UserAccount | None:
    """The account linked to a person in the directory, if they have one."""
    return session.exec(select(UserAccount).where(UserAccount.stakeholder_id == stakeholder_id)).first()


def people_without_account(session: Session) -> list[tuple[int, str, str | None]]:
    """(id, name, email) of everyone in the directory with no account yet, by name, in one
    query: the people an account may be made for, or an unlinked account linked to."""
    has_account = exists().where(UserAccount.stakeholder_id == Stakeholder.id)
    return list(session.exec(select(Stakeholder.id, Stakeholder.name, Stakeholder.email).where(~has_account)
                             .order_by(Stakeholder.name, Stakeholder.id)).all())


def authenticate_user(session: Session, *, email: str, password: str) -> UserAccount | None:
    """The active account with this email and password, or None (same cost either way)."""
    user = user_by_email(session, email)
    ok = verify_secret(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        return None
    # Not a change to the account: written without the version check, so two sign-ins to one
    # account at once (two devices, a retry) both succeed instead of one failing with 412.
    now = utcnow()
    session.execute(sa_update(UserAccount).where(UserAccount.id == user.id).values(last_sign_in_at=now)
                    .execution_options(synchronize_session=False))
    set_committed_value(user, "last_sign_in_at", now)
    return user


def user_token(settings: Settings, user: UserAccount) -> tokens.IssuedToken:
    """An access token for a person; `gen` ties it to the account's current token generation."""
    return tokens.issue(settings, subject=f"user:{user.id}", scope=USER_SCOPE, claims={"gen": user.token_generation})


def user_subject(user: UserAccount) -> Subject:
    return _person(str(user.id), user.email, user.is_admin, user.stakeholder_id, user.must_change_password)


def _person(user_id: str, email: str, is_admin: bool, stakeholder_id: int | None,
            must_change_password: bool) -> Subject:
    return Subject(kind="user", label=email, id=user_id, is_admin=is_admin, scopes=frozenset({USER_SCOPE}),
                   stakeholder_id=stakeholder_id, must_change_password=must_change_password)


class WrongPassword(InvalidInput):
    """The current password given to change it was not right: a guess, which callers count
    (api/auth/signin.py) like a failed sign-in."""


def change_own_password(session: Session, *, user: UserAccount, current: str, new: str) -> UserAccount:
    """The person replaces their password (and any one-time password). Every other token and
    session of theirs ends; the caller hands out a fresh one."""
    if not verify_secret(current, user.password_hash):
        raise WrongPassword("The current password is not right.",
                           errors=[{"loc": ["body", "current_password"], "msg": "the current password is not right"}])
    if current == new:
        raise InvalidInput("Choose a password different from the current one.",
                           errors=[{"loc": ["body", "new_password"], "msg": "must differ from the current password"}])
    user.password_hash = hash_secret(new)
    user.must_change_password = False
    user.token_generation += 1
    session.flush()
    audit.record(session, actor=user_subject(user), action="user.password_change", entity_type="user",
                 entity_id=user.id)
    return user


# Partner clients ---------------------------------------------------------------------------

def parse_scopes(scope: str) -> set[str]:
    scopes = set(scope.split())
    unknown = scopes - set(PARTNER_SCOPES)
    if unknown:
        raise InvalidInput(f"Unknown scope(s): {', '.join(sorted(unknown))}. Known: {', '.join(PARTNER_SCOPES)}.")
    return scopes


def create_client(session: Session, *, actor: Subject, name: str, scopes: str,
                  client_id: str | None = None, secret: str | None = None) -> tuple[PartnerClient, str]:
    """A new partner client and its secret; the secret is stored hashed and shown only now."""
    client_id = client_id or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48] or "client"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,63}", client_id):
        raise InvalidInput("client_id must be 2-64 lower-case letters, digits or hyphens.")
    if session.exec(select(PartnerClient.id).where(PartnerClient.client_id == client_id)).first() is not None:
        raise Conflict(f"A client called {client_id} already exists.")
    granted = " ".join(sorted(parse_scopes(scopes)))
    secret = secret or new_secret()
    client = PartnerClient(client_id=client_id, name=name, scopes=granted, secret_hash=hash_secret(secret))
    session.add(client)
    session.flush()
    audit.record(session, actor=actor, action="client.create", entity_type="client", entity_id=client.client_id,
                 after=audit.snapshot(client))
    return client, secret


def list_clients(session: Session, *, page: PageParams, is_active: bool | None = None):
    stmt = select(PartnerClient)
    if is_active is not None:
        stmt = stmt.where(PartnerClient.is_active == is_active)
    return paginate(session, stmt, order=[PartnerClient.id], page=page)


def get_client(session: Session, client_id: str) -> PartnerClient:
    client = session.exec(select(PartnerClient).where(PartnerClient.client_id == client_id)).first()
    if client is None:
        raise NotFound(f"No partner client called {client_id}.")
    return client


def revoke_client(session: Session, *, actor: Subject, client: PartnerClient) -> PartnerClient:
    before = audit.snapshot(client)
    client.is_active = False
    client.revoked_at = utcnow()
    client.token_generation += 1
    session.flush()
    audit.record(session, actor=actor, action="client.revoke", entity_type="client", entity_id=client.client_id,
                 before=before, after=audit.snapshot(client))
    return client


def authenticate_client(session: Session, *, client_id: str, secret: str) -> PartnerClient | None:
    client = session.exec(select(PartnerClient).where(PartnerClient.client_id == client_id)).first()
    ok = verify_secret(secret, client.secret_hash if client else None)
    if not ok or client is None or not client.is_active:
        return None
    return client


def client_subject(client: PartnerClient, scopes: set[str]) -> Subject:
    return _client(client.client_id, client.name, scopes)


def _client(client_id: str, name: str, scopes: set[str]) -> Subject:
    return Subject(kind="client", label=name, id=client_id, scopes=frozenset(scopes))


# Tokens back to subjects -------------------------------------------------------------------

def identify(request: Request, session: Session, claims: dict[str, Any]) -> Subject | None:
    """`subject_from_claims` for a request: a partner client's request is also counted against its
    budget (429 once spent). The doors reach this through `app.state.identify` (api/main.py), so
    that api/deps.py, which every router imports, imports no domain package."""
    found = principal(claims)
    row = session.connection().execute(found.statement, found.params).first() if found else None
    return found.admit(request, row) if found else None


def subject_from_claims(session: Session, claims: dict[str, Any]) -> Subject | None:
    """The subject a verified token speaks for, or None if its account or client has since
    been disabled, revoked or reset (its generation no longer matches)."""
    found = principal(claims)
    return found.subject(session.connection().execute(found.statement, found.params).first()) if found else None


@dataclass(frozen=True)
class Principal:
    """Whom a verified token names, as one SELECT of the columns that say whether it still
    stands. A read can add its own columns to that SELECT (`statement.add_columns`), so that
    checking the credential costs no round trip of its own while a disable, a revoke or a reset
    still refuses the very next request on every instance: the check reads the database.

    The statement is built once per kind of principal, its key a bound parameter (`params`):
    built per request, a statement costs more than running it."""

    kind: str
    statement: Select
    params: dict[str, Any]
    subject: Callable[[Sequence[Any] | None], Subject | None]

    @property
    def width(self) -> int:
        """How many leading columns of a row are the principal's."""
        return len(self.statement.selected_columns)

    def admit(self, request: Request, row: Sequence[Any] | None) -> Subject | None:
        """The subject from `row` (None: no longer valid); a partner client's request is also
        counted against its budget (429 once spent)."""
        subject = self.subject(row[: self.width] if row is not None else None)
        if subject is not None and subject.kind == "client":
            throttle.take_client_quota(request, subject.id)
        return subject


_KEY = bindparam("principal_key")
_PRINCIPALS = {
    "user": sa_select(UserAccount.is_active, UserAccount.token_generation, UserAccount.email, UserAccount.is_admin,
                      UserAccount.stakeholder_id, UserAccount.must_change_password).where(UserAccount.id == _KEY),
    "client": sa_select(PartnerClient.is_active, PartnerClient.token_generation, PartnerClient.scopes,
                        PartnerClient.name).where(PartnerClient.client_id == _KEY),
}


def principal(claims: dict[str, Any]) -> Principal | None:
    kind, _, key = claims["sub"].partition(":")
    generation = claims.get("gen")
    if kind == "user" and key.isdigit():
        def person(row):
            if row is None or not row[0] or row[1] != generation:
                return None
            return _person(key, *row[2:])

        return Principal("user", _PRINCIPALS["user"], {"principal_key": int(key)}, person)
    if kind == "client":
        def client(row):
            if row is None or not row[0] or row[1] != generation:
                return None
            granted = set(claims.get("scope", "").split()) & set(row[2].split())
            return _client(key, row[3], granted)

        return Principal("client", _PRINCIPALS["client"], {"principal_key": key}, client)
    return None
