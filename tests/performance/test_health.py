"""/livez and /readyz against a private Redis and a private PostgreSQL that the test stops and starts.

The product runs under gunicorn in a subprocess, pointed at servers of the
test's own (performance/testing.py); the shared servers are never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from performance.testing import PrivatePostgres, PrivateRedis, free_port, postgres_binaries_available
from tests.foundation.support import ROOT

from .db_support import require_or_skip

pytestmark = pytest.mark.slow


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for(url: str, status: int, timeout: float = 60) -> dict:
    """Poll until ``url`` answers ``status``; its body then."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = get(url)
        except (urllib.error.URLError, OSError) as exc:
            last = (None, str(exc))
        if last[0] == status:
            return last[1]
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {status}; last answer {last}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A private PostgreSQL and Redis, and gunicorn serving the product against them."""
    if shutil.which("redis-server") is None or not postgres_binaries_available():
        require_or_skip("needs redis-server and PostgreSQL 15's initdb/postgres to start private servers")
    folder = tmp_path_factory.mktemp("health")
    redis_server = PrivateRedis(folder, persistent=False).start()
    postgres = PrivatePostgres().start()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": postgres.url(), "REDIS_URL": redis_server.url,
           "DG_VAR_DIR": str(folder / "var"), "DB_POOL_MIN_SIZE": "1", "DB_POOL_TIMEOUT": "2",
           "CACHE_RETRY_INTERVAL_MS": "200", "PERFORMANCE_PROFILING": "false", "LOG_LEVEL": "WARNING"}
    env.pop("DG_REQUIRE_SERVICES", None)
    log = (folder / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dataguardian.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "2", "--worker-class", "gthread"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/livez", 200)
        yield base, redis_server, postgres
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        redis_server.kill()
        postgres.remove()
        log.close()


def test_ready_when_database_cache_and_broker_answer(stack):
    base, _, _ = stack
    body = wait_for(base + "/readyz", 200)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    for check in body["checks"].values():
        assert check["status"] == "ok" and check["latency_ms"] >= 0
    assert get(base + "/livez") == (200, {"status": "ok"})


def test_not_ready_while_redis_is_stopped_and_ready_again_when_it_returns(stack):
    base, redis_server, _ = stack
    redis_server.kill()
    try:
        body = wait_for(base + "/readyz", 503)
        assert body["checks"]["cache"]["status"] == "error"
        assert body["checks"]["broker"]["status"] == "error"
        assert body["checks"]["database"]["status"] == "ok"
        assert get(base + "/livez")[0] == 200  # alive, only not ready
    finally:
        redis_server.start()
    assert wait_for(base + "/readyz", 200)["status"] == "ok"


def test_not_ready_while_postgresql_is_stopped_and_ready_again_when_it_returns(stack):
    base, _, postgres = stack
    postgres.stop()
    try:
        body = wait_for(base + "/readyz", 503)
        database = body["checks"]["database"]
        assert database["status"] == "error" and set(database) == {"status", "error", "latency_ms"}
        assert "127.0.0.1" not in json.dumps(body)  # the error names a type, never the server
        assert body["checks"]["cache"]["status"] == "ok"
    finally:
        postgres.start()
    assert wait_for(base + "/readyz", 200)["status"] == "ok"


@pytest.mark.django_db
def test_healthz_is_kept(client):
    assert client.get("/healthz").json() == {"database": "ok"}


def test_the_filesystem_broker_is_ready_when_its_folder_is_writable(tmp_path, monkeypatch):
    from performance.monitor import broker

    monkeypatch.setattr(broker, "broker_url", lambda: "filesystem://")
    monkeypatch.setattr(broker, "_folder", lambda: str(tmp_path))
    assert broker.ping() == {"transport": "filesystem"}
    monkeypatch.setattr(broker, "_folder", lambda: str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError):
        broker.ping()
