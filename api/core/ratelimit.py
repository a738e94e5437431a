"""Fixed-window counters for brute-force protection: in memory, or shared through Redis.

With several app processes (or instances behind a load balancer) set ATA_REDIS_URL so that
they count together; otherwise each process counts alone.
"""

import ipaddress
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from starlette.requests import HTTPConnection


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


class Counter(Protocol):
    def count(self, key: str) -> tuple[int, int]:
        """(hits in the current window, seconds until it resets)."""

    def hit(self, key: str, window: int) -> tuple[int, int]:
        """Add one hit: (the new count, seconds until the window resets)."""


class MemoryCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def count(self, key: str) -> tuple[int, int]:
        with self._lock:
            expires, hits = self._windows.get(key, (0.0, 0))
            remaining = expires - time.monotonic()
            return (hits, int(remaining) + 1) if remaining > 0 else (0, 0)

    def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            if len(self._windows) > 100_000:  # bounded memory under a spray of keys
                self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
            expires, hits = self._windows.get(key, (0.0, 0))
            if expires <= now:
                expires, hits = now + window, 0
            self._windows[key] = (expires, hits + 1)
            return hits + 1, int(expires - now) + 1


class RedisCounter:
    def __init__(self, url: str, prefix: str = "ata:rl:") -> None:
        import redis

        # Short: the partner data routes count on the event loop, which waits for this.
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._prefix = prefix

    def count(self, key: str) -> tuple[int, int]:
        pipe = self._redis.pipeline()
        pipe.get(self._prefix + key)
        pipe.ttl(self._prefix + key)
        hits, ttl = pipe.execute()
        return (int(hits), max(int(ttl), 1)) if hits is not None else (0, 0)

    def hit(self, key: str, window: int) -> tuple[int, int]:
        pipe = self._redis.pipeline()
        pipe.incr(self._prefix + key)
        pipe.expire(self._prefix + key, window, nx=True)
        pipe.ttl(self._prefix + key)
        hits, _, ttl = pipe.execute()
        return int(hits), max(int(ttl), 1)


class FailureLimiter:
    """Counts failures per key; refuses further attempts once a key reaches its limit."""

    def __init__(self, counter: Counter, *, window: int) -> None:
        self.counter = counter
        self.window = window

    def check(self, limits: dict[str, int]) -> Verdict:
        waits = []
        for key, limit in limits.items():
            hits, reset_in = self.counter.count(key)
            if hits >= limit:
                waits.append(reset_in)
        return Verdict(allowed=not waits, retry_after=max(waits, default=0))

    def fail(self, keys: list[str]) -> None:
        for key in keys:
            self.counter.hit(key, self.window)


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    reset: int
    window: int

    @property
    def allowed(self) -> bool:
        return self.remaining >= 0

    def headers(self) -> dict[str, str]:
        """IETF draft RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-07)."""
        return {"RateLimit-Policy": f"{self.limit};w={self.window}",
                "RateLimit": f"limit={self.limit}, remaining={max(self.remaining, 0)}, reset={self.reset}"}


class RequestLimiter:
    """Counts every request per key in fixed windows (partner clients' request budgets)."""

    def __init__(self, counter: Counter, *, window: int) -> None:
        self.counter = counter
        self.window = window

    def take(self, key: str, limit: int) -> Quota:
        hits, reset_in = self.counter.hit(key, self.window)
        return Quota(limit=limit, remaining=limit - hits, reset=reset_in, window=self.window)


def client_address(connection: HTTPConnection, trusted_proxies: list[str]) -> str:
    """The caller's address: the socket peer, unless that peer is a trusted proxy, in which
    case the nearest X-Forwarded-For entry that is not itself a trusted proxy."""
    peer = connection.client.host if connection.client else "unknown"
    networks = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in networks)

    if not networks or not trusted(peer):
        return peer
    forwarded = [a.strip() for a in connection.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not trusted(address):
            return address
    return peer
