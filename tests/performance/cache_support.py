"""Fixtures for the cache tests: a clean cache, and a private redis-server.

The private server runs on a free port chosen by the OS, in a temporary
directory, and is always killed at the end of the test whatever happened.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from performance.caching import stats


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own: start, kill, pause (SIGSTOP) and resume it."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # Append-only file, so that data survives a restart: the recovery
        # tests need Redis to come back still holding the old values.
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"private redis-server on port {self.port} did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot die
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary")
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
