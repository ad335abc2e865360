"""A scope and a span per Celery task, named after the task; the time it waited in the queue.

``before_task_publish`` stamps each message with the time it was sent
(header ``perf_sent_at``); ``task_prerun`` opens the task's scope and
records the wait since then as a span of kind ``queue`` (tasks given an ETA
or countdown wait on purpose and are left out); ``task_postrun`` closes
the scope, records the task's span (an error when it ended in FAILURE) and
its metrics. ``worker_process_init`` starts the process's flusher and
sampler threads.
"""

from __future__ import annotations

import logging
import time
from threading import get_ident

from performance import conf
from performance.db import recorder
from performance.outage import OutageLog

logger = logging.getLogger(__name__)
metric_writes = OutageLog(logger, "could not update the task metrics")
SENT_AT = "perf_sent_at"

_tokens: dict[str, object] = {}


def _before_publish(headers=None, **kwargs) -> None:
    if isinstance(headers, dict):
        headers[SENT_AT] = time.time()


def _queue_wait(task) -> float | None:
    request = getattr(task, "request", None)
    if request is None or getattr(request, "eta", None):
        return None
    sent = getattr(request, SENT_AT, None)
    if sent is None:
        sent = (getattr(request, "headers", None) or {}).get(SENT_AT)
    try:
        return max(0.0, time.time() - float(sent)) if sent is not None else None
    except (TypeError, ValueError):
        return None  # a header we did not write


def _task_prerun(task_id=None, task=None, **kwargs) -> None:
    name = getattr(task, "name", "task")[:200]
    _tokens[task_id] = recorder.begin("task", name)
    if conf.get("PERFORMANCE_PROFILING"):
        from performance.profiling.spans import active
        from performance.profiling.spans import recorder as spans

        active.setdefault(get_ident(), recorder.current())  # an eager task keeps its request's entry
        wait = _queue_wait(task)
        if wait is not None:
            spans.record("queue", name, wait)


def _task_postrun(task_id=None, state=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is None:
        return
    scope = recorder.current()
    try:
        recorder.end(token)
    except ValueError:
        return  # token from another context (should not happen); the scope is lost, not the task
    if scope is not None:
        _record_task(scope, state)
    recorder.maybe_flush()


def _record_task(scope, state) -> None:
    from performance.profiling.spans import active, record_scope

    if active.get(get_ident()) is scope:
        del active[get_ident()]
    error = state == "FAILURE"
    seconds = time.perf_counter() - scope.start
    if conf.get("PERFORMANCE_PROFILING"):
        record_scope(scope, error, seconds)
    if conf.get("PERFORMANCE_METRICS"):
        from performance import metrics

        try:
            metrics.observe_task(scope.name, state or "UNKNOWN", seconds)
        except Exception as exc:  # noqa: BLE001 - metrics must never fail a task
            metric_writes.failed(exc)


def _process_init(**kwargs) -> None:
    from performance.profiling import runtime

    runtime.start("worker")


def _flush_at_exit(**kwargs) -> None:
    from performance.profiling import runtime

    runtime.stop(final_flush=True)
    recorder.maybe_flush(force=True)


def setup() -> bool:
    """Connect the Celery signals if Celery is installed and instrumentation or profiling is on."""
    if not (conf.get("PERFORMANCE_DB_INSTRUMENTATION") or conf.get("PERFORMANCE_PROFILING")):
        return False
    try:
        from celery.signals import (
            before_task_publish,
            task_postrun,
            task_prerun,
            worker_process_init,
            worker_process_shutdown,
        )
    except ImportError:
        return False
    before_task_publish.connect(_before_publish, weak=False, dispatch_uid="performance.db.publish")
    task_prerun.connect(_task_prerun, weak=False, dispatch_uid="performance.db.task_prerun")
    task_postrun.connect(_task_postrun, weak=False, dispatch_uid="performance.db.task_postrun")
    worker_process_init.connect(_process_init, weak=False, dispatch_uid="performance.db.process_init")
    worker_process_shutdown.connect(_flush_at_exit, weak=False, dispatch_uid="performance.db.shutdown")
    return True
