"""Shared by the page tests and bench/pages.py: findings in bulk, fast."""

from __future__ import annotations

import hashlib

from django.db.models import F

from dataguardian.scans.models import Entity, Finding, Scan

ENTITIES = [Entity.EMAIL, Entity.IBAN, Entity.NL_BSN, Entity.PHONE, Entity.CREDIT_CARD, Entity.IP_ADDRESS]


def bulk_findings(scan: Scan, count: int, batch: int = 5000) -> None:
    """Write ``count`` (more) findings of mixed entity and severity for ``scan``,
    and add them to the scan's counters as the summary task would."""
    severity_counts = {1: 0, 2: 0, 3: 0, 4: 0}
    entity_counts: dict[str, int] = {}
    rows = []
    start = Finding.objects.filter(scan_id=scan.pk).count()
    for n in range(start, start + count):
        entity = ENTITIES[n % len(ENTITIES)]
        severity = 1 + (n * 7) % 4
        severity_counts[severity] += 1
        entity_counts[entity] = entity_counts.get(entity, 0) + 1
        rows.append(Finding(
            scan=scan, organization_id=scan.organization_id, entity=entity,
            category="personal", severity=severity, confidence=0.5 + (n % 50) / 100,
            path=f"exports/part-{n % 40:02d}/customers.csv", line=n % 5000 + 1, column=3,
            masked_value=f"***{n % 10000:04d}", value_hash=hashlib.sha256(str(n).encode()).hexdigest(),
            context=f"row {n}: name, ***{n % 10000:04d}, city",
        ))
        if len(rows) == batch:
            Finding.objects.bulk_create(rows)
            rows = []
    if rows:
        Finding.objects.bulk_create(rows)
    scan.refresh_from_db()
    for entity, n in (scan.entity_counts or {}).items():
        entity_counts[entity] = entity_counts.get(entity, 0) + n
    Scan.objects.filter(pk=scan.pk).update(
        findings_count=start + count, count_low=F("count_low") + severity_counts[1],
        count_medium=F("count_medium") + severity_counts[2], count_high=F("count_high") + severity_counts[3],
        count_critical=F("count_critical") + severity_counts[4], entity_counts=entity_counts,
    )
    scan.refresh_from_db()
