"""Memberships in the admin; organisations are registered by the product (``dataguardian/admin.py``)."""

from django.contrib import admin

from dataguardian.orgs.models import Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "organization__name")
    list_select_related = ("user", "organization")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("user",)
