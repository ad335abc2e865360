"""Read-only changelists of what the database layer recorded."""

from django.contrib import admin

from performance.models import (
    IndexAuditReport,
    NPlusOne,
    QueryRollup,
    QueryStatDelta,
    QueryStatSnapshot,
    SlowQuery,
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
