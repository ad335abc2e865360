"""The flusher: a thread per process that writes what the process gathered, every few seconds.

Every PERFORMANCE_FLUSH_INTERVAL seconds it writes the spans and sampled
stacks of the minutes that are over — so each process writes one raw row per
(kind, name, minute) — and a process sample (``profiling.store``), and gives
``performance.db`` its flush point too; at exit it writes everything. It runs off the request
path: a request never writes a monitoring row. A failed write keeps the
figures for the next try and is logged once per outage; nothing here ever
raises into the process.
"""

from __future__ import annotations

import logging
import os
import threading

from django.db import connections

from performance import conf
from performance.db import recorder as db_recorder
from performance.outage import OutageLog
from performance.profiling import store
from performance.profiling.process import ProcessFigures
from performance.profiling.sampler import sampler
from performance.profiling.spans import recorder

logger = logging.getLogger(__name__)
writes = OutageLog(logger, "could not write monitoring data")


def flush(figures: ProcessFigures | None = None, everything: bool = True) -> bool:
    """Write the spans and stacks of finished minutes (or ``everything``) and, with ``figures``, a
    process sample; True when written (or nothing was due)."""
    alias = conf.get("PERFORMANCE_DB_ALIAS")
    spans, dropped = recorder.take(everything)
    stacks = sampler.take(everything)
    try:
        process = figures.collect(dropped, sampler.cpu_seconds, alias) if figures is not None else None
        if not (spans or stacks or process):
            return True
        with db_recorder.suspended():
            store.write(spans, stacks, process, conf.host_name(), os.getpid(), alias)
        if process and process.get("pool_size") is not None and conf.get("PERFORMANCE_METRICS"):
            from performance import metrics

            metrics.set_pool(process["pool_size"], process["pool_available"], process["pool_waiting"])
    except Exception as exc:  # noqa: BLE001 - monitoring must never break the process
        writes.failed(exc)
        recorder.put_back(spans)
        sampler.put_back(stacks)
        return False
    writes.succeeded()
    return True


def flush_all(figures: ProcessFigures | None = None, everything: bool = False) -> None:
    """The query statistics (when due) and the monitoring data; closes this thread's connection."""
    try:
        db_recorder.maybe_flush(force=everything)
        flush(figures, everything)
    finally:
        try:
            connections[conf.get("PERFORMANCE_DB_ALIAS")].close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail too
            logger.debug("closing the flusher's connection failed", exc_info=True)


class Flusher:
    def __init__(self, role: str):
        self.figures = ProcessFigures(role)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="performance-flusher", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, final_flush: bool = True) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(10)
        if final_flush:
            flush_all(self.figures, everything=True)

    def _run(self) -> None:
        while not self.stop_event.wait(conf.get("PERFORMANCE_FLUSH_INTERVAL")):
            flush_all(self.figures)
