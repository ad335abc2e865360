"""Small builders for domain rows, shared by tests (no factory library needed)."""

import datetime
import hashlib
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from dataguardian.billing.models import Payment
from dataguardian.orgs.models import Membership, Organization, Role
from dataguardian.scans.models import Finding, Scan, Severity
from dataguardian.scans.services import partition_lifecycle

_seq = itertools.count(1)


def make_org(name: str | None = None) -> Organization:
    n = next(_seq)
    return Organization.objects.create(name=name or f"Org {n}", slug=f"org-{n}")


def make_member(org: Organization, role: str = Role.ANALYST, username: str | None = None):
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password="a-long-test-password"
    )
    Membership.objects.create(user=user, organization=org, role=role)
    return user


def make_scan(org: Organization, **fields) -> Scan:
    """A scan row with its findings partition, as ``services.scan_create`` makes it (no job, no task)."""
    fields.setdefault("kind", "documents")
    fields.setdefault("source", "upload: demo.zip")
    with transaction.atomic():
        scan = Scan.objects.create(organization=org, **fields)
        partition_lifecycle.on_scan_created(scan)
    return scan


def value_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_finding(scan: Scan, **fields) -> Finding:
    n = next(_seq)
    defaults = dict(
        entity="EMAIL", category="user.contact.email", severity=Severity.MEDIUM,
        confidence=0.9, path="docs/a.txt", line=1, column=1,
        masked_value="j***@example.nl", value_hash=value_hash(str(n)),
    )
    defaults.update(fields)
    return Finding.objects.create(scan=scan, organization=scan.organization, **defaults)


def make_payment(org: Organization, **fields) -> Payment:
    defaults = dict(
        amount=Decimal("49.00"), currency="EUR", plan="starter",
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31),
    )
    defaults.update(fields)
    return Payment.objects.create(organization=org, **defaults)
