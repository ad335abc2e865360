from django.contrib import admin

from dataguardian.admin_deletion import summarised_deletion
from dataguardian.scans.models import Finding, Scan, ScanChunk, ScanCredential, ScanJob
from dataguardian.scans.services import partition_lifecycle, scans_delete
from performance.paginators import EstimatedCountPaginator


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    """Scans are added, and deleted with their findings, through the scan services."""

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

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            partition_lifecycle.on_scan_created(obj)

    def delete_model(self, request, obj) -> None:
        scans_delete(scans=Scan.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        scans_delete(scans=queryset)

    def get_deleted_objects(self, objs, request):
        ids = [scan.pk for scan in objs]
        return summarised_deletion(self, request, objs, [
            model.objects.filter(scan_id__in=ids) for model in (Finding, ScanChunk, ScanJob, ScanCredential)])


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
