"""What monitoring costs: our ``performance`` monitoring against none, django-silk and django-prometheus.

The production set-up of the README (gunicorn gthread, 2 x cores workers of
4 threads, PostgreSQL, Redis, DEBUG off), driven by wrk with a signed-in
session on two URLs through the same middleware:

- ``page``: a completed scan's page (``scans:detail``, 2 000 findings);
- ``hello``: a minimal view (``/bench/hello/``, bench/monitoring_urls.py).

Each round starts one gunicorn per mode side by side (bench/settings_monitoring.py
has the modes): ``off`` (no monitoring), ``on`` (everything of this app:
spans, stack sampler, flusher, DB instrumentation, /metrics, and ``manage.py
monitor`` running through the round), ``silk`` (django-silk's middleware,
Python profiler off) and ``prometheus`` (django-prometheus's middleware).
It then loads one server at a time for ``--duration`` seconds per URL, in
turns whose order rotates, ``--slices`` turns a round, so that the machine's
other load falls on every mode alike. A round's rate per mode is its
requests over its seconds of load; overheads are the median over rounds of
each round's paired difference with ``off``. The idle servers cost next to
nothing meanwhile; the host monitor, one process per host, runs all round
and its own CPU is reported apart (``monitor_cpu_pct``).

Throughput on a machine shared with other work depends on the scheduler's
share as much as on the code, so the bench also measures the CPU time the
server's processes (all their threads) spend per request, slice by slice:
``cpu_overhead_pct`` and the like compare those, and hold still where rps
swing. Also measured, in the same run:
- ``sampler_cpu_pct``: the stack sampler thread's CPU, % of one core, per web
  process under load (median of the process samples of the ``on`` rounds);
  ``monitor_cpu_pct``: the host monitor process's CPU;
- ``db_writes_per_request``: rows written to the monitoring tables while
  requests run with the flusher held back (anything a request writes itself),
  per request; ``batched_rows_per_request``: rows the flusher and monitor
  write at their default intervals, per request, over the ``on`` rounds;
- ``profiled_call_us``: what ``@profiled`` adds to a call, inside a request
  scope (best of 7 runs of 200 000 calls against the bare function, in the
  thread's CPU time).

    make bench-setup       # django-silk, django-prometheus (requirements-bench.txt)
    .venv/bin/python bench/monitoring_overhead.py [--rounds 5] [--slices 4] [--duration 5] [--connections 16]

BENCH_MONITORING_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench_monitoring, created and
migrated) and BENCH_MONITORING_REDIS_URL (default redis://127.0.0.1:6379/11; nothing is flushed) say where.
It starts and stops its own gunicorn and monitor processes and needs ``wrk``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.loadgen import sign_in  # noqa: E402
from bench.lib.modes import PRODUCTION_WORKERS  # noqa: E402
from bench.lib.pg import ensure_database  # noqa: E402
from bench.lib.server import PYTHON, GunicornServer, manage, production_env  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_MONITORING_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/dg_bench_monitoring")
REDIS_URL = os.environ.get("BENCH_MONITORING_REDIS_URL", "redis://127.0.0.1:6379/11")
SETTINGS = "bench.settings_monitoring"
MODES = ["off", "on", "silk", "prometheus"]
USERNAME, PASSWORD = "bench-monitoring", "bench-monitoring-Pw-1"
FINDINGS = 2000


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def setup_data() -> int:
    """Migrate (with silk's tables), then the bench user, organisation and completed scan; its id."""
    env = {"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "BENCH_MONITORING_MODE": "silk"}
    manage("migrate", "--noinput", "-v0", env=env, settings=SETTINGS)
    os.environ.update({**env, "BENCH_MONITORING_MODE": "on", "DJANGO_SETTINGS_MODULE": SETTINGS,
                       "DEBUG": "false", "SECRET_KEY": "bench", "DG_FINDING_HASH_KEY": "bench",
                       "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from dataguardian.orgs.models import Membership, Organization, Role
    from dataguardian.scans.models import Scan
    from dataguardian.scans.services import partition_lifecycle
    from tests.foundation.factories import make_scan
    from tests.scans.page_support import bulk_findings

    org, _ = Organization.objects.get_or_create(slug="bench-monitoring",
                                                defaults={"name": "Bench Monitoring BV"})
    user, created = get_user_model().objects.get_or_create(username=USERNAME)
    if created:
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.create(user=user, organization=org, role=Role.ANALYST)
    scan = Scan.objects.filter(organization=org, findings_count=FINDINGS, status="completed").first()
    if scan is None:
        scan = make_scan(org, created_by=user, kind="documents", status="completed",
                         source="Bench: monitoring", progress_done=1, progress_total=1)
        bulk_findings(scan, FINDINGS)
        partition_lifecycle.on_scan_finished(scan.pk)  # what the pipeline does when a scan ends
    return scan.pk


FAILED: dict[str, int] = {}  # non-2xx answers and socket errors per URL


def wrk(url: str, cookie: str, duration: float, connections: int) -> float:
    """Requests per second. Failed answers are counted (``FAILED``, printed at the end); more than a
    tenth of a run's answers stops the bench."""
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "30s",
         "-H", f"Cookie: {cookie}", url],
        capture_output=True, text=True, timeout=duration + 60)
    out = result.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed += sum(int(n) for n in socket.groups()) if socket else 0
    if result.returncode != 0 or rate is None or total is None or failed > max(1, int(total.group(1)) // 10):
        raise RuntimeError(f"wrk on {url} failed:\n{out}{result.stderr}")
    FAILED[url] = FAILED.get(url, 0) + failed
    return float(rate.group(1))


def monitoring_rows(connection) -> int:
    """Rows inserted, updated or deleted so far in the monitoring tables (PostgreSQL's counters)."""
    time.sleep(1.2)  # other backends report their counters within a second of going idle
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables"
                       " WHERE relname LIKE 'performance\\_%'")
        return int(cursor.fetchone()[0])


class Round:
    """One server of one mode: start it (and the monitor for ``on``), measure, stop."""

    def __init__(self, mode: str, env: dict, metrics_dir: Path, extra: dict | None = None,
                 with_monitor: bool = True):
        self.mode = mode
        self.with_monitor = with_monitor and mode == "on"
        self.env = {**env, "BENCH_MONITORING_MODE": mode, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir / mode),
                    **(extra or {})}
        (metrics_dir / mode).mkdir(parents=True, exist_ok=True)
        self.server = GunicornServer(env=self.env, settings=SETTINGS, **PRODUCTION_WORKERS)
        self.monitor: subprocess.Popen | None = None

    def __enter__(self) -> Round:
        try:
            self.server.start()
        except BaseException:  # a signal while it starts: do not leave it running
            self.server.stop()
            raise
        if self.with_monitor:
            self.monitor = subprocess.Popen(
                [PYTHON, str(ROOT / "manage.py"), "monitor"], cwd=ROOT, start_new_session=True,
                env={**os.environ, **self.env, "DJANGO_SETTINGS_MODULE": SETTINGS},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def monitor_cpu_seconds(self) -> float | None:
        if self.monitor is None:
            return None
        import psutil

        times = psutil.Process(self.monitor.pid).cpu_times()
        return times.user + times.system

    def server_cpu_seconds(self) -> float:
        """CPU time of the gunicorn master and its workers so far (threads included)."""
        import psutil

        master = psutil.Process(self.server.pid)
        total = 0.0
        for process in [master, *master.children()]:
            times = process.cpu_times()
            total += times.user + times.system
        return total

    def __exit__(self, *exc_info) -> None:
        if self.monitor is not None and self.monitor.poll() is None:
            self.monitor.send_signal(signal.SIGTERM)
            try:
                self.monitor.wait(20)
            except subprocess.TimeoutExpired:
                self.monitor.kill()
                self.monitor.wait(5)
        self.server.__exit__(*exc_info)


def profiled_call_us() -> float:
    """What @profiled adds to one call inside a request scope, in microseconds (best of 7).

    Timed as the calling thread's CPU time (``thread_time``), which a busy machine disturbs less
    than the wall clock."""
    from time import thread_time

    from performance.db import recorder
    from performance.profiling import profiled

    def bare(x):
        return x

    wrapped = profiled(bare, name="bench.profiled_call")

    def per_call(fn, n: int = 200_000) -> float:
        start = thread_time()
        for i in range(n):
            fn(i)
        return (thread_time() - start) / n

    token = recorder.begin("request", "bench")
    try:
        bare_best = min(per_call(bare) for _ in range(7))
        wrapped_best = min(per_call(wrapped) for _ in range(7))
    finally:
        recorder.end(token)
    return (wrapped_best - bare_best) * 1e6


def pct(base: float, other: float) -> float:
    return (base - other) / base * 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="Rounds, each with fresh servers.")
    parser.add_argument("--slices", type=int, default=4, help="Turns of every mode and URL in a round.")
    parser.add_argument("--duration", type=int, default=5, help="Seconds of load per URL, mode and turn.")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    # Stopped by a signal (also when run in the background, where SIGINT is ignored), the servers
    # and monitors it started are stopped on the way out.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))
    if shutil.which("wrk") is None:
        sys.exit("monitoring_overhead: needs wrk (apt-get install wrk)")
    for module in ("silk", "django_prometheus"):
        try:
            __import__(module)
        except ImportError:
            sys.exit(f"monitoring_overhead: needs {module} (make bench-setup)")

    print(f"start {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC, load {load()}, {os.cpu_count()} cores, "
          f"gunicorn {PRODUCTION_WORKERS}")
    ensure_database(DATABASE_URL)
    scan_id = setup_data()
    from django.db import connection

    from performance.models import ProcessSample

    env = production_env(DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, LOG_LEVEL="WARNING",
                         SECRET_KEY="bench-monitoring-" + "k" * 40, DG_FINDING_HASH_KEY="bench-monitoring")
    metrics_dir = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    page_path, hello_path = f"/scans/{scan_id}/", "/bench/hello/"
    rps: dict[tuple[str, str], list[float]] = {}
    paired: dict[tuple[str, str], list[float]] = {}
    cpu_paired: dict[tuple[str, str], list[float]] = {}
    sampler_pcts, monitor_pcts, batched = [], [], []
    cookie = ""
    try:
        for number in range(args.rounds):
            with ExitStack() as stack:
                servers = {mode: stack.enter_context(Round(mode, env, metrics_dir)) for mode in MODES}
                if not cookie:
                    cookies = sign_in(servers["off"].server.url, USERNAME, PASSWORD)
                    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
                for round_ in servers.values():
                    for path in (page_path, hello_path):
                        wrk(round_.server.url + path, cookie, args.warmup, args.connections)
                on = servers["on"]
                rows_before = monitoring_rows(connection)
                started, cpu_before = time.time(), on.monitor_cpu_seconds()
                requests = {(mode, url): 0.0 for mode in MODES for url in ("page", "hello")}
                cpu = {(mode, url): 0.0 for mode in MODES for url in ("page", "hello")}
                for index in range(args.slices):
                    turn = number * args.slices + index
                    for mode in MODES[turn % len(MODES):] + MODES[:turn % len(MODES)]:
                        for url, path in (("page", page_path), ("hello", hello_path)):
                            before_cpu = servers[mode].server_cpu_seconds()
                            target = servers[mode].server.url + path
                            rate = wrk(target, cookie, args.duration, args.connections)
                            cpu[(mode, url)] += servers[mode].server_cpu_seconds() - before_cpu
                            requests[(mode, url)] += rate * args.duration
                elapsed = time.time() - started
                on_requests = requests[("on", "page")] + requests[("on", "hello")]
                batched.append((monitoring_rows(connection) - rows_before) / on_requests)
                monitor_pcts.append(100 * (on.monitor_cpu_seconds() - cpu_before) / elapsed)
                sampler_pcts += list(ProcessSample.objects.filter(
                    at__gte=datetime.fromtimestamp(started, tz=UTC), role="web")
                    .values_list("sampler_cpu_pct", flat=True))
            measured, cpu_us = {}, {}
            for mode in MODES:
                seconds = args.slices * args.duration
                page, hello = (requests[(mode, url)] / seconds for url in ("page", "hello"))
                cpu_us[mode] = tuple(cpu[(mode, url)] / requests[(mode, url)] * 1e6
                                     for url in ("page", "hello"))
                measured[mode] = (page, hello)
                rps.setdefault((mode, "page"), []).append(page)
                rps.setdefault((mode, "hello"), []).append(hello)
                print(f"round {number + 1} {mode:<10} page {page:8.1f} rps {cpu_us[mode][0]:8.0f} us CPU   "
                      f"hello {hello:8.1f} rps {cpu_us[mode][1]:6.0f} us CPU", flush=True)
            print(f"round {number + 1} ended, load {load()}", flush=True)
            for mode in MODES[1:]:
                for index, url in enumerate(("page", "hello")):
                    rate_overhead = pct(measured["off"][index], measured[mode][index])
                    paired.setdefault((mode, url), []).append(rate_overhead)
                    cpu_paired.setdefault((mode, url), []).append(
                        (cpu_us[mode][index] - cpu_us["off"][index]) / cpu_us["off"][index] * 100)

        # Writes while requests run, with the flusher held back: what the requests themselves write.
        held = {"BENCH_FLUSH_INTERVAL": "3600", "BENCH_DB_FLUSH_INTERVAL": "3600"}
        with Round("on", env, metrics_dir, held, with_monitor=False) as round_:
            base = round_.server.url
            wrk(base + page_path, cookie, args.warmup, args.connections)
            before = monitoring_rows(connection)
            requests = wrk(base + page_path, cookie, args.duration, args.connections) * args.duration
            request_rows = (monitoring_rows(connection) - before) / requests
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)

    print("\nmedians over rounds (rps):")
    for mode in MODES:
        print(f"  {mode:<10} page {statistics.median(rps[(mode, 'page')]):8.1f}   "
              f"hello {statistics.median(rps[(mode, 'hello')]):8.1f}")
    print("overhead against off, median of the rounds' paired differences (%):")
    for mode in MODES[1:]:
        print(f"  {mode:<10} page {statistics.median(paired[(mode, 'page')]):6.1f}   "
              f"hello {statistics.median(paired[(mode, 'hello')]):6.1f}   "
              f"(rounds: {', '.join(f'{v:.1f}' for v in paired[(mode, 'page')])})")
    print("CPU per request against off (server processes' CPU time / requests), median of rounds (%):")
    for mode in MODES[1:]:
        print(f"  {mode:<10} page {statistics.median(cpu_paired[(mode, 'page')]):6.1f}   "
              f"hello {statistics.median(cpu_paired[(mode, 'hello')]):6.1f}   "
              f"(rounds: {', '.join(f'{v:.1f}' for v in cpu_paired[(mode, 'page')])})")
    call_us = profiled_call_us()
    sampler = statistics.median(sampler_pcts) if sampler_pcts else float("nan")
    print(f"stack sampler per web process under load: median {sampler:.3f} % of a core "
          f"({len(sampler_pcts)} process samples), max {max(sampler_pcts, default=float('nan')):.3f} %")
    print(f"host monitor process: {statistics.median(monitor_pcts):.3f} % of a core")
    print(f"monitoring rows written by requests (flusher held back): {request_rows:.4f} per request; "
          f"by the flusher and monitor at their intervals: {statistics.median(batched):.4f} per request")
    print(f"failed answers (non-2xx, socket errors): {sum(FAILED.values())} in all")
    print(f"end {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC, load {load()}")
    print(
        "BENCH monitoring"
        f" overhead_pct={statistics.median(paired[('on', 'page')]):.1f}"
        f" hello_overhead_pct={statistics.median(paired[('on', 'hello')]):.1f}"
        f" silk_overhead_pct={statistics.median(paired[('silk', 'page')]):.1f}"
        f" prometheus_overhead_pct={statistics.median(paired[('prometheus', 'page')]):.1f}"
        f" sampler_cpu_pct={sampler:.2f}"
        f" db_writes_per_request={request_rows:.3f}"
        f" profiled_call_us={call_us:.2f}"
        f" monitor_cpu_pct={statistics.median(monitor_pcts):.2f}"
        f" cpu_overhead_pct={statistics.median(cpu_paired[('on', 'page')]):.1f}"
        f" hello_cpu_overhead_pct={statistics.median(cpu_paired[('on', 'hello')]):.1f}"
        f" silk_cpu_overhead_pct={statistics.median(cpu_paired[('silk', 'page')]):.1f}"
        f" prometheus_cpu_overhead_pct={statistics.median(cpu_paired[('prometheus', 'page')]):.1f}"
        f" batched_rows_per_request={statistics.median(batched):.4f}"
        f" failed_answers={sum(FAILED.values())}"
    )


if __name__ == "__main__":
    main()
