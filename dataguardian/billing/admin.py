from django.contrib import admin

from dataguardian.billing.models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = (
        "organization", "amount", "currency", "status", "plan", "period_start", "created_at", "paid_at",
    )
    list_filter = ("status", "currency", "plan")
    search_fields = ("provider_reference", "organization__name")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
