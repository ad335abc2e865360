"""Capacity advice for N concurrent users on a machine: numbers with reasons.

``plan()`` is pure arithmetic over what it is given, so it can be tested;
``manage.py capacity_plan`` feeds it this machine (psutil) and the database
server's ``max_connections``. The model, stated so an operator can argue
with it: each signed-in user sends a request every ``think_seconds``; a
request takes ``response_ms`` of which ``cpu_share`` is Python on a core and
the rest is waiting on PostgreSQL or Redis (which threads overlap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MB = 1024 * 1024
ADMIN_RESERVE = 5  # connections left for psql, migrations, monitoring


@dataclass
class Machine:
    cpus: int
    ram_bytes: int
    worker_rss_bytes: int  # one Django process after start-up
    max_connections: int | None = None  # None when not on PostgreSQL
    reserved_connections: int = 3  # superuser_reserved_connections


@dataclass
class Plan:
    users: int
    requests_per_second: float = 0.0
    gunicorn_workers: int = 0
    gunicorn_threads: int = 0
    db_pool_min: int = 0
    db_pool_max: int = 0
    celery_concurrency: int = 0
    total_connections: int = 0
    redis_pool: int = 0
    session_timeout_seconds: int = 0
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def settings(self) -> dict[str, str]:
        """What to apply: command-line options and environment variables."""
        return {
            "gunicorn": f"--workers {self.gunicorn_workers} --threads {self.gunicorn_threads} "
                        "--worker-class gthread",
            "celery": f"--concurrency {self.celery_concurrency}",
            "DB_POOL_MIN_SIZE": str(self.db_pool_min),
            "DB_POOL_MAX_SIZE": str(self.db_pool_max),
            "REDIS_MAX_CONNECTIONS": str(self.redis_pool),
            "SESSION_COOKIE_AGE": str(self.session_timeout_seconds),
        }


def plan(
    users: int, machine: Machine, *, think_seconds: float = 15.0, response_ms: float = 80.0,
    cpu_share: float = 0.35, celery_rss_bytes: int = 250 * MB,
) -> Plan:
    """Recommended sizes for ``users`` concurrent signed-in users on ``machine``."""
    if users < 1:
        raise ValueError("users must be at least 1")
    p = Plan(users=users)
    why = p.reasons.append
    p.requests_per_second = users / think_seconds
    in_flight = p.requests_per_second * response_ms / 1000
    cores_busy = in_flight * cpu_share
    why(f"Load: {users} users x 1 request / {think_seconds:g} s = {p.requests_per_second:.1f} req/s; "
        f"at {response_ms:g} ms each, {in_flight:.1f} requests are in flight on average (Little's law), "
        f"keeping {cores_busy:.2f} of {machine.cpus} cores busy.")
    if cores_busy > machine.cpus * 0.7:
        p.warnings.append(f"CPU: {cores_busy:.1f} busy cores needed on {machine.cpus}: add machines.")

    # Web: processes for cores, threads for waiting; memory caps the processes.
    worker_mb = max(machine.worker_rss_bytes, 80 * MB) / MB
    celery = max(1, machine.cpus - (1 if machine.cpus > 2 else 0))
    web_budget_mb = machine.ram_bytes * 0.6 / MB - celery * celery_rss_bytes / MB
    by_cpu = 2 * machine.cpus + 1
    by_ram = max(1, int(web_budget_mb // worker_mb))
    p.gunicorn_workers = max(2, min(by_cpu, by_ram))
    why(f"gunicorn workers = min(2 x {machine.cpus} cores + 1 = {by_cpu}, "
        f"{web_budget_mb:.0f} MB for the web / {worker_mb:.0f} MB each = {by_ram}) "
        f"-> {p.gunicorn_workers} (at least 2, so one busy process never stalls the site).")
    # Twice the average in-flight requests absorbs bursts; gthread threads are cheap.
    p.gunicorn_threads = min(16, max(4, math.ceil(2 * in_flight / p.gunicorn_workers)))
    why(f"threads = 2 x {in_flight:.1f} in flight / {p.gunicorn_workers} workers, within 4..16 "
        f"-> {p.gunicorn_threads} (requests mostly wait on the database, threads overlap the waits).")

    p.db_pool_max = p.gunicorn_threads
    p.db_pool_min = max(1, p.gunicorn_threads // 2)
    why(f"DB pool per web process: max = threads = {p.db_pool_max} (a thread holds one connection "
        f"at a time), min = {p.db_pool_min} kept warm.")
    p.celery_concurrency = celery
    why(f"Celery concurrency = {celery}: scans are CPU-bound, one process per core, "
        f"{'one core left to the web' if machine.cpus > 2 else 'sharing the cores with the web'}.")

    celery_connections = celery * 2  # a task and its result or progress write
    p.total_connections = p.gunicorn_workers * p.db_pool_max + celery_connections + 1 + ADMIN_RESERVE
    why(f"PostgreSQL connections: {p.gunicorn_workers} x {p.db_pool_max} web + {celery} x 2 Celery "
        f"+ 1 beat + {ADMIN_RESERVE} for administration = {p.total_connections}.")
    if machine.max_connections is None:
        why("max_connections: not on PostgreSQL, nothing to compare against.")
    else:
        usable = machine.max_connections - machine.reserved_connections
        why(f"max_connections = {machine.max_connections} ({machine.reserved_connections} reserved "
            f"for superusers): {usable - p.total_connections} to spare.")
        if p.total_connections > usable:
            p.warnings.append(
                f"Connections: {p.total_connections} needed but {usable} usable: lower the threads or "
                "put PgBouncer (transaction mode) in front of PostgreSQL.")

    p.redis_pool = p.gunicorn_threads + 2
    why(f"Redis pool per process = threads + 2 = {p.redis_pool} (each thread reads the session "
        f"and the cache; two spare for the broker and health checks).")

    # A working day: people are not asked to sign in twice a day, and a stolen
    # cookie dies the same evening. Sessions cost ~1 KB in Redis and one row.
    p.session_timeout_seconds = 8 * 3600 if users <= 10_000 else 4 * 3600
    kept = users * 2  # two devices each
    why(f"Session timeout = {p.session_timeout_seconds // 3600} h: about {kept} live sessions "
        f"x ~1 KB = {kept / 1024:.1f} MB of Redis, so memory does not limit it; the working day does"
        f"{'' if users <= 10_000 else ' (halved above 10 000 users to bound the session table)'}.")
    return p
