"""Payments for an organisation's plan."""

from django.db import models

from dataguardian.orgs.models import Organization


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"


class Payment(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="payments", db_index=False
    )  # indexed first in payment_org_status_idx
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    provider_reference = models.CharField(max_length=120, blank=True)
    plan = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payment_amount_non_negative"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="payment_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PaymentStatus.values), name="payment_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="payment_currency_iso"
            ),
            # A provider reference identifies one payment; blank ones are not yet known.
            models.UniqueConstraint(
                fields=["provider_reference"],
                condition=~models.Q(provider_reference=""),
                name="payment_provider_ref_uniq",
            ),
        ]
        indexes = [
            # Billing page: an organisation's payments by status, newest first.
            models.Index(
                fields=["organization", "status", "-created_at"], name="payment_org_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.status})"
