"""Admin: list, filter and end any session; browse activity and cleanup runs.

Session keys and data never appear: a key is a bearer secret, so rows are
shown by their public id, and ending one goes through the session store so
its cached copy goes too.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from sessions_ext import services
from sessions_ext.models import CleanupRun, Session, UserActivity
from sessions_ext.selectors import device_label


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(expire_date__gt=now)
        if self.value() == "expired":
            return queryset.filter(expire_date__lte=now)
        return queryset


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("public_id", "user", "device", "ip_address", "created_at", "last_activity", "expire_date")
    list_filter = (ActiveFilter, "last_activity", "created_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "ip_address")
    date_hierarchy = "last_activity"
    ordering = ("-last_activity",)
    fields = ("user", "created_at", "last_activity", "expire_date", "ip_address", "user_agent")
    readonly_fields = fields
    show_full_result_count = False
    actions = ["end_sessions"]

    @admin.display(description="device")
    def device(self, obj: Session) -> str:
        return device_label(obj.user_agent)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="End the selected sessions", permissions=["delete"])
    def end_sessions(self, request, queryset) -> None:
        ended = services.end_sessions(list(queryset.values_list("session_key", flat=True)))
        self.message_user(request, f"Ended {ended} session(s).", messages.SUCCESS)

    def delete_model(self, request, obj: Session) -> None:
        services.end_sessions([obj.session_key])

    def delete_queryset(self, request, queryset) -> None:
        services.end_sessions(list(queryset.values_list("session_key", flat=True)))


@admin.register(UserActivity)
class UserActivityAdmin(admin.ModelAdmin):
    list_display = (
        "timestamp", "user", "organization_id", "action", "object_type", "object_id", "ip_address",
    )
    list_filter = ("action", "timestamp")
    list_select_related = ("user",)
    search_fields = ("user__username", "object_id")
    date_hierarchy = "timestamp"
    raw_id_fields = ("user",)
    ordering = ("-timestamp",)
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # an audit trail is read-only


@admin.register(CleanupRun)
class CleanupRunAdmin(admin.ModelAdmin):
    list_display = ("job", "started_at", "finished_at", "total_removed", "error")
    list_filter = ("job",)
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
