"""Beat tasks of the performance app. Thin and safe to run twice.

Their schedules are rows of django-celery-beat (created by a data migration,
changeable in the admin).
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="performance.pg_stat_snapshot", ignore_result=True)
def pg_stat_snapshot() -> dict:
    """Snapshot pg_stat_statements and store the deltas (a no-op without the extension)."""
    from performance.db.pg_stat import take_snapshot

    return take_snapshot()


@shared_task(name="performance.index_audit", ignore_result=True)
def index_audit() -> dict:
    """Audit the indexes and store the report (a no-op off PostgreSQL)."""
    from performance.db.index_audit import run_audit, save_report

    report = run_audit()
    if not report.available:
        return {"saved": False, "reason": report.reason}
    return {"saved": True, "report_id": save_report(report).pk}


@shared_task(name="performance.flush_query_stats", ignore_result=True)
def flush_query_stats() -> bool:
    """Write this worker process's query aggregates now (web processes flush themselves)."""
    from performance.db.recorder import maybe_flush

    return maybe_flush(force=True)


@shared_task(name="performance.rollup_spans", ignore_result=True)
def rollup_spans() -> int:
    """Merge the processes' raw span rows into the 1-minute and 1-hour rollups."""
    from performance.profiling.rollup import rollup_spans as merge

    return merge()


@shared_task(name="performance.detect_bottlenecks", ignore_result=True)
def detect_bottlenecks() -> dict:
    """Run the bottleneck rules over what was recorded and keep their findings."""
    from performance.bottlenecks.services import run_rules

    return run_rules()


@shared_task(name="performance.trim_monitoring", ignore_result=True)
def trim_monitoring() -> dict:
    """Delete monitoring rows past their retention, in batches."""
    from performance.retention import trim

    return trim()
