"""Response bodies kept by a key that names their data's version: in this process, and in Redis
(ATA_REDIS_URL) so that every instance shares what one of them built.

Nothing is ever invalidated here. A caller's key carries the validator of the data the body was
built from (api/indicators/reading.py), so a change to the data makes new keys and the old
entries are never asked for again: they age out of the process (least recently used first,
within a byte budget) and out of Redis (a time to live).
"""

import logging
import threading
import time
from collections import OrderedDict
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
        self._entries: OrderedDict[str, bytes] = OrderedDict()
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
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
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

    def clear(self) -> None:
        """Forget every entry of this process (the shared entries age out in Redis)."""
        with self._lock:
            self._entries.clear()
            self._size = 0

    def _keep(self, key: str, body: bytes) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._size -= len(old) if old is not None else 0
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped)

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
