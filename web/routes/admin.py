"""Administration pages: accounts (more areas join as they are built)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api import authz
from api.auth import service as auth_service
from api.auth.models import UserAccount
from api.auth.schemas import Password
from api.authz import Subject
from api.core.db import get_or_404, savepoint
from api.core.errors import Conflict, InvalidInput
from api.core.pagination import PageParams
from api.core.schemas import SINGLE_LINE, Id, Text
from api.deps import SessionDep, SettingsDep
from api.mail import invitations as mail_invitations
from api.registry import service as registry
from api.registry.models import Stakeholder
from web.auth import csrf_protected, page_requires
from web.confirming import confirm_page
from web.forms import form_id
from web.templating import render

router = APIRouter(prefix="/admin")

AccountAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_accounts))]
AccountChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_accounts))]
UserId = Id
PAGE_SIZE = 50

_password = TypeAdapter(Password)

# Messages shown after a change (the redirect names one, never free text from the URL).
NOTICES = {
    "created": "Account created. Give the person their one-time password; they will choose their own at sign-in.",
    "invited": "Account created. The person has been emailed a link to choose their password (valid for 7 days).",
    "linked": "Account linked to the person in the directory.",
    "reinvited": "Invitation sent again. The link in it works for 7 days.",
    "disabled": "Account disabled. Its sessions and tokens have ended.",
    "enabled": "Account enabled.",
    "password": "One-time password set. The person's sessions and tokens have ended.",
}


@router.get("")
def admin_index(request: Request, _: AccountAdmin):
    return render(request, "pages/admin/index.html", {"title": "Admin", "nav": "admin"})


def _users_page(request: Request, session, *, cursor: str | None, errors: dict[str, str] | None = None,
                form: dict | None = None, notice: str | None = None, status: int = 200):
    users, next_cursor = auth_service.list_users(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor))
    names = registry.names_of(session, [u.stakeholder_id for u in users])
    unlinked = auth_service.people_without_account(session)
    return render(request, "pages/admin/users.html", {
        "title": "Error: Accounts" if errors else "Accounts", "nav": "admin", "users": users, "names": names,
        "next_cursor": next_cursor, "errors": errors or {}, "form": form or {}, "notice": NOTICES.get(notice or ""),
        # An account is made for someone in the directory with an email address (the account's),
        # and an account with no person is linked to anyone without an account yet.
        "person_options": [(i, f"{name} ({email})") for i, name, email in unlinked if email],
        "no_email": [name for _, name, email in unlinked if not email],
        "link_options": [(i, f"{name} ({email})" if email else name) for i, name, email in unlinked],
    }, status=status)


@router.get("/users")
def users_page(request: Request, session: SessionDep, _: AccountAdmin,
               cursor: Annotated[str | None, Query(max_length=512)] = None,
               done: Annotated[str | None, Query(max_length=20)] = None,
               person: Annotated[str, Query(max_length=12)] = ""):
    """`person` (from a profile's "Give ... an account") is chosen in the form to begin with."""
    return _users_page(request, session, cursor=cursor, notice=done,
                       form={"stakeholder_id": str(form_id(person) or "")})


@router.post("/users")
def create_account(request: Request, session: SessionDep, settings: SettingsDep, actor: AccountChange,
                   stakeholder_id: Annotated[str, Form(max_length=12)] = "",
                   password: Annotated[str, Form(max_length=200)] = "",
                   is_admin: Annotated[bool, Form()] = False,
                   send_invitation: Annotated[bool, Form()] = False):
    form = {"stakeholder_id": stakeholder_id, "is_admin": is_admin, "send_invitation": send_invitation}
    errors = {}
    person_id = form_id(stakeholder_id)
    person = session.get(Stakeholder, person_id) if person_id is not None else None
    if person is None:
        errors["stakeholder_id"] = "Choose the person to give an account"
    elif not person.email:
        errors["stakeholder_id"] = (f"{person.name} has no email address in the directory: "
                                    "add one to their details first")
    elif auth_service.account_of_person(session, person.id) is not None:
        errors["stakeholder_id"] = f"{person.name} already has an account"
    if password or not send_invitation:  # with an invitation the password may be left out
        try:
            _password.validate_python(password)
        except ValidationError:
            errors["password"] = ("Enter a one-time password of at least 10 characters, or leave it out and "
                                  "email an invitation" if password or send_invitation else
                                  "Enter a one-time password of at least 10 characters")
    if not errors:
        try:
            with savepoint(session):
                user = auth_service.create_user(session, actor=actor, data={
                    "email": person.email, "password": password or None, "is_admin": is_admin,
                    "stakeholder_id": person.id})
        except (Conflict, InvalidInput):
            # The person has no account (checked above), so the address is another account's.
            errors["stakeholder_id"] = (f"There is already an account for {person.email}: if it is theirs, "
                                        "link it to them in the list of accounts")
        else:
            if send_invitation:
                mail_invitations.send(session, settings, actor=actor, user=user)
            done = "invited" if send_invitation else "created"
            return RedirectResponse(f"/admin/users?done={done}", status_code=303)
    return _users_page(request, session, cursor=None, errors=errors, form=form, status=422)


@router.post("/users/{user_id}/person")
def link_person(request: Request, user_id: UserId, session: SessionDep, actor: AccountChange,
                stakeholder_id: Annotated[str, Form(max_length=12)] = ""):
    """An account made with no person (by the API, or before the directory had them) is linked
    to someone in the directory, audited as any change to an account."""
    user = get_or_404(session, UserAccount, user_id, "account")
    key = f"link-{user.id}"
    person_id = form_id(stakeholder_id)
    if person_id is None or session.get(Stakeholder, person_id) is None:
        return _users_page(request, session, cursor=None, status=422,
                           errors={key: f"Choose the person in the directory whose account {user.email} is"})
    try:
        with savepoint(session):
            auth_service.update_user(session, actor=actor, user=user, changes={"stakeholder_id": person_id})
    except (Conflict, InvalidInput):
        return _users_page(request, session, cursor=None, status=422,
                           errors={key: "That person already has an account: choose someone else"})
    return RedirectResponse("/admin/users?done=linked", status_code=303)


def _change(session, actor, user_id: int, changes: dict):
    user = get_or_404(session, UserAccount, user_id, "account")
    auth_service.update_user(session, actor=actor, user=user, changes=changes)


@router.get("/users/{user_id}/disable")
def confirm_disable(request: Request, user_id: UserId, session: SessionDep, _: AccountAdmin):
    user = get_or_404(session, UserAccount, user_id, "account")
    return confirm_page(
        request, title=f"Disable {user.email}", question=f"Disable the account {user.email}?",
        details=["They will be signed out everywhere at once, and their API tokens stop working.",
                 "Nothing they wrote is removed. You can enable the account again later."],
        action=f"/admin/users/{user.id}/disable", button="Disable the account", cancel="/admin/users",
        caption="Accounts", crumbs=[("/admin", "Admin"), ("/admin/users", "Accounts")],
        back="Back to accounts", nav="admin",
        blocked=None if user.is_active else "This account is already disabled.")


@router.post("/users/{user_id}/disable")
def disable_account(user_id: UserId, session: SessionDep, actor: AccountChange):
    _change(session, actor, user_id, {"is_active": False})
    return RedirectResponse("/admin/users?done=disabled", status_code=303)


@router.post("/users/{user_id}/enable")
def enable_account(user_id: UserId, session: SessionDep, actor: AccountChange):
    _change(session, actor, user_id, {"is_active": True})
    return RedirectResponse("/admin/users?done=enabled", status_code=303)


@router.post("/users/{user_id}/password")
def set_one_time_password(request: Request, user_id: UserId, session: SessionDep, actor: AccountChange,
                          password: Annotated[str, Form(max_length=200)] = ""):
    try:
        _password.validate_python(password)
    except ValidationError:
        return _users_page(request, session, cursor=None, status=422,
                           errors={f"password-{user_id}": "Enter a one-time password of at least 10 characters"})
    _change(session, actor, user_id, {"password": password})
    return RedirectResponse("/admin/users?done=password", status_code=303)


@router.post("/users/{user_id}/invitation")
def resend_invitation(request: Request, user_id: UserId, session: SessionDep, settings: SettingsDep,
                      actor: AccountChange):
    user = get_or_404(session, UserAccount, user_id, "account")
    try:
        mail_invitations.resend(session, settings, actor=actor, user=user)
    except Conflict as exc:
        return _users_page(request, session, cursor=None, status=409, errors={f"invite-{user_id}": exc.detail})
    return RedirectResponse("/admin/users?done=reinvited", status_code=303)


# Partner clients ------------------------------------------------------------------------------

def _clients_page(request: Request, session, *, cursor: str | None = None, errors: dict[str, str] | None = None,
                  form: dict | None = None, created: tuple | None = None, notice: str | None = None,
                  status: int = 200):
    clients, next_cursor = auth_service.list_clients(session, page=PageParams(limit=PAGE_SIZE, cursor=cursor))
    response = render(request, "pages/admin/clients.html", {
        "title": "Partner clients", "nav": "admin", "clients": clients, "next_cursor": next_cursor,
        "scope_options": [(scope, scope) for scope in authz.PARTNER_SCOPES], "errors": errors or {},
        "form": form or {}, "created": created, "notice": notice,
    }, status=status)
    return response


@router.get("/clients")
def clients_page(request: Request, session: SessionDep, _: AccountAdmin,
                 cursor: Annotated[str | None, Query(max_length=512)] = None,
                 done: Annotated[str | None, Query(max_length=20)] = None):
    notice = "Client revoked. Its tokens have stopped working." if done == "revoked" else None
    return _clients_page(request, session, cursor=cursor, notice=notice)


@router.post("/clients")
def create_client(request: Request, session: SessionDep, actor: AccountChange,
                  name: Annotated[str, Form(max_length=200), SINGLE_LINE] = "",
                  scopes: Annotated[list[Text], Form(max_length=3)] = ()):
    form = {"name": name.strip(), "scopes": list(scopes)}
    errors = {}
    if not form["name"]:
        errors["name"] = "Enter the partner system's name"
    try:
        if not errors:
            client, secret = auth_service.create_client(session, actor=actor, name=form["name"],
                                                        scopes=" ".join(form["scopes"]))
            # Shown once, on this page only; never in a URL, never cached.
            return _clients_page(request, session, created=(client.client_id, secret), status=201)
    except (Conflict, InvalidInput) as exc:
        errors["name"] = exc.detail
    return _clients_page(request, session, errors=errors, form=form, status=422)


ClientId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]


@router.get("/clients/{client_id}/revoke")
def confirm_revoke(request: Request, client_id: ClientId, session: SessionDep, _: AccountAdmin):
    client = auth_service.get_client(session, client_id)
    return confirm_page(
        request, title=f"Revoke {client.name}", question=f"Revoke the partner client {client.name}?",
        details=["Its tokens stop working at once and it cannot get new ones.",
                 "This cannot be undone: to let the partner in again, create a new client and give them its secret."],
        action=f"/admin/clients/{client.client_id}/revoke", button="Revoke the client", cancel="/admin/clients",
        caption="Partner clients", crumbs=[("/admin", "Admin"), ("/admin/clients", "Partner clients")],
        back="Back to partner clients", nav="admin",
        blocked=None if client.is_active else "This client is already revoked.")


@router.post("/clients/{client_id}/revoke")
def revoke_client(client_id: ClientId, session: SessionDep,
                  actor: AccountChange):
    client = auth_service.get_client(session, client_id)
    if client.is_active:
        auth_service.revoke_client(session, actor=actor, client=client)
    return RedirectResponse("/admin/clients?done=revoked", status_code=303)
