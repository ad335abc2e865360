"""What the monitoring half of ``performance`` keeps (imported by ``performance.models``).

Spans: every process writes one raw row per (kind, name, minute) it saw
(``SpanSample``); beat merges them into 1-minute and 1-hour rollups
(``SpanRollup``) whose fixed log-scale histograms merge by adding.
Stacks from the sampling profiler are upserted per hour (``StackRollup``),
their text once per distinct stack (``StackText``).
The host monitor writes ``SystemSample`` every few seconds and its own
1-minute and 1-hour ``SystemRollup``; each process writes its connection
pool figures (``ProcessSample``). Rules write ``Bottleneck`` rows. The
schema and the reads it serves are in docs/ARCHITECTURE.md ("Monitoring").
"""

from django.db import models
from django.db.models import Q

MINUTE, HOUR = 60, 3600
RESOLUTIONS = [(MINUTE, "1 minute"), (HOUR, "1 hour")]


class SpanFigures(models.Model):
    """Counters shared by raw span samples and their rollups."""

    kind = models.CharField(max_length=16, help_text="request, task, function or queue (task wait).")
    name = models.CharField(max_length=200, help_text="Route pattern, task name or dotted function name.")
    count = models.BigIntegerField(default=0)
    errors = models.BigIntegerField(default=0)
    total_ms = models.FloatField(default=0)
    max_ms = models.FloatField(default=0)
    db_ms = models.FloatField(default=0)
    queries = models.BigIntegerField(default=0)
    cache_calls = models.BigIntegerField(default=0)
    cache_ms = models.FloatField(default=0)
    histogram = models.BinaryField(default=bytes, help_text="Counts per log bucket, packed (histogram.pack).")

    class Meta:
        abstract = True


