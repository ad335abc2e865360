"""A dataset for the cache benches: organisations, members, scans with findings.

Built once in the bench database (found again by its first organisation's
slug) with bulk inserts; Django must be set up before this is imported.
"""

from __future__ import annotations

import hashlib
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dataguardian.orgs.models import Membership, Organization, Role
from dataguardian.scans.models import Entity, Finding, Scan, ScanKind, ScanStatus, Severity
from dataguardian.scans.services import scans_delete
from tests.foundation.factories import make_scan

SLUG = "bench-cache-{}"
ENTITIES = [Entity.EMAIL, Entity.PHONE, Entity.IBAN, Entity.NL_BSN, Entity.IP_ADDRESS]


def add_findings(scan: Scan, count: int, rng: random.Random) -> None:
    """``count`` findings over a few dozen files, then the scan's counts and entity totals."""
    rows, severities, entities = [], {s: 0 for s in Severity}, {}
    for n in range(count):
        entity, severity = rng.choice(ENTITIES), rng.choice(list(Severity))
        severities[severity] += 1
        entities[entity] = entities.get(entity, 0) + 1
        rows.append(Finding(
            scan=scan, organization_id=scan.organization_id, entity=entity, category="personal",
            severity=severity, confidence=0.9, path=f"share/dept{n % 7}/file{rng.randrange(40)}.csv",
            line=n + 1, column=1, masked_value="***", context="…***…",
            value_hash=hashlib.sha256(f"{scan.pk}:{n}".encode()).hexdigest(),
        ))
    Finding.objects.bulk_create(rows, batch_size=2000)
    scan.findings_count = count
    scan.count_low, scan.count_medium = severities[Severity.LOW], severities[Severity.MEDIUM]
    scan.count_high, scan.count_critical = severities[Severity.HIGH], severities[Severity.CRITICAL]
    scan.entity_counts = {str(k): v for k, v in entities.items()}
    scan.risk_score = round(rng.uniform(10, 90), 1)


def finish(scan: Scan, findings: int, rng: random.Random) -> None:
    """A running scan completes: its findings, counts and status in one transaction."""
    with transaction.atomic():
        add_findings(scan, findings, rng)
        scan.status, scan.finished_at = ScanStatus.COMPLETED, timezone.now()
        scan.progress_done = scan.progress_total = 1
        scan.save()


def ensure_dataset(orgs: int, users_per_org: int, scans_per_org: int, findings_per_scan: int
                   ) -> list[tuple[object, Organization]]:
    """(user, organisation) pairs of the dataset, created on first use."""
    User = get_user_model()
    if not Organization.objects.filter(slug=SLUG.format(0)).exists():
        rng = random.Random(42)
        for o in range(orgs):
            org = Organization.objects.create(name=f"Bench {o}", slug=SLUG.format(o))
            for u in range(users_per_org):
                user = User.objects.create(username=f"bench-cache-{o}-{u}")
                Membership.objects.create(user=user, organization=org, role=Role.ANALYST)
            for _ in range(scans_per_org):
                scan = make_scan(org, kind=ScanKind.DOCUMENTS, source="share",
                                           status=ScanStatus.RUNNING, progress_total=1)
                finish(scan, findings_per_scan, rng)
    # Scans the workload replay added in earlier runs go, so every run starts alike.
    for org in Organization.objects.filter(slug__startswith="bench-cache-"):
        scans = Scan.objects.filter(organization=org)
        keep = list(scans.order_by("pk").values_list("pk", flat=True)[:scans_per_org])
        scans_delete(scans=scans.exclude(pk__in=keep))
    pairs = Membership.objects.filter(organization__slug__startswith="bench-cache-").select_related(
        "user", "organization")
    return [(m.user, m.organization) for m in pairs]
