"""``manage.py capacity_plan --users N``: sizes for N concurrent users, with reasons."""

from __future__ import annotations

import psutil
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from sessions_ext.capacity import Machine, plan


def _server_connections() -> tuple[int | None, int]:
    if connection.vendor != "postgresql":
        return None, 3
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            max_connections = int(cursor.fetchone()[0])
            cursor.execute("SHOW superuser_reserved_connections")
            reserved = int(cursor.fetchone()[0])
    except DatabaseError as exc:
        raise CommandError(f"cannot read max_connections from PostgreSQL: {exc}") from exc
    return max_connections, reserved


class Command(BaseCommand):
    help = "Recommend web, database, Redis, Celery and session settings for N concurrent users."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, required=True, help="concurrent signed-in users")
        parser.add_argument("--think-seconds", type=float, default=15.0,
                            help="seconds between one user's requests (default 15)")
        parser.add_argument("--response-ms", type=float, default=80.0,
                            help="average response time in ms (default 80)")

    def handle(self, *args, users: int, think_seconds: float, response_ms: float, **options) -> None:
        if users < 1:
            raise CommandError("--users must be at least 1")
        if think_seconds <= 0 or response_ms <= 0:
            raise CommandError("--think-seconds and --response-ms must be positive")
        max_connections, reserved = _server_connections()
        machine = Machine(
            cpus=psutil.cpu_count(logical=True) or 1,
            ram_bytes=psutil.virtual_memory().total,
            worker_rss_bytes=psutil.Process().memory_info().rss,
            max_connections=max_connections,
            reserved_connections=reserved,
        )
        result = plan(users, machine, think_seconds=think_seconds, response_ms=response_ms)
        write = self.stdout.write
        write(f"Capacity plan for {users} concurrent users on {machine.cpus} CPUs, "
              f"{machine.ram_bytes / 2**30:.1f} GiB RAM ({connection.vendor})")
        write("")
        write("Recommended:")
        write(f"  gunicorn workers      {result.gunicorn_workers}")
        write(f"  gunicorn threads      {result.gunicorn_threads}")
        write(f"  DB pool per process   min {result.db_pool_min}, max {result.db_pool_max}")
        total = f"  DB connections total  {result.total_connections}"
        if max_connections is not None:
            total += f" of max_connections {max_connections}"
        write(total)
        write(f"  Redis pool            {result.redis_pool}")
        write(f"  Celery concurrency    {result.celery_concurrency}")
        write(f"  Session timeout       {result.session_timeout_seconds} s")
        write("")
        write("Why:")
        for reason in result.reasons:
            write(f"  - {reason}")
        for warning in result.warnings:
            write(self.style.WARNING(f"  ! {warning}"))
        write("")
        write("Apply:")
        for name, value in result.settings().items():
            write(f"  {name}={value}" if name.isupper() else f"  {name} {value}")
