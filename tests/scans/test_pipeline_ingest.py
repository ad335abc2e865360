"""The bulk writer: COPY on PostgreSQL stores exactly what bulk_create stores."""

from __future__ import annotations

import hashlib

import pytest
from django.db import transaction
from django.utils import timezone

from dataguardian.scanner.types import Finding as EngineFinding
from dataguardian.scans import ingest
from dataguardian.scans.models import Finding, Severity
from tests.scans.pipeline_support import make_org

pytestmark = pytest.mark.django_db

FIELDS = ["entity", "category", "severity", "confidence", "path", "line", "column", "sheet", "cell",
          "table_name", "column_name", "row_key", "masked_value", "value_hash", "context", "organization_id"]


def _findings(n: int) -> list[EngineFinding]:
    return [
        EngineFinding(
            entity="EMAIL" if i % 2 else "IBAN", severity=("low", "medium", "high", "critical")[i % 4],
            category="user.contact.email", confidence=1.5 if i == 0 else 0.5,
            path=f"/srv/uploads/x/a.zip!dir/f{i}.csv" if i % 3 else "tab\there\nnewline \\ back\x00nul",
            masked="j***@example.nl", value_hash=hashlib.sha256(str(i).encode()).hexdigest(),
            context="é" * 600, line=i + 1 if i % 5 else None, column=3, sheet="Blad1" if i == 4 else None,
            cell="B2" if i == 4 else None, table="customer" if i == 6 else None,
            row_key="7" if i == 6 else None,
        )
        for i in range(n)
    ]


def _stored(scan) -> list[tuple]:
    return list(Finding.objects.filter(scan=scan).order_by("value_hash").values_list(*FIELDS))


@pytest.mark.postgres
def test_copy_and_bulk_create_store_the_same_rows(monkeypatch):
    from tests.foundation.factories import make_scan

    org = make_org()
    by_copy, by_orm = make_scan(org), make_scan(org)
    findings = _findings(25)
    monkeypatch.setattr(ingest, "COPY_BATCH", 10)  # several COPY statements
    with transaction.atomic():
        assert ingest.write_findings(by_copy, findings, path_prefix="/srv/uploads/x/") == 25
    rows = ingest.finding_rows(by_orm.pk, org.pk, findings, timezone.now(), "/srv/uploads/x/")
    ingest.bulk_create_rows(rows)
    stored = _stored(by_copy)
    assert stored == _stored(by_orm) and len(stored) == 25
    first = Finding.objects.filter(scan=by_copy).order_by("id").first()
    # Clamped; escapes survive; NUL, which PostgreSQL refuses in text, is replaced.
    assert first.confidence == 1.0 and first.path == "tab\there\nnewline \\ back\ufffdnul"
    assert len(first.context) == 500 and first.severity == Severity.LOW
    assert Finding.objects.filter(scan=by_copy, path="a.zip!dir/f1.csv").exists()  # server root cut


def test_bulk_create_path_on_any_database():
    from tests.foundation.factories import make_scan

    scan = make_scan(make_org())
    rows = ingest.finding_rows(scan.pk, scan.organization_id, _findings(7), timezone.now())
    ingest.bulk_create_rows(rows, batch_size=3)
    assert Finding.objects.filter(scan=scan).count() == 7
    assert Finding.objects.filter(scan=scan, sheet="Blad1", cell="B2").count() == 1
