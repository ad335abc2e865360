"""The data of bench/db_indexes.py: skewed tenants, loaded with COPY."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

from django.db import connection

from bench.lib.copyload import copy_rows

ORGS = 1_000
USERS = 100_000
PAYMENTS = 100_000
BIG_ORG_SCANS = 10_000
BIG_SCAN_FINDINGS = 200_000
ENTITIES = ["EMAIL", "PHONE", "NL_POSTCODE", "IP_ADDRESS", "NL_BSN", "CREDIT_CARD", "IBAN"]
ENTITY_WEIGHTS = [41, 25, 15, 10, 5, 3, 1]  # IBAN is the rare one the entity filter asks for
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
ARCHIVE_LIKE = "scans_finding_archive_%"


def load_if_needed(scans: int, findings: int) -> None:
    from dataguardian.scans.models import Finding, Scan

    if Scan.objects.count() == scans and Finding.objects.count() == findings:
        print(f"data present: {scans:,} scans, {findings:,} findings (use --reload to rebuild)")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s AND relkind = 'r'", [ARCHIVE_LIKE])
        for (table,) in cursor.fetchall():
            cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute(
            "TRUNCATE scans_finding, scans_scan, billing_payment, orgs_membership, orgs_organization, "
            "auth_user RESTART IDENTITY CASCADE"
        )
    load(scans, findings)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def org_of(scan: int) -> int:
    """The organisation of a scan: the first BIG_ORG_SCANS are the large one's."""
    return 1 if scan <= BIG_ORG_SCANS else (scan * 7919) % (ORGS - 1) + 2


def load(scans: int, findings: int) -> None:
    from django.contrib.auth import get_user_model

    from dataguardian.billing.models import Payment
    from dataguardian.orgs.models import Membership, Organization
    from dataguardian.scans import partitions
    from dataguardian.scans.models import Finding, Scan

    rng = random.Random(5)
    copy_rows(Organization, ["id", "name", "slug", "plan", "created_at"],
              ((i, f"Org {i}", f"org-{i}", "pro", EPOCH) for i in range(1, ORGS + 1)), ORGS)
    copy_rows(get_user_model(), ["id", "password", "username", "email", "first_name", "last_name",
                                 "is_superuser", "is_staff", "is_active", "date_joined"],
              ((i, "!", f"user{i}", "", "", "", False, False, True, EPOCH) for i in range(1, USERS + 1)),
              USERS, label="user")
    roles = ["owner", "admin", "analyst", "viewer"]
    copy_rows(Membership, ["user_id", "organization_id", "role", "created_at"],
              ((u, (u - 1) % ORGS + 1, roles[u % 4], EPOCH) for u in range(1, USERS + 1)), USERS)

    def scan_rows():
        # Finished scans are nearly all of them; a few dozen are queued or running at any time.
        statuses = ["completed"] * 97 + ["failed"] + ["cancelled"] * 2
        for i in range(1, scans + 1):
            org = org_of(i)
            created = EPOCH + timedelta(seconds=i * 300)
            status = ("running", "queued")[i % 2] if i % 2000 == 0 else statuses[rng.randrange(100)]
            finished = None if status in ("running", "queued") else created + timedelta(minutes=5)
            yield (i, org, "documents", f"upload {i}", status, 10, 10, 0, 0, 0, 0, 0, {}, 0.0, "",
                   created, created, finished, created + timedelta(minutes=1))

    copy_rows(Scan, ["id", "organization_id", "kind", "source", "status", "progress_done", "progress_total",
                     "findings_count", "count_low", "count_medium", "count_high", "count_critical",
                     "entity_counts", "risk_score", "error_message", "created_at", "started_at",
                     "finished_at", "last_progress_at"], scan_rows(), scans)
    def finding_rows():
        # Scan 1 (of the large organisation) is the large scan; the rest spread over the others.
        for i in range(1, findings + 1):
            scan = 1 if i <= BIG_SCAN_FINDINGS else rng.randint(2, scans)
            org = org_of(scan)
            entity = rng.choices(ENTITIES, ENTITY_WEIGHTS)[0]
            value_hash = hashlib.sha256(f"value-{rng.randrange(400_000)}".encode()).hexdigest()
            yield (scan, org, entity, "contact", rng.randint(1, 4), 0.9, f"docs/file{i % 500}.txt",
                   i % 300 + 1, 1, "j***@example.com", value_hash, "... j***@example.com ...", EPOCH)

    # Finished scans' findings, as one archive partition (dataguardian.scans.partitions):
    # loaded unindexed, then indexed and attached in one go.
    table = partitions.create_archive(1, scans + 1)
    copy_rows(Finding, ["scan_id", "organization_id", "entity", "category", "severity", "confidence", "path",
                        "line", "column", "masked_value", "value_hash", "context", "created_at"],
              finding_rows(), findings, table=table)
    partitions.attach_archive(1, scans + 1)
    copy_rows(Payment, ["organization_id", "amount", "currency", "status", "provider_reference", "plan",
                        "period_start", "period_end", "created_at"],
              ((1 if i <= 5_000 else rng.randint(2, ORGS), "49.00", "EUR",
                rng.choice(["paid"] * 8 + ["failed", "refunded"]), f"pay_{i}", "pro", date(2025, 1, 1),
                date(2025, 1, 31), EPOCH + timedelta(hours=i)) for i in range(1, PAYMENTS + 1)),
              PAYMENTS)
