"""Real Celery worker processes for the end-to-end tests and the bench."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def worker_env(database_name: str, media_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker that shares this process's database, Redis and secrets."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{database_name}",
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": settings.SECRET_KEY,
        "DG_FINDING_HASH_KEY": settings.FINDING_HASH_KEY,
        "DB_POOL_MIN_SIZE": "1",
        "DB_POOL_MAX_SIZE": "4",
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


class Worker:
    """``celery worker`` as a subprocess in its own process group (so it can be SIGKILLed whole)."""

    def __init__(self, env: dict[str, str], log_dir: Path, concurrency: int = 1):
        self.name = f"dg-test-{uuid.uuid4().hex[:8]}"
        self.log = log_dir / f"{self.name}.log"
        self.process = subprocess.Popen(
            [CELERY, "-A", "dataguardian.celery", "worker", "--concurrency", str(concurrency),
             "--pool", "prefork", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--hostname", f"{self.name}@%h"],
            cwd=ROOT, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text()[-3000:]}")
            if b" ready." in self.log.read_bytes():
                return
            time.sleep(0.1)
        raise TimeoutError(f"worker not ready: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: a machine that died."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def flush_redis_db(url: str) -> None:
    """Empty the test's own Redis database (queues, results) before a run."""
    import redis

    redis.Redis.from_url(url).flushdb()


def wait_for(predicate, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met in time")