class SpanSample(SpanFigures):
    """Raw: one process's figures for one (kind, name) over one minute. Kept 24 h."""

    minute = models.DateTimeField()
    host = models.CharField(max_length=100)
    pid = models.IntegerField()
    rolled = models.BooleanField(default=False, help_text="Merged into the rollups.")

    class Meta:
        indexes = [
            models.Index(fields=["kind", "name", "minute"], name="spansample_name_idx"),
            models.Index(fields=["minute"], name="spansample_minute_idx"),
            # The rollup task's queue: only rows not merged yet.
            models.Index(fields=["id"], name="spansample_pending_idx", condition=Q(rolled=False)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} @ {self.minute:%Y-%m-%d %H:%M} ({self.host}/{self.pid})"


class SpanRollup(SpanFigures):
    """All processes' figures for one (kind, name) over one minute or hour."""

    resolution = models.PositiveIntegerField(choices=RESOLUTIONS)
    bucket = models.DateTimeField(help_text="Start of the minute or hour.")
    p50_ms = models.FloatField(null=True)
    p95_ms = models.FloatField(null=True)
    p99_ms = models.FloatField(null=True)

    class Meta:
        constraints = [
            # Also the index of "one route's series over a range".
            models.UniqueConstraint(fields=["resolution", "kind", "name", "bucket"], name="spanrollup_uniq"),
        ]
        indexes = [
            # Every route in a range (tables, overview), and retention.
            models.Index(fields=["resolution", "bucket"], name="spanrollup_bucket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} @ {self.bucket:%Y-%m-%d %H:%M} ({self.get_resolution_display()})"


class StackText(models.Model):
    """One folded stack (``module.function;...`` root first), stored once."""

    hash = models.CharField(max_length=32, primary_key=True)
    folded = models.TextField()
    last_seen = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["last_seen"], name="stacktext_last_seen_idx")]

    def __str__(self) -> str:
        return self.folded.rsplit(";", 1)[-1][:120]


class StackRollup(models.Model):
    """Samples of one stack inside spans of one (kind, name), per hour (``resolution`` is 3600)."""

    resolution = models.PositiveIntegerField(choices=RESOLUTIONS)
    bucket = models.DateTimeField()
    kind = models.CharField(max_length=16)
    name = models.CharField(max_length=200)
    stack_hash = models.CharField(max_length=32)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resolution", "kind", "name", "bucket", "stack_hash"],
                                    name="stackrollup_uniq"),
        ]
        indexes = [models.Index(fields=["resolution", "bucket"], name="stackrollup_bucket_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.stack_hash[:8]} x{self.count}"


class SystemSample(models.Model):
    """Raw: one reading of a host by its monitor (every PERFORMANCE_MONITOR_INTERVAL s). Kept 24 h."""

    host = models.CharField(max_length=100)
    at = models.DateTimeField()
    values = models.JSONField(help_text="Flat figures: cpu_pct, mem_pct, pg_connections_active, ...")
    processes = models.JSONField(default=list, help_text="[{pid, role, cpu_pct, rss_bytes}]")
    errors = models.JSONField(default=dict, help_text="Probes that failed this time: {probe: reason}.")

    class Meta:
        indexes = [
            models.Index(fields=["host", "at"], name="systemsample_host_at_idx"),
            models.Index(fields=["at"], name="systemsample_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.host} @ {self.at:%Y-%m-%d %H:%M:%S}"


class SystemRollup(models.Model):
    """A host's figures over one minute or hour: per figure its sum, count (mean = sum / count) and max."""

    resolution = models.PositiveIntegerField(choices=RESOLUTIONS)
    host = models.CharField(max_length=100)
    bucket = models.DateTimeField()
    samples = models.IntegerField(default=0)
    sums = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    maxima = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resolution", "host", "bucket"], name="systemrollup_uniq"),
        ]
        indexes = [models.Index(fields=["resolution", "bucket"], name="systemrollup_bucket_idx")]

    def __str__(self) -> str:
        return f"{self.host} @ {self.bucket:%Y-%m-%d %H:%M} ({self.get_resolution_display()})"


class ProcessSample(models.Model):
    """Raw: one web or worker process's own figures at one flush. Kept 24 h."""

    at = models.DateTimeField()
    host = models.CharField(max_length=100)
    pid = models.IntegerField()
    role = models.CharField(max_length=16)
    cpu_pct = models.FloatField(default=0)
    rss_bytes = models.BigIntegerField(default=0)
    sampler_cpu_pct = models.FloatField(default=0, help_text="The stack sampler thread's share of a core.")
    spans_dropped = models.IntegerField(default=0)
    pool_size = models.IntegerField(null=True)
    pool_max = models.IntegerField(null=True)
    pool_available = models.IntegerField(null=True)
    pool_waiting = models.IntegerField(null=True, help_text="Requests waiting for a connection now.")
    pool_requests = models.IntegerField(null=True, help_text="Checkouts since the previous sample.")
    pool_queued = models.IntegerField(null=True, help_text="Checkouts that had to wait, since the previous.")
    pool_wait_ms = models.FloatField(null=True)
    pool_timeouts = models.IntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["host", "at"], name="processsample_host_at_idx"),
            models.Index(fields=["at"], name="processsample_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.host}/{self.pid} @ {self.at:%Y-%m-%d %H:%M:%S}"


class Bottleneck(models.Model):
    """One problem found by a rule, one row per fingerprint however often it is seen."""

    class Status(models.TextChoices):
        OPEN = "open"
        ACKNOWLEDGED = "acknowledged"
        RESOLVED = "resolved"

    class Severity(models.IntegerChoices):
        LOW = 1
        MEDIUM = 2
        HIGH = 3
        CRITICAL = 4

    fingerprint = models.CharField(max_length=32, unique=True)
    rule = models.CharField(max_length=40)
    subject = models.CharField(max_length=200, help_text="The route, task, table, host or namespace.")
    title = models.CharField(max_length=300)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    evidence = models.JSONField(default=dict, help_text="The numbers; query fingerprints, never values.")
    recommendation = models.TextField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    count = models.IntegerField(default=1, help_text="Rule runs that found it.")
    reopened = models.IntegerField(default=0)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Dashboard: open problems, worst and newest first.
            models.Index(fields=["status", "-severity", "-last_seen"], name="bottleneck_status_idx"),
            models.Index(fields=["-last_seen"], name="bottleneck_last_seen_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"
