"""Brute-force protection shared by the token endpoint and (later) the web sign-in page."""

from fastapi import Request

from api.core.config import Settings
from api.core.errors import ProblemError
from api.core.ratelimit import FailureLimiter, MemoryCounter, RedisCounter, client_address


class TooManyAttempts(ProblemError):
    status, slug = 429, "too-many-attempts"


def make_limiter(settings: Settings) -> FailureLimiter:
    counter = RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()
    return FailureLimiter(counter, window=settings.login_window_seconds)


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
