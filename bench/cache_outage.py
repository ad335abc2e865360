"""Redis outage under HTTP load: no 5xx, pages served from the fallback, quick recovery.

gunicorn (production worker settings) serves the dashboard at ``/`` — a
logged-in page that reads its figures and the session through the cache —
with a private redis-server as REDIS_URL. Closed-loop load runs in three
back-to-back phases: Redis up, Redis stopped (killed for ``--outage``
seconds), Redis started again (empty). Every request of the middle phase is
served with Redis gone, i.e. from the in-process fallback. After the restart
the bench polls the new server's INFO commandstats: the first command from
the application marks "Redis used again".

    .venv/bin/python bench/cache_outage.py [--before 5] [--outage 10] [--after 10] [--concurrency 16]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench_cache).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.loadgen import run_load  # noqa: E402
from bench.lib.modes import PRODUCTION_WORKERS  # noqa: E402
from bench.lib.pg import ensure_database, migrate  # noqa: E402
from bench.lib.server import GunicornServer, manage, production_env  # noqa: E402
from performance.testing import PrivateRedis  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dg_bench_cache"
LOGIN = """
from django.contrib.auth import get_user_model
from django.test import Client
from dataguardian.orgs.models import Membership, Organization, Role
org, _ = Organization.objects.get_or_create(slug="bench-outage", defaults={"name": "Bench outage"})
user, _ = get_user_model().objects.get_or_create(username="bench-outage")
Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Role.ANALYST})
client = Client()
client.force_login(user)
print("SESSION", client.cookies["sessionid"].value)
"""


def session_cookie(env: dict[str, str]) -> dict[str, str]:
    out = manage("shell", "-c", LOGIN, env=env)
    return {"sessionid": next(line.split()[1] for line in out.splitlines() if line.startswith("SESSION"))}


def app_calls(server: PrivateRedis) -> int:
    """Commands the server ran, other than the INFO and PING that the bench itself sends."""
    stats = server.client().info("commandstats")
    return sum(int(row.get("calls", 0)) for name, row in stats.items()
               if name not in {"cmdstat_info", "cmdstat_ping"})


def watch_recovery(server: PrivateRedis, started: float, found: dict, stop: threading.Event) -> None:
    """Record when the restarted server first runs a command for the application."""
    while not stop.is_set():
        try:
            if app_calls(server) > 0:
                found["recovery_s"] = time.monotonic() - started
                return
        except Exception:  # noqa: BLE001 - the server may still be starting
            pass
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=float, default=5.0)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--after", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--retry-ms", default="", help="CACHE_RETRY_INTERVAL_MS (default: the product's)")
    args = parser.parse_args()

    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(db_url)
    migrate(db_url)
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        redis_server = PrivateRedis(Path(workdir), persistent=False).start()
        try:
            retry = {"CACHE_RETRY_INTERVAL_MS": args.retry_ms} if args.retry_ms else {}
            env = production_env(DATABASE_URL=db_url, REDIS_URL=redis_server.url, **retry)
            cookies = session_cookie(env)
            with GunicornServer(env=env, **PRODUCTION_WORKERS) as web:
                url = web.url + "/"
                print(f"gunicorn {PRODUCTION_WORKERS}, {args.concurrency} clients on GET / (dashboard), "
                      f"Redis {redis_server.url}, retry interval {args.retry_ms or 'default'} ms, "
                      f"{os.cpu_count()} cores (shared)", flush=True)
                load = {"cookies": cookies, "concurrency": args.concurrency}
                before = run_load(url, duration=args.before, warmup=1.0, **load)
                print(f"before  {before.summary()}", flush=True)
                redis_server.kill()
                during = run_load(url, duration=args.outage, **load)
                print(f"outage  {during.summary()}", flush=True)
                found: dict = {}
                stop = threading.Event()
                redis_server.start()
                watcher = threading.Thread(target=watch_recovery,
                                           args=(redis_server, time.monotonic(), found, stop))
                watcher.start()
                after = run_load(url, duration=args.after, **load)
                stop.set()
                watcher.join()
                print(f"after   {after.summary()}", flush=True)
                time.sleep(6)  # let every worker flush its counts (at most every 5 s)
                run_load(url, requests=args.concurrency * 2, **load)
                server_ops = {k.decode(): int(v) for k, v in
                              redis_server.client().hgetall("dg:1:perfstats:dashboard").items()}
                print(f"server-side dashboard cache operations (flushed after recovery): {server_ops}")
        finally:
            redis_server.kill()
    errors_5xx = before.status_5xx + during.status_5xx + after.status_5xx
    failed = before.errors + during.errors + after.errors
    other = sum(r.non_2xx for r in (before, during, after)) - errors_5xx
    recovery = found.get("recovery_s")
    print(f"connection errors {failed}, other non-2xx {other}")
    print(f"BENCH cache_outage errors_5xx={errors_5xx} fallback_requests={during.requests} "
          f"recovery_s={recovery if recovery is None else round(recovery, 2)} "
          f"fallback_ops={server_ops.get('fallback', 0)} "
          f"requests_total={before.requests + during.requests + after.requests}")


if __name__ == "__main__":
    main()
