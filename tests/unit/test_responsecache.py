"""The response cache (api/core/responsecache.py) and the verified-token cache (api/core/tokens.py)."""

import time
from datetime import timedelta

import pytest

from api.core import tokens
from api.core.responsecache import ResponseCache, kept_when_whole
from tests.conftest import make_settings


def test_least_recently_used_entries_go_first_within_the_byte_budget():
    cache = ResponseCache(8_000)
    for key in "abc":
        cache.put(key, key.encode() * 1_000)
    assert cache.get("a") == b"a" * 1_000  # a is now the most recently used
    for key in "defghij":
        cache.put(key, key.encode() * 1_000)
    assert cache.get("b") is None and cache.get("c") is None  # the least recently used went
    assert cache.get("a") is not None and cache.get("j") is not None


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
