"""Signed-in users browsing their organisation's pages: throughput, isolation, session writes.

150 users in 30 organisations sign in through the real sign-in form, then
each keeps one keep-alive connection and browses its pages (dashboard,
sessions, scan list, a scan of its own) for 60 s against gunicorn on
PostgreSQL and Redis. Every answer must be 200 and may name no other
organisation: the pages carry markers (organisation names ``BenchOrgNNN``,
scan sources ``bench-src-ORGNNN-K``) and a marker of another organisation
in a page is a leak. Session-table writes are read from PostgreSQL's
pg_stat_user_tables (inserts + updates + deletes) around the load, with
gunicorn stopped on each side so every backend has flushed its counters.

    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/sessions_load.py [--users 150] [--duration 60]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench_sessions),
recreated on each run. The Redis database of REDIS_URL is emptied first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from bench.lib.loadgen import run_load  # noqa: E402
from bench.lib.loadgen import sign_in as sign_in_plain  # noqa: E402
from bench.lib.pg import bench_database_url, ensure_database, migrate  # noqa: E402
from bench.lib.server import GunicornServer, manage, production_env  # noqa: E402

PASSWORD = "bench-sessions-passphrase-42"
USERS_PER_ORG = 5
SCANS_PER_ORG = 4
# The pages each user cycles through; {scan} is one of the user's own scans.
# Add pages here: every one must answer 200 and show only its own organisation.
PAGES = ["/", "/account/sessions/", "/scans/", "/scans/{scan}/"]
MARKER = re.compile(rb"(?:BenchOrg|bench-src-ORG)(\d{3})")
SESSION_TABLE = "sessions_ext_session"

SEED = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from dataguardian.orgs.models import Membership, Organization
from dataguardian.scans.models import Scan
from dataguardian.scans.services import partition_lifecycle
User = get_user_model()
password = make_password({password!r})
out = []
for o in range({orgs}):
    org = Organization.objects.create(name=f"BenchOrg{{o:03d}}", slug=f"bench-org-{{o:03d}}")
    users = User.objects.bulk_create(
        [User(username=f"bench{{o:03d}}u{{u}}", password=password) for u in range({per_org})])
    Membership.objects.bulk_create(
        [Membership(user=u, organization=org, role="admin" if i == 0 else "analyst")
         for i, u in enumerate(users)])
    with transaction.atomic():
        scans = Scan.objects.bulk_create(
            [Scan(organization=org, created_by=users[0], kind="documents", status="completed",
                  source=f"bench-src-ORG{{o:03d}}-{{k}}") for k in range({scans})])
        for scan in scans:
            partition_lifecycle.on_scan_created(scan)
    for u in users:
        out.append({{"username": u.username, "org": o, "scans": [s.pk for s in scans]}})
print(json.dumps(out))
"""


def seed(url: str, users: int) -> list[dict]:
    orgs = -(-users // USERS_PER_ORG)
    code = SEED.format(password=PASSWORD, orgs=orgs, per_org=USERS_PER_ORG, scans=SCANS_PER_ORG)
    output = manage("shell", "-c", code, env={"DATABASE_URL": url})
    return json.loads(output.strip().splitlines()[-1])[:users]


def sign_in(base_url: str, username: str) -> dict[str, str]:
    """Sign in through the form over plain HTTP (the cookies are Secure, so no cookie jar)."""
    return sign_in_plain(base_url, username, PASSWORD)


def session_table_writes(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables WHERE relname = %s",
            [SESSION_TABLE],
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    url = bench_database_url("postgres://postgres@127.0.0.1:5432/dg_bench_sessions")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        sys.exit("set REDIS_URL (this bench measures the cached_db sessions on Redis)")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    ensure_database(url, recreate=True)
    migrate(url)
    people = seed(url, args.users)
    env = production_env(DATABASE_URL=url, REDIS_URL=redis_url, DB_POOL_MAX_SIZE=str(args.threads),
                         DB_POOL_MIN_SIZE="2")
    server_args = {"workers": args.workers, "worker_class": "gthread", "threads": args.threads,
                   "startup_timeout": 120}

    started = time.monotonic()
    with GunicornServer(env=env, **server_args) as server, ThreadPoolExecutor(8) as pool:
        jars = list(pool.map(lambda p: sign_in(server.url, p["username"]), people))
    print(f"signed in {len(jars)} users in {time.monotonic() - started:.1f} s")
    writes_before = session_table_writes(url)  # gunicorn stopped: every backend has flushed

    counters: Counter = Counter()
    own = [b"%03d" % p["org"] for p in people]

    def path_for(client: int, seq: int) -> str:
        scans = people[client]["scans"]
        return PAGES[seq % len(PAGES)].format(scan=scans[seq % len(scans)])

    def check(client: int, path: str, status: int, body: bytes) -> bool:
        if status != 200:
            counters["non_200"] += 1
            return True
        markers = set(MARKER.findall(body))
        if markers - {own[client]}:
            counters["leaks"] += 1
            return False
        return True

    with GunicornServer(env=env, **server_args) as server:
        result = run_load(server.url + "/", concurrency=len(jars), duration=args.duration,
                          paths=path_for, cookies=lambda i: jars[i], check=check, timeout=60)
    time.sleep(1.0)
    writes = session_table_writes(url) - writes_before

    errors = result.errors + counters["non_200"]
    per_request = writes / result.requests if result.requests else 0.0
    print(result.summary())
    print(f"pages: {', '.join(PAGES)}; statuses: {dict(result.statuses)}")
    if result.error_samples:
        print("error samples:", "; ".join(result.error_samples))
    print(f"session-table writes: {writes} for {result.requests} requests")
    print(
        f"BENCH sessions_load users={len(jars)} rps={result.rps:.1f} p50_ms={result.p50_ms:.1f} "
        f"p95_ms={result.p95_ms:.1f} p99_ms={result.p99_ms:.1f} errors={errors} "
        f"leaks={counters['leaks']} session_writes_per_req={per_request:.4f}"
    )


if __name__ == "__main__":
    main()
