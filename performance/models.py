"""What the database layer keeps: aggregates, never a row per query.

Slow queries and N+1 patterns are aggregated in memory by fingerprint and
upserted in batches; pg_stat_statements is stored as deltas between
snapshots; index audits as one JSON report per run. The monitoring tables
are in ``monitoring_models``.
"""

from django.db import models


class SlowQuery(models.Model):
    """A query shape that ran slower than PERFORMANCE_SLOW_QUERY_MS, per view or task."""

    fingerprint_hash = models.CharField(max_length=32)
    source = models.CharField(max_length=200, help_text="The view or task that ran it.")
    fingerprint = models.TextField(help_text="The SQL with every literal replaced by ?.")
    example = models.TextField(help_text="One occurrence, its values masked.")
    calls = models.BigIntegerField(default=0)
    total_ms = models.FloatField(default=0)
    max_ms = models.FloatField(default=0)
    explain = models.TextField(blank=True, help_text="Plan (opt-in), literals masked.")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name_plural = "slow queries"
        constraints = [
            models.UniqueConstraint(fields=["fingerprint_hash", "source"], name="slowquery_fp_source_uniq"),
        ]
        indexes = [
            # Dashboard: the most recently seen slow queries.
            models.Index(fields=["-last_seen"], name="slowquery_last_seen_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.fingerprint[:80]} ({self.source})"

    @property
    def mean_ms(self) -> float:
        return self.total_ms / self.calls if self.calls else 0.0


class NPlusOne(models.Model):
    """A query shape repeated more than PERFORMANCE_N_PLUS_ONE_THRESHOLD times in one request or task."""

    fingerprint_hash = models.CharField(max_length=32)
    source = models.CharField(max_length=200, help_text="The view or task that ran it.")
    fingerprint = models.TextField()
    example = models.TextField()
    occurrences = models.BigIntegerField(default=0, help_text="Requests or tasks where it was flagged.")
    max_repeats = models.IntegerField(default=0, help_text="Most runs of it in one request or task.")
    max_total_ms = models.FloatField(default=0, help_text="Most time its runs took in one request or task.")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name = "N+1 query"
        constraints = [
            models.UniqueConstraint(fields=["fingerprint_hash", "source"], name="nplusone_fp_source_uniq"),
        ]
        indexes = [
            # Dashboard: the most recently flagged patterns.
            models.Index(fields=["-last_seen"], name="nplusone_last_seen_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.fingerprint[:80]} x{self.max_repeats}"


class QueryRollup(models.Model):
    """Queries and database time per view or task, per hour (flushed in batches)."""

    source = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, help_text="request or task")
    hour = models.DateTimeField()
    scopes = models.BigIntegerField(default=0, help_text="Requests or tasks.")
    queries = models.BigIntegerField(default=0)
    db_ms = models.FloatField(default=0)
    max_queries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "hour"], name="queryrollup_source_hour_uniq"),
        ]
        indexes = [
            # Dashboard: the last hours, all sources.
            models.Index(fields=["-hour"], name="queryrollup_hour_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} @ {self.hour:%Y-%m-%d %H:00}"


class QueryStatSnapshot(models.Model):
    """One pg_stat_statements snapshot; ``baseline`` (latest only) holds the counters."""

    taken_at = models.DateTimeField(auto_now_add=True)
    interval_s = models.FloatField(null=True, blank=True, help_text="Since the previous snapshot.")
    statements = models.IntegerField(default=0, help_text="Entries seen in pg_stat_statements.")
    calls = models.BigIntegerField(default=0, help_text="Calls in the interval, all statements.")
    total_ms = models.FloatField(default=0, help_text="Execution time in the interval.")
    reset_detected = models.BooleanField(default=False)
    baseline = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            # Dashboard charts: snapshots over time.
            models.Index(fields=["-taken_at"], name="qss_taken_at_idx"),
        ]

    def __str__(self) -> str:
        return f"pg_stat_statements @ {self.taken_at:%Y-%m-%d %H:%M}"


class QueryStatDelta(models.Model):
    """One statement's activity between two snapshots (the top ones only)."""

    snapshot = models.ForeignKey(
        QueryStatSnapshot, on_delete=models.CASCADE, related_name="deltas", db_index=False
    )  # indexed first in qsd_snapshot_total_idx
    queryid = models.BigIntegerField()
    query = models.TextField(help_text="pg_stat_statements' normalised text, literals masked.")
    calls = models.BigIntegerField()
    total_ms = models.FloatField()
    mean_ms = models.FloatField()
    rows = models.BigIntegerField()
    shared_blks_hit = models.BigIntegerField()
    shared_blks_read = models.BigIntegerField()

    class Meta:
        indexes = [
            # A snapshot's top statements; one statement's history by queryid.
            models.Index(fields=["snapshot", "-total_ms"], name="qsd_snapshot_total_idx"),
            models.Index(fields=["queryid", "snapshot"], name="qsd_queryid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.query[:80]} ({self.calls} calls)"


class IndexAuditReport(models.Model):
    """One run of the index audit, as JSON plus headline counts."""

    created_at = models.DateTimeField(auto_now_add=True)
    database = models.CharField(max_length=100)
    unused_count = models.IntegerField(default=0)
    seq_scan_count = models.IntegerField(default=0)
    duplicate_count = models.IntegerField(default=0)
    reclaimable_bytes = models.BigIntegerField(default=0, help_text="Size of unused and duplicate indexes.")
    report = models.JSONField(default=dict)

    class Meta:
        indexes = [
            # Dashboard: the latest report.
            models.Index(fields=["-created_at"], name="indexaudit_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Index audit of {self.database} @ {self.created_at:%Y-%m-%d %H:%M}"


# The monitoring tables (spans, stacks, system samples, bottlenecks) live in their own module.
from performance.monitoring_models import (  # noqa: E402
    Bottleneck,
    ProcessSample,
    SpanRollup,
    SpanSample,
    StackRollup,
    StackText,
    SystemRollup,
    SystemSample,
)

__all__ = [
    "SlowQuery", "NPlusOne", "QueryRollup", "QueryStatSnapshot", "QueryStatDelta", "IndexAuditReport",
    "SpanSample", "SpanRollup", "StackText", "StackRollup", "SystemSample", "SystemRollup",
    "ProcessSample", "Bottleneck",
]
