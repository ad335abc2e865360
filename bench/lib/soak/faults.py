"""The fault schedule and its runner.

Written for a 10-minute run and scaled to ``--minutes``: two rounds of
Redis stopped, PostgreSQL restarted, a Celery pool process SIGKILLed while
it runs a chunk, a gunicorn worker SIGKILLed, and the upload disk made
read-only, spread evenly over 10 %-85 % of the run, one at a time. Outages
last 30 s (shorter when a slot of the run is too short: 70 % of the slot,
and 6 s less than the slot, so no window and its grace reach the next fault).
Beat is stopped twice for a quarter of the run each time, from 12 % and
55 % of the run (2.5 minutes in a 10-minute run, the issue's 5 minutes in a
20-minute one; beat serves no request, so its windows overlap the others).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.lib.soak.topology import Topology

KINDS = ["redis_stop", "pg_restart", "worker_kill", "web_worker_kill", "disk_read_only"]
OUTAGE_S = 30.0
# After a fault's end, the recovery the targets allow: requests up to then still count inside its window.
GRACE_S = 5.0


@dataclass
class Fault:
    kind: str
    at: float  # seconds into the run
    duration: float  # planned outage (0: an instant kill)
    started: float = 0.0  # monotonic, when the fault began
    ended: float = 0.0  # monotonic, when the server was back (or the kill done)
    detail: str = ""
    affects_requests: bool = True

    @property
    def label(self) -> str:
        return f"{self.kind}@{self.at:.0f}s"


def schedule(run_s: float) -> list[Fault]:
    faults: list[Fault] = []
    order = KINDS * 2
    first, last = 0.10 * run_s, 0.85 * run_s
    slot = (last - first) / len(order)
    outage = max(1.0, min(OUTAGE_S, 0.7 * slot, slot - GRACE_S - 1.0))
    for n, kind in enumerate(order):
        duration = outage if kind in {"redis_stop", "disk_read_only"} else 0.0
        faults.append(Fault(kind, first + n * slot, duration))
    beat_down = run_s / 4
    for at in (0.12 * run_s, 0.55 * run_s):
        faults.append(Fault("beat_stop", at, beat_down, affects_requests=False))
    return sorted(faults, key=lambda f: f.at)


class FaultRunner:
    """Runs the schedule in the calling thread (the main one: it owns the children it starts)."""

    def __init__(self, topology: Topology, faults: list[Fault], big_scan: Callable[[], None],
                 log: Callable[[str], None]):
        self.topology, self.faults = topology, faults
        self.big_scan = big_scan
        self.log = log
        self._beat_back: list[tuple[float, Fault]] = []
        self.stop = threading.Event()

    def run(self, t0: float, stop: threading.Event) -> None:
        self.stop = stop
        for fault in self.faults:
            if not self._wait_until(t0 + fault.at, stop):
                break
            self._do(fault)
        self._finish_beat(stop, until=None)

    def _wait_until(self, moment: float, stop: threading.Event) -> bool:
        while time.monotonic() < moment:
            self._finish_beat(stop, until=moment)
            if stop.wait(min(0.2, max(0.0, moment - time.monotonic()))):
                return False
        return True

    def _sleep(self, seconds: float) -> None:
        """Sleep through an outage, starting beat again meanwhile when its time comes."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self._finish_beat(self.stop, until=end)
            time.sleep(min(0.2, left))

    def _finish_beat(self, stop: threading.Event, until: float | None) -> None:
        for due, fault in list(self._beat_back):
            if until is None:
                stop.wait(max(0.0, due - time.monotonic()))
            if time.monotonic() >= due or until is None:
                self.topology.start_beat()
                fault.ended = time.monotonic()
                self._beat_back.remove((due, fault))
                self.log(f"fault {fault.label}: beat started again")

    def _do(self, fault: Fault) -> None:
        topology = self.topology
        if fault.kind == "worker_kill":
            self.big_scan()  # a large upload, so that a chunk is running when we look
            pid = topology.running_chunk_pid(timeout=90)
            if pid is None:
                fault.detail = "no chunk ran within 90 s: nothing killed"
                self.log(f"fault {fault.label}: {fault.detail}")
                return
        fault.started = time.monotonic()
        if fault.kind == "redis_stop":
            topology.redis.kill()
            self._sleep(fault.duration)
            topology.redis.start()
        elif fault.kind == "pg_restart":
            topology.db.restart("fast")
        elif fault.kind == "worker_kill":
            os.kill(pid, signal.SIGKILL)
            fault.detail = f"pool process {pid} killed while running a chunk"
        elif fault.kind == "web_worker_kill":
            pids = topology.web_worker_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                fault.detail = f"gunicorn worker {pids[0]} killed"
        elif fault.kind == "disk_read_only":
            if topology.disk_fault.startswith("unavailable"):
                fault.detail = f"skipped: {topology.disk_fault}"
            else:
                topology.disk_read_only(True)
                self._sleep(fault.duration)
                topology.disk_read_only(False)
        elif fault.kind == "beat_stop":
            topology.beat.stop()
            self._beat_back.append((fault.started + fault.duration, fault))
            self.log(f"fault {fault.label}: beat stopped for {fault.duration:.0f}s")
            return
        fault.ended = time.monotonic()
        self.log(f"fault {fault.label}: done in {fault.ended - fault.started:.1f}s {fault.detail}")

    def restore(self) -> None:
        """After the run (or on an error): every server up again, the disk writable."""
        topology = self.topology
        if topology.redis.process is None:
            topology.redis.start()
        if not topology.db.running:
            topology.db.start()
        if topology.beat is None or topology.beat.pid is None:
            topology.start_beat()
        if topology.disk_fault == "read-only bind mount":
            topology.disk_read_only(False)
