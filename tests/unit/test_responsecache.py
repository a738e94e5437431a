"""The response cache (api/core/responsecache.py) and the verified-token cache (api/core/tokens.py)."""

import time
from datetime import timedelta

import pytest

from api.core import tokens
from api.core.responsecache import ResponseCache, kept_when_whole
from tests.conftest import make_settings


def test_the_budget_holds_and_a_walk_longer_than_the_cache_still_finds_most_of_what_fits():
    cache = ResponseCache(100_000)
    keys = [f"slice-{n}" for n in range(120)]
    for key in keys:
        cache.put(key, b"x" * 1_000)
    assert cache._size <= 100_000 and sum(cache.get(key) is not None for key in keys) == 100
    hits = 0
    for _ in range(5):  # a sync job walking 120 slices, in order, through room for 100
        for key in keys:
            hits += cache.get(key) is not None
            cache.put(key, b"x" * 1_000)
    # Least-recently-used replacement would find none of them; random replacement most.
    assert hits > 0.6 * 5 * len(keys), hits
    assert len(cache._entries) == len(cache._keys) == len(cache._where) == 100


def test_putting_a_key_again_replaces_its_body():
    cache = ResponseCache(8_000)
    cache.put("k", b"old")
    cache.put("k", b"newer")
    assert cache.get("k") == b"newer" and cache._size == 5 and cache._keys == ["k"]


def test_a_body_over_an_eighth_of_the_budget_is_not_kept_and_a_zero_budget_keeps_nothing():
    cache = ResponseCache(8_000)
    cache.put("big", b"x" * 1_001)
    cache.put("fits", b"x" * 1_000)
    assert cache.get("big") is None and cache.get("fits") == b"x" * 1_000
    off = ResponseCache(0, "redis://127.0.0.1:6379/13")
    off.put("k", b"v")
    assert off.get("k") is None and not off.enabled


def test_redis_down_is_a_miss_not_an_error_and_is_not_asked_again_at_once():
    cache = ResponseCache(8_000, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    started = time.monotonic()
    cache.put("k", b"v")  # kept in process even so
    assert cache.get("k") == b"v"
    assert cache.get("other") is None and cache.get("another") is None
    assert time.monotonic() - started < 2  # one failed attempt, then the back-off


def test_a_stream_is_kept_only_when_it_went_out_whole_and_fits():
    cache = ResponseCache(8_000)
    assert list(kept_when_whole(iter([b"ab", b"cd"]), cache, "whole")) == [b"ab", b"cd"]
    assert cache.get("whole") == b"abcd"
    interrupted = kept_when_whole(iter([b"ab", b"cd"]), cache, "interrupted")
    next(interrupted)
    interrupted.close()  # the client went away
    assert cache.get("interrupted") is None
    assert len(b"".join(kept_when_whole(iter([b"x" * 600, b"y" * 600]), cache, "too big"))) == 1_200
    assert cache.get("too big") is None


def test_a_verified_token_is_remembered_but_its_expiry_is_checked_every_time():
    settings = make_settings("sqlite://")
    issued = tokens.issue(settings, subject="client:x", scope="indicators:read", lifetime=timedelta(seconds=1))
    assert tokens.verify(settings, issued.token)["sub"] == "client:x"
    assert tokens.verify(settings, issued.token)["sub"] == "client:x"  # from the cache
    time.sleep(1.1)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(settings, issued.token)
    other = make_settings("sqlite://", secret_key="another-secret-" + "y" * 32)
    fresh = tokens.issue(settings, subject="client:x", scope="indicators:read")
    tokens.verify(settings, fresh.token)
    with pytest.raises(tokens.InvalidToken):  # remembered under its keys, not for any keys
        tokens.verify(other, fresh.token)
