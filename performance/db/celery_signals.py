"""A query scope per Celery task, named after the task (task_prerun/task_postrun)."""

from __future__ import annotations

from performance.db import conf, recorder

_tokens: dict[str, object] = {}


def _task_prerun(task_id=None, task=None, **kwargs) -> None:
    _tokens[task_id] = recorder.begin("task", getattr(task, "name", "task")[:200])


def _task_postrun(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is None:
        return
    try:
        recorder.end(token)
    except ValueError:
        return  # token from another context (should not happen); the scope is lost, not the task
    recorder.maybe_flush()


def _flush_at_exit(**kwargs) -> None:
    recorder.maybe_flush(force=True)


def setup() -> bool:
    """Connect the Celery signals if Celery is installed and instrumentation is on."""
    if not conf.get("PERFORMANCE_DB_INSTRUMENTATION"):
        return False
    try:
        from celery.signals import task_postrun, task_prerun, worker_process_shutdown
    except ImportError:
        return False
    task_prerun.connect(_task_prerun, weak=False, dispatch_uid="performance.db.task_prerun")
    task_postrun.connect(_task_postrun, weak=False, dispatch_uid="performance.db.task_postrun")
    worker_process_shutdown.connect(_flush_at_exit, weak=False, dispatch_uid="performance.db.shutdown")
    return True
