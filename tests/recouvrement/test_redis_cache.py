"""The production cache (rate limits, login throttling) on the real Redis."""

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (SQLite smoke run)")
def test_the_redis_cache_counts_across_clients():
    # Two cache objects stand for two web processes sharing one Redis.
    prefix = f"test-{uuid.uuid4().hex}"
    one = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    two = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    one.set("attempts", 0, timeout=30)
    for _ in range(3):
        one.incr("attempts")
    assert two.incr("attempts") == 4
    two.delete("attempts")
    assert one.get("attempts") is None
