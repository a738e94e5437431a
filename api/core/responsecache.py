"""Response bodies kept by a key that names their data's version: in this process, and in Redis
(ATA_REDIS_URL) so that every instance shares what one of them built.

Nothing is ever invalidated here. A caller's key carries the validator of the data the body was
built from (api/indicators/reading.py), so a change to the data makes new keys and the old
entries are never asked for again: they age out of the process (within a byte budget) and out of
Redis (a time to live).

When the process's budget is full, an entry chosen at random makes room, not the least recently
used: a partner's sync job walks every slice in turn, and a walk longer than the cache would
find nothing under LRU (each entry is pushed out just before it comes round again), while random
replacement keeps about the share of the walk that fits.
"""

import logging
import secrets
import threading
import time
from collections.abc import Iterator

log = logging.getLogger("ata.cache")

REDIS_TTL_SECONDS = 3600
# After Redis fails, this long without asking it: a cache must not make a request wait.
REDIS_BACKOFF_SECONDS = 5.0


class ResponseCache:
    def __init__(self, max_bytes: int, redis_url: str | None = None, *, prefix: str = "ata:rc:") -> None:
        self.max_bytes = max_bytes
        # One entry may take an eighth of the budget: a bigger body (a bulk CSV) is streamed
        # each time instead of pushing out everything else.
        self.entry_limit = max_bytes // 8
        self._entries: dict[str, bytes] = {}
        self._keys: list[str] = []  # the same keys, for a choice at random in constant time
        self._where: dict[str, int] = {}
        self._size = 0
        self._lock = threading.Lock()
        self._prefix = prefix
        self._redis = None
        self._redis_down_until = 0.0
        if redis_url and max_bytes > 0:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: str) -> bytes | None:
        if not self.enabled:
            return None
        body = self._entries.get(key)
        if body is not None:
            return body
        body = self._redis_call(lambda r: r.get(self._prefix + key))
        if body is not None:
            self._keep(key, body)
        return body

    def put(self, key: str, body: bytes) -> None:
        if not self.enabled or len(body) > self.entry_limit:
            return
        self._keep(key, body)
        self._redis_call(lambda r: r.set(self._prefix + key, body, ex=REDIS_TTL_SECONDS))

    def _keep(self, key: str, body: bytes) -> None:
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = body
            self._where[key] = len(self._keys)
            self._keys.append(key)
            self._size += len(body)
            while self._size > self.max_bytes:
                self._drop(self._keys[secrets.randbelow(len(self._keys))])

    def _drop(self, key: str) -> None:
        """Forget `key` (the lock held): the last key takes its place in the list."""
        self._size -= len(self._entries.pop(key))
        index, last = self._where.pop(key), self._keys.pop()
        if last != key:
            self._keys[index] = last
            self._where[last] = index

    def _redis_call(self, call):
        if self._redis is None or time.monotonic() < self._redis_down_until:
            return None
        import redis

        try:
            return call(self._redis)
        except redis.RedisError as exc:
            self._redis_down_until = time.monotonic() + REDIS_BACKOFF_SECONDS
            log.warning("response cache: Redis unavailable, not asking it for %ss: %s", REDIS_BACKOFF_SECONDS, exc)
            return None


def kept_when_whole(chunks: Iterator[bytes], cache: ResponseCache, key: str) -> Iterator[bytes]:
    """`chunks` passed on as they come, and kept under `key` once all of them have gone out,
    if they fit one entry (an interrupted or oversized stream is not kept)."""
    kept: list[bytes] | None = [] if cache.enabled else None
    size = 0
    for chunk in chunks:
        if kept is not None:
            size += len(chunk)
            kept = kept if size <= cache.entry_limit else None
            if kept is not None:
                kept.append(chunk)
        yield chunk
    if kept is not None:
        cache.put(key, b"".join(kept))
