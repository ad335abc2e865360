"""Read-only changelists of what the database layer and monitoring recorded; bottlenecks' status."""

from django.contrib import admin, messages

from performance.bottlenecks.services import set_status
from performance.models import (
    Bottleneck,
    IndexAuditReport,
    NPlusOne,
    ProcessSample,
    QueryRollup,
    QueryStatDelta,
    QueryStatSnapshot,
    SlowQuery,
    SpanRollup,
    SystemSample,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are written by the recorder and the beat tasks, never by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SlowQuery)
class SlowQueryAdmin(ReadOnlyAdmin):
    list_display = ("fingerprint_short", "source", "calls", "mean_ms", "max_ms", "last_seen")
    list_filter = ("source",)
    search_fields = ("fingerprint", "source")
    date_hierarchy = "last_seen"
    ordering = ("-last_seen",)

    @admin.display(description="query")
    def fingerprint_short(self, obj: SlowQuery) -> str:
        return obj.fingerprint[:120]


@admin.register(NPlusOne)
class NPlusOneAdmin(ReadOnlyAdmin):
    list_display = ("source", "fingerprint_short", "max_repeats", "occurrences", "last_seen")
    list_filter = ("source",)
    search_fields = ("fingerprint", "source")
    date_hierarchy = "last_seen"
    ordering = ("-last_seen",)

    @admin.display(description="query")
    def fingerprint_short(self, obj: NPlusOne) -> str:
        return obj.fingerprint[:120]


@admin.register(QueryRollup)
class QueryRollupAdmin(ReadOnlyAdmin):
    list_display = ("source", "kind", "hour", "scopes", "queries", "db_ms", "max_queries")
    list_filter = ("kind",)
    search_fields = ("source",)
    date_hierarchy = "hour"
    ordering = ("-hour", "source")


class QueryStatDeltaInline(admin.TabularInline):
    model = QueryStatDelta
    fields = ("query", "calls", "total_ms", "mean_ms", "rows", "shared_blks_hit", "shared_blks_read")
    readonly_fields = fields
    ordering = ("-total_ms",)
    can_delete = False
    extra = 0


@admin.register(QueryStatSnapshot)
class QueryStatSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("taken_at", "interval_s", "statements", "calls", "total_ms", "reset_detected")
    exclude = ("baseline",)
    date_hierarchy = "taken_at"
    ordering = ("-taken_at",)
    inlines = [QueryStatDeltaInline]


@admin.register(QueryStatDelta)
class QueryStatDeltaAdmin(ReadOnlyAdmin):
    list_display = ("queryid", "query_short", "calls", "total_ms", "mean_ms", "snapshot")
    list_select_related = ("snapshot",)
    raw_id_fields = ("snapshot",)
    search_fields = ("query",)
    ordering = ("-snapshot__taken_at", "-total_ms")

    @admin.display(description="query")
    def query_short(self, obj: QueryStatDelta) -> str:
        return obj.query[:120]


@admin.register(IndexAuditReport)
class IndexAuditReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "database", "unused_count", "seq_scan_count", "duplicate_count",
                    "reclaimable_bytes")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)


@admin.register(SpanRollup)
class SpanRollupAdmin(ReadOnlyAdmin):
    list_display = ("bucket", "resolution", "kind", "name", "count", "errors", "p50_ms", "p95_ms", "p99_ms",
                    "db_ms")
    list_filter = ("resolution", "kind")
    search_fields = ("name",)
    date_hierarchy = "bucket"
    ordering = ("-bucket", "name")
    exclude = ("histogram",)


@admin.register(SystemSample)
class SystemSampleAdmin(ReadOnlyAdmin):
    list_display = ("at", "host", "errors")
    list_filter = ("host",)
    date_hierarchy = "at"
    ordering = ("-at",)


@admin.register(ProcessSample)
class ProcessSampleAdmin(ReadOnlyAdmin):
    list_display = ("at", "host", "pid", "role", "cpu_pct", "rss_bytes", "sampler_cpu_pct", "pool_size",
                    "pool_waiting", "pool_timeouts")
    list_filter = ("host", "role")
    date_hierarchy = "at"
    ordering = ("-at",)


@admin.register(Bottleneck)
class BottleneckAdmin(ReadOnlyAdmin):
    """Found by the rules; staff change only their status (recorded in the admin's history)."""

    list_display = ("title", "rule", "severity", "status", "count", "first_seen", "last_seen")
    list_filter = ("status", "rule", "severity")
    search_fields = ("title", "subject")
    date_hierarchy = "last_seen"
    ordering = ("status", "-severity", "-last_seen")
    actions = ["acknowledge", "resolve", "reopen"]

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("performance.change_bottleneck")  # for the actions

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def _set(self, request, queryset, status: str) -> None:
        for bottleneck in queryset:
            set_status(bottleneck, status)
            self.log_change(request, bottleneck, f"Marked {status}.")
        self.message_user(request, f"{queryset.count()} marked {status}.", messages.SUCCESS)

    @admin.action(description="Acknowledge")
    def acknowledge(self, request, queryset):
        self._set(request, queryset, Bottleneck.Status.ACKNOWLEDGED)

    @admin.action(description="Resolve")
    def resolve(self, request, queryset):
        self._set(request, queryset, Bottleneck.Status.RESOLVED)

    @admin.action(description="Reopen")
    def reopen(self, request, queryset):
        self._set(request, queryset, Bottleneck.Status.OPEN)
