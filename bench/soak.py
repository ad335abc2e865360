"""A soak test of the whole product under load while its servers fail.

Starts the README's production topology from this checkout on private
servers (its own PostgreSQL, a second PostgreSQL to scan, its own Redis:
never the machine's shared ones), signs in ``--users`` users in several
organisations and roles who browse with 1-5 s of think time, a few staff
users on the admin, and analysts who keep starting scans (mixed uploads,
server folders, a database) whose findings are known in advance from the
command line. Meanwhile faults run on a schedule (bench/lib/soak/faults.py):
Redis stopped, PostgreSQL restarted, a Celery pool process killed in a
chunk, a gunicorn worker killed, beat stopped, the upload disk read-only.
It then counts what users saw and what the scans stored, and ends with one
``BENCH soak ...`` line. Everything it started is stopped on exit, Ctrl-C
or failure.

    .venv/bin/python bench/soak.py [--minutes 10] [--users 150] [--keep]     (make soak)

Needs root for the read-only bind mount of the upload disk (without it that
fault is skipped and says so), PostgreSQL 15's server binaries
(/usr/lib/postgresql/15/bin, or DG_PG_BIN) and redis-server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from bench.lib.server import bench_env  # noqa: E402
from bench.lib.soak import faults as faults_mod  # noqa: E402
from bench.lib.soak import fixtures, report  # noqa: E402
from bench.lib.soak.http import Browser, Recorder  # noqa: E402
from bench.lib.soak.topology import Topology, become_subreaper  # noqa: E402
from bench.lib.soak.users import Person, ScanLog, ScanStarter, administer, browse  # noqa: E402

ROLES = ["owner", "admin", "admin"] + ["analyst"] * 6 + ["viewer"] * 6  # 15 per organisation
ADMIN_PAGES = ["/admin/", "/admin/scans/scan/", "/admin/scans/finding/", "/admin/sessions_ext/session/",
               "/admin/orgs/organization/", "/admin/performance/"]
SEED = """
import datetime, json
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.test import Client
from dataguardian.billing.models import Payment
from dataguardian.orgs.models import Membership, Organization
User = get_user_model()
out = []
roles = {roles!r}
for o in range({orgs}):
    org = Organization.objects.create(name=f"Soak Org {{o:02d}}", slug=f"soak-{{o:02d}}")
    for m in range(6):
        start = datetime.date(2025, 1 + m, 1)
        Payment.objects.create(organization=org, amount=Decimal("149.00"), status="paid", plan="team",
                               period_start=start, period_end=start + datetime.timedelta(days=27))
    for u in range({per_org}):
        user = User.objects.create_user(f"soak{{o:02d}}u{{u:02d}}", password=None)
        Membership.objects.create(user=user, organization=org, role=roles[u % len(roles)])
        out.append({{"username": user.username, "org": o, "role": roles[u % len(roles)], "staff": False}})
for s in range({staff}):
    user = User.objects.create_user(f"soakstaff{{s}}", password=None, is_staff=True, is_superuser=True)
    out.append({{"username": user.username, "org": -1, "role": "staff", "staff": True}})
for person in out:
    client = Client()
    client.force_login(User.objects.get(username=person["username"]))
    person["sessionid"] = client.cookies["sessionid"].value
