"""Write what one process gathered since its last flush: one statement per table, one transaction.

- ``SpanSample``: one multi-row INSERT of the span table (raw rows; beat
  merges them into ``SpanRollup``, ``profiling.rollup``);
- ``StackText``: the distinct folded stacks, upserted (``last_seen``);
- ``StackRollup``: stack counts added into the hour's rows (``INSERT ...
  ON CONFLICT DO UPDATE SET count = count + excluded.count``, rows sorted by
  key so that two processes never deadlock); stacks are kept per hour only;
- ``ProcessSample``: one row of this process's figures.

Raises on failure; the flusher puts the figures back and logs once.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.db import connections, transaction

from performance.db.store import upsert
from performance.monitoring_models import HOUR, ProcessSample, SpanSample, StackRollup, StackText
from performance.profiling import histogram
from performance.profiling.spans import SpanStats


def _at(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC)


def stack_hash(folded: str) -> str:
    return hashlib.blake2b(folded.encode(), digest_size=16).hexdigest()


def span_rows(spans: dict[tuple[str, str, int], SpanStats], host: str, pid: int) -> list[SpanSample]:
    return [
        SpanSample(
            kind=kind, name=name, minute=_at(minute * 60), host=host, pid=pid, count=s.count, errors=s.errors,
            total_ms=s.total_s * 1000, max_ms=s.max_s * 1000, db_ms=s.db_s * 1000, queries=s.queries,
            cache_calls=s.cache_calls, cache_ms=s.cache_s * 1000, histogram=histogram.pack(s.histogram),
        )
        for (kind, name, minute), s in spans.items()
    ]


def _stack_rows(stacks: dict[tuple[str, str, int], list[tuple[str, int]]]):
    texts: dict[str, str] = {}
    counts: dict[tuple, int] = {}
    for (kind, name, minute), folded in stacks.items():
        for text, n in folded:
            digest = stack_hash(text)
            texts[digest] = text
            key = (HOUR, kind, name, _at(minute * 60 // HOUR * HOUR), digest)
            counts[key] = counts.get(key, 0) + n
    return texts, counts


def write(spans, stacks, process: dict | None, host: str, pid: int, alias: str = "default") -> None:
    """Write one flush's spans, stacks and process sample in one transaction."""
    connection = connections[alias]
    rows = span_rows(spans, host, pid)
    texts, counts = _stack_rows(stacks)
    now = datetime.now(tz=UTC)
    with transaction.atomic(using=alias):
        if rows:
            SpanSample.objects.using(alias).bulk_create(rows, batch_size=1000)
        if texts:
            with connection.cursor() as cursor:
                upsert(cursor, connection, StackText._meta.db_table, ["hash"], ["folded", "last_seen"],
                       {"last_seen": "{new}"}, [(h, texts[h], now) for h in sorted(texts)])
                upsert(cursor, connection, StackRollup._meta.db_table,
                       ["resolution", "kind", "name", "bucket", "stack_hash"], ["count"],
                       {"count": "{old} + {new}"}, [(*key, n) for key, n in sorted(counts.items())])
        if process is not None:
            ProcessSample.objects.using(alias).create(at=now, host=host, pid=pid, **process)
