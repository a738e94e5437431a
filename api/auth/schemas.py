from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints, field_validator, model_validator

from api.auth.models import UserAccount
from api.authz import Scope
from api.core.schemas import SINGLE_LINE, Email, Id, PatchModel, ReadModel, RequestModel, Text200
from api.registry.schemas import Role, StakeholderRead

Password = Annotated[str, StringConstraints(min_length=10, max_length=200), SINGLE_LINE]


class UserCreate(RequestModel):
    """Without `password`, the person is emailed a one-time link to choose theirs
    (`send_invitation`, true by default then); with one, it is a one-time password."""

    email: Email
    password: Password | None = None
    stakeholder_id: Id | None = None
    is_admin: bool = False
    is_active: bool = True
    send_invitation: bool | None = None

    @model_validator(mode="after")
    def _password_or_invitation(self):
        if self.send_invitation is None:
            self.send_invitation = self.password is None
        if self.password is None and not self.send_invitation:
            raise ValueError("give a one-time password, or send an invitation")
        return self


class UserUpdate(PatchModel):
    """`password` here is a one-time password: the person must choose a new one."""

    table: ClassVar = UserAccount
    not_nullable: ClassVar = frozenset({"password"})
    email: Email | None = None
    stakeholder_id: Id | None = None
    is_admin: bool | None = None
    is_active: bool | None = None
    password: Password | None = None


class UserRead(ReadModel):
    id: int
    email: str
    stakeholder_id: int | None
    is_admin: bool
    is_active: bool
    must_change_password: bool
    last_sign_in_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TokenResponse(ReadModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    scope: str


class MyMembership(ReadModel):
    group_id: int
    group_name: str
    group_slug: str
    role: Role
    start_date: date
    end_date: date | None
    is_current: bool


class PasswordChange(RequestModel):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=200), SINGLE_LINE]
    new_password: Password


class MeRead(ReadModel):
    account: UserRead
    stakeholder: StakeholderRead | None
    roles: list[str]
    memberships: list[MyMembership]


class ClientCreate(RequestModel):
    name: Text200
    scopes: Annotated[list[Scope], Field(max_length=3)]
    client_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")] | None = None


class ClientRead(ReadModel):
    client_id: str
    name: str
    scopes: list[str]
    is_active: bool
    revoked_at: datetime | None
    created_at: datetime

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, value):
        return value.split() if isinstance(value, str) else value


class ClientCreated(ClientRead):
    client_secret: str = Field(description="Shown once, now; stored only as a hash.")