print("SEED " + json.dumps(out))
"""


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def seed_people(topology: Topology, users: int, orgs: int, staff: int) -> list[Person]:
    per_org = -(-users // orgs)
    output = topology.migrate_and_seed(SEED.format(roles=ROLES, orgs=orgs, per_org=per_org, staff=staff))
    line = next(x for x in output.splitlines() if x.startswith("SEED "))
    rows = json.loads(line[5:])
    people = [Person(r["username"], r["org"], r["role"], {"sessionid": r["sessionid"]}, r["staff"])
              for r in rows]
    members = [p for p in people if not p.staff][:users]
    return members + [p for p in people if p.staff]


def make_sources(topology: Topology, shares: list[Path], rnd: random.Random, variants: int
                 ) -> list[fixtures.Source]:
    sources = fixtures.build_uploads(topology.workdir / "uploads", rnd, variants)
    sources += fixtures.build_folders(topology.workdir / "shares", rnd, len(shares))
    scan_url = f"postgres://scanner:soak-scanner@127.0.0.1:{topology.target.port}/soak_target"
    sources.append(fixtures.build_database(topology.target.url(), scan_url, rnd))
    env = bench_env({"DG_SCANNER_CACHE_DIR": str(topology.workdir / "scanner-cache")})
    for source in sources:
        if source.expected is not None:
            source.expected = fixtures.expected_findings(source, env)
    return sources


def memory_sample(topology: Topology) -> dict[int, tuple[str, int]]:
    sample = {}
    for role, pids in topology.processes().items():
        for pid in pids:
            try:
                sample[pid] = (role, psutil.Process(pid).memory_info().rss)
            except psutil.NoSuchProcess:
                pass
    return sample


def memory_series(topology: Topology, stop: threading.Event, t0: float, every: float = 30.0
                  ) -> list[tuple[float, dict[str, int]]]:
    """RSS per role every ``every`` seconds: growth that levels off is warm-up, a slope is a leak."""
    series = []
    while not stop.wait(every):
        totals: dict[str, int] = {}
        for role, rss in memory_sample(topology).values():
            totals[role] = totals.get(role, 0) + rss
        series.append((time.monotonic() - t0, totals))
    return series


def memory_rows(start: dict, end: dict) -> list[tuple[str, int, int, int, int]]:
    roles = sorted({r for r, _ in start.values()} | {r for r, _ in end.values()})
    rows = []
    for role in roles:
        same = [pid for pid, (r, _) in start.items() if r == role and pid in end]
        rows.append((role, sum(v for r, v in start.values() if r == role),
                     sum(v for r, v in end.values() if r == role),
                     sum(start[p][1] for p in same), sum(end[p][1] for p in same)))
    return rows


def wait_for_scans(db_url: str, log_: ScanLog, timeout: float) -> int:
    import psycopg

    deadline = time.monotonic() + timeout
    ids = [s.scan_id for s in log_.snapshot() if s.scan_id]
    while True:
        with psycopg.connect(db_url) as conn:
            left = conn.execute("SELECT count(*) FROM scans_scan WHERE id = ANY(%s) AND status IN "
                                "('queued', 'running')", [ids]).fetchone()[0]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(2)


def run(args: argparse.Namespace, workdir: Path) -> int:
    rnd = random.Random(args.seed)
    shares = [workdir / "shares" / f"share-{n}" for n in range(2)]
    # The stale-scan sweep's threshold scaled like beat's outages: 15 minutes in production
    # would let no lost task be found within a run; a fifth of the run (2 minutes in 10).
    stale_minutes = max(1, round(args.minutes / 5))
    topology = Topology(workdir, args.web_workers, args.web_threads, [str(s) for s in shares],
                        stale_minutes=stale_minutes)
    runner = None
    try:
        log(f"private servers in {workdir}")
        topology.start_servers()
        log(f"upload disk fault: {topology.disk_fault}")
        sources = make_sources(topology, shares, rnd, args.variants)
        log("expected findings (command line): " + ", ".join(f"{s.name}={s.expected}" for s in sources))
        people = seed_people(topology, args.users, args.orgs, args.staff)
        topology.start_app()
        log(f"up: gunicorn {args.web_workers}x{args.web_threads} at {topology.web.url}, celery worker "
            f"(2 processes), beat, monitor: {topology.monitor_command or 'none in this checkout'}")
        base = topology.web.url
        staff = [p for p in people if p.staff]
        members = [p for p in people if not p.staff]
        probe = Browser(base, staff[0].cookies) if staff else None
        admin_pages = [p for p in ADMIN_PAGES if probe and probe.get(p).status == 200]
        log(f"staff pages: {', '.join(admin_pages)}")

        recorder, scan_log = Recorder(), ScanLog()
        starters = [ScanStarter(next(p for p in members if p.org == o and p.role == "analyst"), base,
                                recorder, scan_log, sources, args.scan_interval, args.seed + o)
                    for o in range(min(args.starters, args.orgs))]
        warm = [ScanStarter(next(p for p in members if p.org == o and p.role == "analyst"), base,
                            Recorder(), scan_log, sources, 0, o) for o in range(args.orgs)]
        for n, starter in enumerate(warm):
            uploads = [s for s in sources if s.kind == "upload" and s.expected is not None and not s.big]
            starter.submit(Browser(base, starter.person.cookies, timeout=120), uploads[n % len(uploads)])
        left = wait_for_scans(topology.env["DATABASE_URL"], scan_log, 180)
        log(f"warm-up: {len(warm)} scans, {left} still unfinished; load starts")

        stop_users, stop_faults = threading.Event(), threading.Event()
        threads = [threading.Thread(target=browse, args=(p, base, recorder, stop_users, n), daemon=True)
                   for n, p in enumerate(members)]
        threads += [threading.Thread(target=administer, args=(p, base, recorder, stop_users, 1000 + n,
                                                                admin_pages), daemon=True)
                    for n, p in enumerate(staff)]
        threads += [threading.Thread(target=s.run, args=(stop_users,), daemon=True) for s in starters]
        run_s = args.minutes * 60
        schedule = faults_mod.schedule(run_s)
        big = next(s for s in sources if s.big)
        runner = faults_mod.FaultRunner(topology, schedule, lambda: starters[0].start_now(big), log)
        stop_supervisor = threading.Event()
        restarts: list[tuple[float, str]] = []
        supervisor = threading.Thread(
            target=lambda: restarts.extend(topology.supervise(stop_supervisor, log)), daemon=True)
        supervisor.start()
        t0 = time.monotonic()
        for thread in threads:
            thread.start()
        samples: dict[str, dict] = {}
        series: list = []
        watcher = threading.Thread(target=lambda: series.extend(memory_series(topology, stop_users, t0)),
                                   daemon=True)
        watcher.start()
        # The first memory sample: a minute in (10 % of a shorter run), before beat's first stop.
        sampler = threading.Timer(min(60.0, 0.1 * run_s),
                                  lambda: samples.update(start=memory_sample(topology)))
        sampler.start()
        runner.run(t0, stop_faults)
        remaining = t0 + run_s - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        samples["end"] = memory_sample(topology)
        stop_users.set()
        for thread in threads:
            thread.join(timeout=150)
        runner.restore()
        log(f"load stopped after {time.monotonic() - t0:.0f}s; waiting up to {args.drain:.0f}s for scans")
        left = wait_for_scans(topology.env["DATABASE_URL"], scan_log, args.drain)
        stop_supervisor.set()
        supervisor.join(timeout=10)
        wall_minus_mono = time.time() - time.monotonic()
        outcomes = report.scan_outcomes(topology.env["DATABASE_URL"], scan_log.snapshot(), wall_minus_mono)
        result = report.build(recorder.snapshot(), schedule, scan_log.snapshot(), outcomes,
                              memory_rows(samples.get("start", {}), samples["end"]), args.minutes,
                              len(members))
        load = os.getloadavg()
        watcher.join(timeout=10)
        roles = ["gunicorn workers", "celery worker children", "celery worker", "beat"]
        result.lines.append("RSS MiB every 30 s (" + ", ".join(roles) + "):")
        for at, totals in series:
            figures = " ".join(f"{totals.get(role, 0) / 2**20:6.0f}" for role in roles)
            result.lines.append(f"  {at:5.0f}s {figures}")
        result.lines.append(f"supervisor restarts: {len(restarts)}")
        result.lines.extend(f"  at {at - t0:.0f}s: {line}" for at, line in restarts)
        result.lines.append(f"stale-scan sweep after {stale_minutes} min (DG_STALE_SCAN_MINUTES)")
        text = "\n".join(result.lines)
        print(text)
        print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        (workdir / "report.txt").write_text(text + "\n" + report.bench_line(result.figures) + "\n")
        if args.report:
            Path(args.report).write_text(text + "\n" + report.bench_line(result.figures) + "\n")
        print(report.bench_line(result.figures), flush=True)
        return 0
    finally:
        if runner is not None:
            try:
                runner.restore()
            except Exception:  # noqa: BLE001 - stopping comes next anyway
                pass
        killed = topology.stop()
        if killed:
            log("had to SIGKILL: " + "; ".join(killed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--staff", type=int, default=3)
    parser.add_argument("--starters", type=int, default=3, help="analysts starting scans")
    parser.add_argument("--scan-interval", type=float, default=15.0,
                        help="seconds between two scans of one analyst")
    parser.add_argument("--variants", type=int, default=6, help="different mixed uploads")
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--drain", type=float, default=180.0, help="seconds to wait for scans after the load")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--report", help="also write the report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs, data)")
    args = parser.parse_args()
    if args.minutes <= 0 or args.users < args.orgs or args.orgs < 1:
        parser.error("--minutes must be positive and --users at least --orgs (>= 1)")

    def terminate(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    # Installed for SIGINT too: a soak started in the background of a script has SIGINT
    # ignored, and Python then raises no KeyboardInterrupt on Ctrl-C / kill -INT.
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    become_subreaper()
    workdir = Path(tempfile.mkdtemp(prefix="dg-soak-"))
    workdir.chmod(0o755)  # the private PostgreSQL clusters below it run as the postgres user
    code = 1
    try:
        code = run(args, workdir)
    except KeyboardInterrupt:
        log("interrupted; everything stopped")
        code = 130
    finally:
        left = psutil.Process().children(recursive=True)
        log("processes left: " + (", ".join(str(p.pid) for p in left) if left else "none"))
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
