"""Brute-force protection shared by the token endpoint and (later) the web sign-in page."""

from fastapi import Request

from api.core.config import Settings
from api.core.errors import ProblemError
from api.core.ratelimit import (
    Counter,
    FailureLimiter,
    MemoryCounter,
    Quota,
    RedisCounter,
    RequestLimiter,
    client_address,
)


class TooManyAttempts(ProblemError):
    status, slug = 429, "too-many-attempts"


class RateLimited(ProblemError):
    status, slug = 429, "rate-limited"


def _counter(settings: Settings) -> Counter:
    return RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()


def make_limiter(settings: Settings) -> FailureLimiter:
    return FailureLimiter(_counter(settings), window=settings.login_window_seconds)


def make_client_limiter(settings: Settings) -> RequestLimiter:
    return RequestLimiter(_counter(settings), window=settings.client_rate_window_seconds)


def take_client_quota(request: Request, client_id: str) -> Quota:
    """Count one request against a partner client's budget; 429 with Retry-After once it is spent.
    The quota is kept on the request so that the response carries the RateLimit headers."""
    settings: Settings = request.app.state.settings
    quota = request.app.state.client_limiter.take(f"client:{client_id}", settings.client_rate_limit)
    request.state.rate_quota = quota
    if not quota.allowed:
        raise RateLimited(
            f"This client has used its {quota.limit} requests for the {quota.window}-second window. "
            f"Try again in {quota.reset} seconds.",
            headers={"Retry-After": str(quota.reset), **quota.headers()},
        )
    return quota


OPEN_DATA_WINDOW = 60  # ATA_OPEN_DATA_RATE_LIMIT is per minute


def make_open_data_limiter(settings: Settings) -> RequestLimiter:
    return RequestLimiter(_counter(settings), window=OPEN_DATA_WINDOW)


def take_address_quota(request: Request) -> Quota:
    """Count one anonymous request against its address's budget (the open-data door); 429 with
    Retry-After once it is spent. Counted as partner clients' budgets are, shared through Redis."""
    settings: Settings = request.app.state.settings
    address = client_address(request, settings.trusted_proxies)
    quota = request.app.state.open_data_limiter.take(f"open:{address}", settings.open_data_rate_limit)
    request.state.rate_quota = quota
    if not quota.allowed:
        raise RateLimited(
            f"This address has used its {quota.limit} requests for the {quota.window}-second window. "
            f"Try again in {quota.reset} seconds.",
            headers={"Retry-After": str(quota.reset), **quota.headers()},
        )
    return quota


def _keys(request: Request, identity: str) -> dict[str, int]:
    settings: Settings = request.app.state.settings
    address = client_address(request, settings.trusted_proxies)
    return {
        f"id:{identity.strip().lower()[:254]}": settings.login_max_failures_per_account,
        f"addr:{address}": settings.login_max_failures_per_address,
    }


def ensure_allowed(request: Request, identity: str) -> None:
    verdict = request.app.state.login_limiter.check(_keys(request, identity))
    if not verdict.allowed:
        raise TooManyAttempts(
            f"Too many failed attempts. Try again in {verdict.retry_after} seconds.",
            headers={"Retry-After": str(verdict.retry_after)},
        )


def record_failure(request: Request, identity: str) -> None:
    request.app.state.login_limiter.fail(list(_keys(request, identity)))

