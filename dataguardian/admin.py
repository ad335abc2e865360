"""The product's admin for organisations: deleting one takes its scans, findings and payments.

Registered here rather than in ``orgs/admin.py`` because it reaches into the
scans and billing apps, which build on ``orgs``; the orgs app imports neither.
"""

from django.contrib import admin
from django.db import transaction

from dataguardian.admin_deletion import summarised_deletion
from dataguardian.billing.models import Payment
from dataguardian.orgs.admin import MembershipInline
from dataguardian.orgs.models import Membership, Organization
from dataguardian.scans.models import Finding, Scan
from dataguardian.scans.services import scans_delete


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Deleting an organisation deletes its scans through the scan service first (their partitions)."""

    list_display = ("name", "slug", "plan", "created_at")
    list_filter = ("plan",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "created_at"
    inlines = [MembershipInline]

    def delete_model(self, request, obj) -> None:
        self.delete_queryset(request, Organization.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            scans_delete(scans=Scan.objects.filter(organization__in=queryset))
            queryset.delete()

    def get_deleted_objects(self, objs, request):
        ids = [org.pk for org in objs]
        return summarised_deletion(self, request, objs, [
            model.objects.filter(organization_id__in=ids) for model in (Membership, Scan, Finding, Payment)])
