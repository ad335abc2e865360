from django.contrib import admin

from dataguardian.scans.models import Finding, Scan
from performance.paginators import EstimatedCountPaginator


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = (
        "id", "organization", "kind", "status", "progress_done", "progress_total",
        "findings_count", "count_critical", "risk_score", "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("source", "organization__name")
    list_select_related = ("organization", "created_by")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("created_by",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "started_at", "finished_at", "last_progress_at", "entity_counts")
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """Built for millions of rows: no full count, no per-row queries.

    No date hierarchy: drawing it aggregates the whole table.
    """

    list_display = ("id", "entity", "severity", "masked_value", "path", "line", "confidence", "scan")
    list_filter = ("severity", "entity")
    search_fields = ("=value_hash", "=scan__id")
    list_select_related = ("scan",)
    raw_id_fields = ("scan", "organization")
    readonly_fields = [field.name for field in Finding._meta.fields]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ("-id",)

    def has_add_permission(self, request) -> bool:
        # Findings come from scans; a hand-made one would have no real hash.
        return False
