"""Export what monitoring recorded over a time range, streamed: JSON (schema v1) or speedscope.

``export_json(since, until)`` yields the document in pieces; rows are read
with ``iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL), so a
month of data never sits in memory. The document follows
``performance/export_schema.json`` (``format`` and ``version`` say which):
raw spans, span rollups, stacks (folded text and counts), system samples
and rollups, process samples, bottlenecks. It holds names, figures and
query fingerprints (literals replaced by ``?``), never a query's values or
anything from a request: nothing personal is recorded in the first place.

``export_speedscope(since, until)`` turns the sampled stacks into one
speedscope "sampled" profile per route or task.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.db.models import OuterRef, Subquery

from performance.monitoring_models import (
    Bottleneck,
    ProcessSample,
    SpanRollup,
    SpanSample,
    StackRollup,
    StackText,
    SystemRollup,
    SystemSample,
)
from performance.profiling import histogram

FORMAT = "dataguardian-performance-export"
VERSION = 1
CHUNK = 2000
MAX_RANGE = timedelta(days=3650)
SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json"
_FIGURES = ("count", "errors", "total_ms", "max_ms", "db_ms", "queries", "cache_calls", "cache_ms",
            "histogram")


def _default(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def _dumps(value) -> str:
    return json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False)


def _sections(since: datetime, until: datetime) -> list[tuple[str, object]]:
    stack_text = Subquery(StackText.objects.filter(hash=OuterRef("stack_hash")).values("folded")[:1])
    return [
        ("spans", SpanSample.objects.filter(minute__gte=since, minute__lt=until).order_by("minute", "id")
         .values("kind", "name", "minute", "host", "pid", *_FIGURES)),
        ("rollups", SpanRollup.objects.filter(bucket__gte=since, bucket__lt=until)
         .order_by("resolution", "bucket", "id")
         .values("resolution", "kind", "name", "bucket", *_FIGURES, "p50_ms", "p95_ms", "p99_ms")),
        ("stacks", StackRollup.objects.filter(bucket__gte=since.replace(minute=0, second=0, microsecond=0),
                                              bucket__lt=until)
         .order_by("resolution", "bucket", "id").annotate(stack=stack_text)
         .values("resolution", "kind", "name", "bucket", "stack", "count")),
        ("system", SystemSample.objects.filter(at__gte=since, at__lt=until).order_by("at", "id")
         .values("host", "at", "values", "processes", "errors")),
        ("system_rollups", SystemRollup.objects.filter(bucket__gte=since, bucket__lt=until)
         .order_by("resolution", "bucket", "id")
         .values("resolution", "host", "bucket", "samples", "sums", "counts", "maxima")),
        ("processes", ProcessSample.objects.filter(at__gte=since, at__lt=until).order_by("at", "id")
         .values("at", "host", "pid", "role", "cpu_pct", "rss_bytes", "sampler_cpu_pct", "spans_dropped",
                 "pool_size", "pool_max", "pool_available", "pool_waiting", "pool_requests", "pool_queued",
                 "pool_wait_ms", "pool_timeouts")),
        ("bottlenecks", Bottleneck.objects.filter(last_seen__gte=since, first_seen__lt=until)
         .order_by("first_seen", "id")
         .values("fingerprint", "rule", "subject", "title", "severity", "status", "evidence",
                 "recommendation", "first_seen", "last_seen", "count", "reopened")),
    ]


def export_json(since: datetime, until: datetime) -> Iterator[str]:
    """The export document, in pieces (join them, or write them as they come)."""
    head = {"format": FORMAT, "version": VERSION, "generated_at": datetime.now(tz=UTC),
            "since": since, "until": until}
    yield _dumps(head)[:-1]
    for name, rows in _sections(since, until):
        yield f',"{name}":['
        first = True
        for row in rows.iterator(chunk_size=CHUNK):
            if "histogram" in row:
                row["histogram"] = histogram.to_json(histogram.unpack(row["histogram"]))
            yield ("" if first else ",") + _dumps(row)
            first = False
        yield "]"
    yield "}\n"


def export_speedscope(since: datetime, until: datetime) -> Iterator[str]:
    """The sampled stacks of the range as a speedscope file, one profile per route or task."""
    hour = since.replace(minute=0, second=0, microsecond=0)
    rows = (StackRollup.objects.filter(bucket__gte=hour, bucket__lt=until)
            .order_by("kind", "name").values_list("kind", "name", "stack_hash", "count"))
    frames: dict[str, int] = {}
    texts: dict[str, str] = {}
    yield _dumps({"$schema": SPEEDSCOPE_SCHEMA, "exporter": f"{FORMAT} v{VERSION}",
                  "name": f"{since.isoformat()} to {until.isoformat()}", "activeProfileIndex": 0})[:-1]
    yield ',"profiles":['
    current, counts, written = None, defaultdict(int), 0
    for kind, name, stack_hash, count in rows.iterator(chunk_size=CHUNK):
        if (kind, name) != current and current is not None:
            yield ("," if written else "") + _profile(current, counts, frames, texts)
            written += 1
            counts = defaultdict(int)
        current = (kind, name)
        counts[stack_hash] += count
    if current is not None:
        yield ("," if written else "") + _profile(current, counts, frames, texts)
    yield '],"shared":{"frames":' + _dumps([{"name": n} for n in frames]) + "}}\n"


def _profile(key, counts, frames, texts) -> str:
    missing = [h for h in counts if h not in texts]
    texts.update(StackText.objects.filter(hash__in=missing).values_list("hash", "folded"))
    samples, weights = [], []
    for stack_hash, count in sorted(counts.items(), key=lambda item: item[1], reverse=True):
        folded = texts.get(stack_hash, "(unknown)")
        samples.append([frames.setdefault(frame, len(frames)) for frame in folded.split(";")])
        weights.append(count)
    total = sum(weights)
    return _dumps({"type": "sampled", "name": f"{key[0]} {key[1]}", "unit": "none", "startValue": 0,
                   "endValue": total, "samples": samples, "weights": weights})


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """``24h``, ``30m``, ``7d``, ``90s`` (that long ago) or an ISO 8601 date-time (UTC if no zone)."""
    now = now or datetime.now(tz=UTC)
    text = (text or "").strip()
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    if text[:-1].isdigit() and text[-1:] in units:
        amount = int(text[:-1])
        if amount <= 0:
            raise ValueError(f"{text!r}: a duration must be more than zero")
        try:
            delta = timedelta(**{units[text[-1]]: amount})
        except OverflowError:
            delta = timedelta.max
        if delta > MAX_RANGE:
            raise ValueError(f"{text!r}: more than {MAX_RANGE.days} days back")
        return now - delta
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is neither a duration (24h, 30m, 7d) nor an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def time_range(since: str, until: str | None = None) -> tuple[datetime, datetime]:
    """Parse and check ``since``/``until``; ValueError with a readable message when they make no sense."""
    now = datetime.now(tz=UTC)
    start = parse_time(since, now)
    end = parse_time(until, now) if until else now
    if start >= end:
        raise ValueError(f"since ({start.isoformat()}) must be before until ({end.isoformat()})")
    return start, end
