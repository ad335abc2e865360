"""Merge the raw span rows of every process into the 1-minute and 1-hour rollups (a beat task).

Rows not merged yet (``rolled = false``, a partial index) are taken in
batches, oldest first; each batch is merged in Python — counts and sums
added, maxima kept, histograms added bucket by bucket, p50/p95/p99
estimated again — into the minute and hour rows, which are updated or
created, and the raw rows are marked merged, all in one transaction. A
rollup row is therefore final once no process has that minute's figures
left to flush. On PostgreSQL an advisory lock keeps two runs apart; SQLite
serialises writing transactions anyway. Safe to run twice.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connections, transaction

from performance.monitoring_models import HOUR, MINUTE, SpanRollup, SpanSample
from performance.profiling import histogram

LOCK_KEY = 0x5350_414E  # "SPAN"
SUMS = ("count", "errors", "total_ms", "db_ms", "queries", "cache_calls", "cache_ms")
FIELDS = (*SUMS, "max_ms", "histogram", "p50_ms", "p95_ms", "p99_ms")


def _bucket(minute: datetime, resolution: int) -> datetime:
    return minute.replace(minute=0) if resolution == HOUR else minute


def _add(target: dict, row: dict) -> None:
    for name in SUMS:
        target[name] = target.get(name, 0) + row[name]
    target["max_ms"] = max(target.get("max_ms", 0), row["max_ms"])
    target["histogram"] = histogram.merge(target.get("histogram", {}), histogram.unpack(row["histogram"]))


def _merge_batch(rows: list[dict]) -> dict[tuple, dict]:
    merged: dict[tuple, dict] = {}
    for row in rows:
        for resolution in (MINUTE, HOUR):
            key = (resolution, row["kind"], row["name"], _bucket(row["minute"], resolution))
            _add(merged.setdefault(key, {}), row)
    return merged


def _rollup_batch(batch: int, using: str) -> int:
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        rows = list(SpanSample.objects.using(using).filter(rolled=False).order_by("id")
                    .values("id", "kind", "name", "minute", "max_ms", "histogram", *SUMS)[:batch])
        if not rows:
            return 0
        merged = _merge_batch(rows)
        buckets = {key[3] for key in merged}
        existing = {
            (r.resolution, r.kind, r.name, r.bucket): r
            for r in SpanRollup.objects.using(using).filter(bucket__in=buckets,
                                                             name__in={k[2] for k in merged})
        }
        changed, created = [], []
        for key, figures in merged.items():
            row = existing.get(key)
            if row is None:
                row = SpanRollup(resolution=key[0], kind=key[1], name=key[2], bucket=key[3], histogram=b"")
                created.append(row)
            else:
                changed.append(row)
            stored = {name: getattr(row, name) for name in (*SUMS, "max_ms")}
            stored["histogram"] = histogram.unpack(row.histogram)
            _add(stored, {**figures, "histogram": histogram.pack(figures["histogram"])})
            stored["p50_ms"], stored["p95_ms"], stored["p99_ms"] = histogram.percentiles(stored["histogram"])
            stored["histogram"] = histogram.pack(stored["histogram"])
            for name, value in stored.items():
                setattr(row, name, value)
        SpanRollup.objects.using(using).bulk_create(created, batch_size=500)
        SpanRollup.objects.using(using).bulk_update(changed, FIELDS, batch_size=500)
        SpanSample.objects.using(using).filter(id__in=[r["id"] for r in rows]).update(rolled=True)
    return len(rows)


def rollup_spans(batch: int = 5000, using: str = "default") -> int:
    """Merge every waiting raw row; return how many."""
    total = 0
    while True:
        done = _rollup_batch(batch, using)
        total += done
        if done < batch:
            return total
