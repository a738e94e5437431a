"""Settings, read from ATA_* environment variables (and an optional .env file)."""

import logging
import os
import secrets
import stat
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import make_url

Environment = Literal["development", "demo", "test", "production"]

log = logging.getLogger("ata.config")

SECRET_FILE = ".ata-secret"  # noqa: S105 (a file name)
_MIN_SECRET = 32
SMTP_SCHEMES = ("smtp://", "smtp+starttls://", "smtps://")
_announced: set[Path] = set()
_announce_lock = threading.Lock()


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting is never echoed (ATA_SMTP_URL may carry a password).
    model_config = SettingsConfigDict(env_prefix="ATA_", env_file=".env", extra="ignore", hide_input_in_errors=True)

    env: Environment = "development"
    database_url: str = "sqlite:///./ata.db"
    # Signs tokens, feed links and form tokens. Unset outside production: generated once and kept
    # in SECRET_FILE beside the database (see _kept_secret), never a value anyone else knows.
    secret_key: str = ""
    # Fictional demo sign-ins only; demo data never loads in production.
    demo_password: str = "demo"  # noqa: S105
    storage_dir: Path = Path("./storage")
    # Uploaded documents larger than this are refused with 413. Multipart and CSV bodies may be
    # this large; api/core/bodylimit.py refuses bigger ones before reading them.
    max_upload_mb: int = Field(default=25, ge=1, le=1024)
    # Every other request body (JSON, forms): small, since none of them needs more.
    max_body_kb: int = Field(default=1024, ge=16, le=64 * 1024)
    # Echo SQL statements to the log; useful when chasing a slow page.
    sql_echo: bool = False
    db_pool_size: int = Field(default=5, ge=1, le=100)
    # Seconds a request waits for a free database connection before it is answered 503 with
    # Retry-After (a busy instance says so promptly instead of hanging, then failing, at 30 s).
    db_pool_timeout: float = Field(default=10.0, gt=0, le=120)
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
    # Indicator data responses kept by (query, data version) in each process, in MB; with
    # ATA_REDIS_URL also shared in Redis. 0 turns the cache off (api/core/responsecache.py).
    data_cache_mb: int = Field(default=64, ge=0, le=4096)
    # Anonymous callers of the open-data door (/fingertips/api): requests per minute, per address.
    open_data_rate_limit: int = Field(default=300, ge=1, le=1_000_000)
    # Proxies (addresses or CIDR) whose X-Forwarded-For is believed; empty: believe none.
    trusted_proxies: list[str] = Field(default_factory=list)

    # Web sessions: signed out after this long without a request, and after this long at most.
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_max_hours: int = Field(default=12, ge=1, le=24 * 30)

    # Mail (api/mail): the SMTP server messages go through, smtp://user:pass@host:port,
    # smtp+starttls://... or smtps://...; unset, messages wait in the outbox (never dropped).
    smtp_url: str | None = None
    mail_from: str = "All Together Active <no-reply@localhost>"
    # `ata serve` runs the sender in-process; false leaves it to `ata worker`.
    mail_worker: bool = True
    # The address people reach the service at, for links in messages.
    public_url: str = "http://localhost:8000"
    mail_poll_seconds: float = Field(default=5, gt=0, le=3600)
    mail_max_attempts: int = Field(default=8, ge=1, le=100)

    # Stopping (`ata serve`, api/core/draining.py). On SIGTERM /readyz answers 503 for the drain
    # period while every other request is still served, so that the load balancer stops sending
    # any; then new connections are refused and requests in flight get the grace period to finish.
    shutdown_drain_seconds: float = Field(default=5, ge=0, le=300)
    shutdown_grace_seconds: int = Field(default=10, ge=0, le=3600)

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(SMTP_SCHEMES):
            # Never echo the URL: it may carry the password.
            raise ValueError("ATA_SMTP_URL must start with " + ", ".join(SMTP_SCHEMES))
        return value

    @model_validator(mode="after")
    def _secret(self) -> "Settings":
        if self.env == "production" and not self.secret_key:
            raise ValueError("ATA_SECRET_KEY must be set to a real secret when ATA_ENV=production")
        if self.env == "production" and len(self.secret_key) < _MIN_SECRET:
            raise ValueError(f"ATA_SECRET_KEY must be at least {_MIN_SECRET} characters in production")
        if not self.secret_key:
            self.secret_key = _kept_secret(self.secret_file)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secret_file(self) -> Path:
        """Where a generated secret is kept: beside a SQLite file, else in the storage folder;
        either way with the data it protects, and in the volume a container keeps."""
        database = make_url(self.database_url).database if self.is_sqlite else None
        if database and database != ":memory:" and not database.startswith("file:"):
            return Path(database).resolve().parent / SECRET_FILE
        return Path(self.storage_dir).resolve() / SECRET_FILE


def _kept_secret(path: Path) -> str:
    """The secret in `path`, made first if there is none. O_EXCL decides which of several
    processes starting together writes it; the others read what it wrote."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = _read_secret(path)
    else:
        secret = secrets.token_urlsafe(48)
        with os.fdopen(descriptor, "w") as kept:
            kept.write(secret + "\n")
            kept.flush()
            os.fsync(kept.fileno())
    with _announce_lock:
        if path not in _announced:
            _announced.add(path)
            log.warning("ATA_SECRET_KEY is not set: signing with the generated secret kept in %s. Keep that "
                        "file private; deleting it signs everyone out.", path)
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                log.warning("%s can be read by other users of this machine; chmod 600 it.", path)
    return secret


def _read_secret(path: Path) -> str:
    # A process that has just created the file may not have written it yet.
    for _ in range(100):
        secret = path.read_text().strip()
        if secret:
            break
        time.sleep(0.02)
    if len(secret) < _MIN_SECRET:
        raise ValueError(f"{path} holds no usable secret (at least {_MIN_SECRET} characters); "
                         "delete it to have a new one made, or set ATA_SECRET_KEY")
    return secret


@lru_cache
def get_settings() -> Settings:
    return Settings()
