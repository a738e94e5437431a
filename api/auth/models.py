"""Sign-in accounts for people and credentials for partner systems."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from api.core.types import UTCDateTime, created_column, updated_column, version_column

_user_version = version_column()


class UserAccount(SQLModel, table=True):
    """A person's sign-in, linked to their stakeholder record."""

    __tablename__ = "user_account"
    __mapper_args__ = {"version_id_col": _user_version}

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    stakeholder_id: int | None = Field(default=None, foreign_key="stakeholder.id", unique=True)
    password_hash: str = Field(max_length=255)
    is_admin: bool = Field(default=False)
    is_active: bool = Field(default=True)
    # Set when an admin gives a one-time password: the person must choose a new one.
    must_change_password: bool = Field(default=False)
    # Every token carries the generation it was issued under; bumping it (disable, password
    # change) invalidates every live token and session at once.
    token_generation: int = Field(default=1)
    # Calendar feed links carry an HMAC of (account, this number); resetting bumps it.
    feed_generation: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    last_sign_in_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    version: int = Field(default=1, sa_column=_user_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


_client_version = version_column()


class PartnerClient(SQLModel, table=True):
    """A partner system using the OAuth2 client-credentials grant."""

    __tablename__ = "partner_client"
    __mapper_args__ = {"version_id_col": _client_version}

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    secret_hash: str = Field(max_length=255)
    # Space-separated OAuth2 scopes this client may be granted.
    scopes: str = Field(default="", max_length=500)
    is_active: bool = Field(default=True)
    token_generation: int = Field(default=1)
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    version: int = Field(default=1, sa_column=_client_version)
    created_at: datetime | None = Field(default=None, sa_column=created_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_column())


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random key; only its hash is stored."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_generation: int
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
