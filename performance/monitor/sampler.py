"""The host monitor: read every probe, keep the samples, write them and their rollups in batches.

``sample()`` reads the probes (a failing probe is named in the sample's
``errors`` and logged once per outage; the others still count) and keeps the
sample in memory; ``write()`` inserts the kept samples in one statement and
the finished minutes' rollups. While the database is away samples wait in
memory, up to an hour's worth; older ones are dropped. ``run()`` loops until
told to stop.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from performance import conf
from performance.monitor.broker import queue_figures
from performance.monitor.host import HostProbe
from performance.monitor.postgres import PostgresProbe
from performance.monitor.processes import ProcessProbe
from performance.monitor.redis_probe import RedisProbe
from performance.monitor.rollup import Accumulator, write_closed_minutes
from performance.monitoring_models import SystemSample
from performance.outage import OutageLog

logger = logging.getLogger(__name__)
MAX_PENDING = 720


class _Celery:
    def read(self) -> dict:
        return queue_figures()


class HostMonitor:
    def __init__(self, host: str | None = None, alias: str = "default"):
        self.host = host or conf.host_name()
        self.alias = alias
        self.probes = {"host": HostProbe(), "postgres": PostgresProbe(alias), "redis": RedisProbe(),
                       "celery": _Celery()}
        self.processes = ProcessProbe()
        self.outages = {name: OutageLog(logger, f"monitor probe {name} failed")
                        for name in [*self.probes, "processes"]}
        self.writes = OutageLog(logger, "could not write system samples")
        self.pending: list[SystemSample] = []
        self.accumulator = Accumulator()
        self.dropped = 0
        self.stop_event = threading.Event()

    def sample(self) -> SystemSample:
        values, errors, processes = {}, {}, []
        for name, probe in self.probes.items():
            try:
                values.update(probe.read())
                self.outages[name].succeeded()
            except Exception as exc:  # noqa: BLE001 - one broken probe must not lose the others
                errors[name] = type(exc).__name__
                self.outages[name].failed(exc)
        try:
            processes, totals = self.processes.read()
            values.update(totals)
            self.outages["processes"].succeeded()
        except Exception as exc:  # noqa: BLE001
            errors["processes"] = type(exc).__name__
            self.outages["processes"].failed(exc)
        at = datetime.now(tz=UTC)
        sample = SystemSample(host=self.host, at=at, values=values, processes=processes, errors=errors)
        self.pending.append(sample)
        if len(self.pending) > MAX_PENDING:
            self.dropped += len(self.pending) - MAX_PENDING
            del self.pending[:-MAX_PENDING]
        self.accumulator.add(at, values)
        return sample

    def write(self) -> bool:
        """Insert the kept samples and the finished minutes' rollups; False (kept) on failure."""
        from django.db import connections

        try:
            if self.pending:
                SystemSample.objects.using(self.alias).bulk_create(self.pending, batch_size=500)
                self.pending = []
            write_closed_minutes(self.host, self.accumulator, datetime.now(tz=UTC), self.alias)
        except Exception as exc:  # noqa: BLE001 - the monitor keeps going without its database
            self.writes.failed(exc)
            connections[self.alias].close()
            return False
        self.writes.succeeded()
        return True

    def run(self, interval: float | None = None, write_interval: float | None = None,
            iterations: int | None = None) -> None:
        interval = interval or conf.get("PERFORMANCE_MONITOR_INTERVAL")
        write_interval = write_interval or conf.get("PERFORMANCE_MONITOR_WRITE_INTERVAL")
        next_write = time.monotonic() + write_interval
        done = 0
        while not self.stop_event.is_set():
            started = time.monotonic()
            self.sample()
            done += 1
            if started >= next_write or (iterations is not None and done >= iterations):
                self.write()
                next_write = started + write_interval
            if iterations is not None and done >= iterations:
                break
            self.stop_event.wait(max(0.0, interval - (time.monotonic() - started)))
        self.write()

    def stop(self) -> None:
        self.stop_event.set()
