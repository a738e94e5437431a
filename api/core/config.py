"""Settings, read from ATA_* environment variables (and an optional .env file)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "demo", "test", "production"]

# Refused outside development so that a forgotten setting cannot sign real tokens.
_PLACEHOLDER_SECRET = "insecure-development-secret-change-me"  # noqa: S105


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATA_", env_file=".env", extra="ignore")

    env: Environment = "development"
    database_url: str = "sqlite:///./ata.db"
    secret_key: str = _PLACEHOLDER_SECRET
    # Fictional demo sign-ins only; demo data never loads in production.
    demo_password: str = "demo"  # noqa: S105
    storage_dir: Path = Path("./storage")
    # Uploaded documents larger than this are refused with 413.
    max_upload_mb: int = Field(default=25, ge=1, le=1024)
    # Echo SQL statements to the log; useful when chasing a slow page.
    sql_echo: bool = False
    db_pool_size: int = Field(default=5, ge=1, le=100)
    # Seconds a SQLite writer waits for the lock before giving up.
    sqlite_busy_timeout: float = Field(default=5.0, ge=0, le=120)

    # Tokens (api/core/tokens.py): one algorithm, short lifetimes, a key id for rotation.
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_key_id: str = Field(default="k1", pattern=r"^[A-Za-z0-9._-]{1,32}$")
    # Keys retired by a rotation, still accepted for verification: "kid=secret,kid2=secret2".
    jwt_previous_keys: str = ""
    access_token_minutes: int = Field(default=15, ge=1, le=120)

    # Brute-force protection on sign-in: failed attempts per account and per address.
    redis_url: str | None = None
    login_window_seconds: int = Field(default=900, ge=10, le=86400)
    login_max_failures_per_account: int = Field(default=5, ge=1, le=1000)
    login_max_failures_per_address: int = Field(default=20, ge=1, le=10000)
    # Partner clients' request budget: this many API requests per window, per client.
    client_rate_limit: int = Field(default=1200, ge=1, le=1_000_000)
    client_rate_window_seconds: int = Field(default=60, ge=1, le=86400)
    # Proxies (addresses or CIDR) whose X-Forwarded-For is believed; empty: believe none.
    trusted_proxies: list[str] = Field(default_factory=list)

    # Web sessions: signed out after this long without a request, and after this long at most.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_max_hours: int = Field(default=12, ge=1, le=24 * 30)

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> "Settings":
        if self.env == "production" and self.secret_key == _PLACEHOLDER_SECRET:
            raise ValueError("ATA_SECRET_KEY must be set to a real secret when ATA_ENV=production")
        if self.env == "production" and len(self.secret_key) < 32:
            raise ValueError("ATA_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
