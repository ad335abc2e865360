"""Fixtures for the cache tests: a clean cache, and a private redis-server.

The private server runs on a free port chosen by the OS, in a temporary
directory, and is always killed at the end of the test whatever happened.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from performance.caching import stats
from performance.testing import PrivateRedis


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        message = "needs the redis-server binary to start a private server"
        if os.environ.get("DG_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"DG_REQUIRE_SERVICES is set but this test {message}", pytrace=False)
        pytest.skip(message)
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def cache_settings(url: str, retry_interval: float = 0.2, timeout: float = 0.2) -> dict:
    return {
        "default": {
            "BACKEND": "performance.caching.backend.ResilientRedisCache",
            "LOCATION": url,
            # A fresh prefix per test: fresh breaker and fallback state too.
            "KEY_PREFIX": f"t{uuid.uuid4().hex[:8]}",
            "OPTIONS": {
                "SERIALIZER": "performance.caching.serializers.SafeMsgpackSerializer",
                "COMPRESSOR": "performance.caching.compressors.ZstdCompressor",
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
                "RETRY_INTERVAL": retry_interval,
                "FALLBACK_MAX_ENTRIES": 100,
                "FALLBACK_MAX_TTL": 1,
            },
        }
    }


@pytest.fixture
def private_cache(private_redis):
    """The default cache pointed at the private server."""
    with override_settings(CACHES=cache_settings(private_redis.url)):
        stats.reset()
        yield private_redis
        stats.reset()


@pytest.fixture
def clean_cache():
    """The configured default cache (Redis db of REDIS_URL, or LocMem), emptied."""
    caches["default"].clear()  # only our own Redis database
    stats.reset()
    yield caches["default"]
    caches["default"].clear()
    stats.reset()
