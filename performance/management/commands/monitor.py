"""``manage.py monitor``: the host's system monitor (one per host; a second one stands by)."""

from __future__ import annotations

import json
import signal
import time

from django.core.management.base import BaseCommand, CommandError

from performance import conf
from performance.monitor.lock import HostLock, lock_path
from performance.monitor.sampler import HostMonitor


class Command(BaseCommand):
    help = ("Sample this host (CPU, memory, disks, network, processes, PostgreSQL, Redis, Celery) every "
            "PERFORMANCE_MONITOR_INTERVAL seconds and write the samples. Run one per host under a "
            "supervisor.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Take one sample, write it, print it, exit.")
        parser.add_argument("--interval", type=float, default=None, help="Seconds between samples.")
        parser.add_argument("--iterations", type=int, default=None, help="Stop after this many samples.")

    def handle(self, *args, once: bool, interval: float | None, iterations: int | None, **options):
        if interval is not None and not 0.1 <= interval <= 3600:
            raise CommandError("--interval must be between 0.1 and 3600 seconds")
        if iterations is not None and iterations < 1:
            raise CommandError("--iterations must be at least 1")
        monitor = HostMonitor()
        if once:
            sample = monitor.sample()
            monitor.write()
            self.stdout.write(json.dumps({"host": sample.host, "values": sample.values,
                                          "errors": sample.errors, "processes": sample.processes}, indent=2))
            return
        lock = HostLock(lock_path())
        signal.signal(signal.SIGTERM, lambda *_: monitor.stop())
        signal.signal(signal.SIGINT, lambda *_: monitor.stop())
        waiting_said = False
        while not lock.acquire():
            if not waiting_said:
                self.stderr.write(f"another monitor holds {lock.path}; standing by until it stops")
                waiting_said = True
            if monitor.stop_event.wait(conf.get("PERFORMANCE_MONITOR_INTERVAL")):
                return
        every = interval or conf.get("PERFORMANCE_MONITOR_INTERVAL")
        self.stderr.write(f"monitoring {monitor.host} every {every} s")
        started = time.process_time()
        try:
            monitor.run(interval=interval, iterations=iterations)
        finally:
            lock.release()
        self.stderr.write(f"monitor stopped after {time.process_time() - started:.2f} s of CPU")
