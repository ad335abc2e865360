"""The scan pipeline's write speed and end-to-end time, on PostgreSQL and Redis.

1. Findings written per second by the pipeline's bulk writer
   (``dataguardian.scans.ingest``): COPY (what the pipeline uses on
   PostgreSQL) and batched ``bulk_create``, same rows, same run, with the ratio.
2. A generated ~100 MB mixed upload (one zip of text, JSON and CSV files with
   planted personal data) scanned end to end: store_upload, scan_create, real
   ``celery worker`` processes (concurrency 1 each) until the scan completes;
   with 1 and with 2 workers.

    .venv/bin/python bench/ingest.py [--findings 100000] [--upload-mb 100] [--breakdown]

Uses BENCH_INGEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dg_bench_ingest,
created and migrated) and BENCH_INGEST_REDIS_URL (default redis://127.0.0.1:6379/8; the
bench empties that Redis database). Target: findings_per_s >= 50 000.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_INGEST_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/dg_bench_ingest")
REDIS_URL = os.environ.get("BENCH_INGEST_REDIS_URL", "redis://127.0.0.1:6379/8")
FILLER = ("The quarterly report covers logistics, planning and the usual meeting notes; "
          "order 4711-0815 shipped to warehouse 12 on schedule. ")
WORDS = ("report planning meeting order shipped warehouse schedule quarter budget review team project "
         "client invoice delivery contract notes agenda summary update status risk action owner date "
         "week month board decision approval supplier stock price quality audit policy").split()
# Share of the upload's bytes per file type (the rest is prose).
JSON_SHARE, CSV_SHARE = 0.08, 0.02


def setup_django(media_root: Path) -> None:
    from bench.lib.pg import ensure_database, migrate

    ensure_database(DATABASE_URL)
    migrate(DATABASE_URL)
    os.environ.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "DEBUG": "true",
                       "MEDIA_ROOT": str(media_root), "DEBUG_TOOLBAR": "false", "LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")
    import django

    django.setup()


def fake_findings(count: int) -> list:
    from dataguardian.scanner.types import Finding

    rng = random.Random(7)
    entities = [("EMAIL", "medium", "user.contact.email"), ("IBAN", "high", "user.financial.bank_account"),
                ("NL_BSN", "critical", "user.government_id.national_identification_number")]
    out = []
    for i in range(count):
        entity, severity, category = entities[i % 3]
        out.append(Finding(
            entity=entity, severity=severity, category=category, confidence=round(rng.random(), 3),
            path=f"backup.zip!customers/part_{i // 1000}.csv", masked="j***@example.nl",
            value_hash=hashlib.sha256(str(i).encode()).hexdigest(), context="mail j***@example.nl now",
            line=i % 5000 + 1, column=12,
        ))
    return out


def bench_writes(count: int) -> tuple[float, float]:
    """Best of 2 runs of each writer: (COPY rows/s, bulk_create rows/s)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dataguardian.orgs.models import Organization
    from dataguardian.scans import ingest
    from dataguardian.scans.models import Finding, Scan

    org, _ = Organization.objects.get_or_create(slug="bench-ingest", defaults={"name": "Bench"})
    scan = Scan.objects.create(organization=org, kind="documents", source="bench")
    findings = fake_findings(count)
    best = {"copy": 0.0, "bulk_create": 0.0}
    for _ in range(2):
        for name in best:
            start = time.perf_counter()
            with transaction.atomic():
                if name == "copy":
                    ingest.write_findings(scan, findings)  # the pipeline's path on PostgreSQL
                else:
                    rows = ingest.finding_rows(scan.pk, org.pk, findings, timezone.now())
                    ingest.bulk_create_rows(rows)
            elapsed = time.perf_counter() - start
            best[name] = max(best[name], count / elapsed)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM scans_finding WHERE scan_id = %s", [scan.pk])
    assert Finding.objects.filter(scan=scan).count() == 0
    scan.delete()
    return best["copy"], best["bulk_create"]


def copy_breakdown(count: int) -> dict[str, float]:
    """Raw COPY rows/s into scans_finding with and without its constraints and indexes.

    Each variant drops what it names inside a transaction that is rolled back.
    """
    import psycopg
    from django.utils import timezone

    from dataguardian.orgs.models import Organization
    from dataguardian.scans import ingest
    from dataguardian.scans.models import Scan

    org, _ = Organization.objects.get_or_create(slug="bench-ingest", defaults={"name": "Bench"})
    scan = Scan.objects.create(organization=org, kind="documents", source="bench")
    rows = ingest.finding_rows(scan.pk, org.pk, fake_findings(count), timezone.now())
    columns = ", ".join(f'"{c}"' for c in ingest.COLUMNS)
    dsn = DATABASE_URL.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(dsn) as conn:
        constraints = [r[0] for r in conn.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'scans_finding'::regclass "
            "AND contype IN ('f', 'c')")]
    drop_constraints = [f'ALTER TABLE scans_finding DROP CONSTRAINT "{c}"' for c in constraints]
    drop_indexes = [f'DROP INDEX "{i}"' for i in
                    ("finding_scan_severity_idx", "finding_scan_entity_idx", "finding_org_hash_idx")]
    variants = {"all": [], "no_fk_check": drop_constraints, "no_indexes": drop_indexes,
                "neither": drop_constraints + drop_indexes}
    rates = {}
    for name, statements in variants.items():
        with psycopg.connect(dsn) as conn:
            for statement in statements:
                conn.execute(statement)
            start = time.perf_counter()
            with conn.cursor() as cursor, cursor.copy(
                    f"COPY scans_finding ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            rates[name] = count / (time.perf_counter() - start)
            conn.rollback()
    scan.delete()
    return rates


def build_upload(path: Path, megabytes: int) -> None:
    """A zip of ~``megabytes`` MB (uncompressed) of prose, JSON and CSV with planted values."""
    import json

    rng = random.Random(42)
    target = megabytes * 1024 * 1024
    written = n = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        while written < target:
            n += 1
            roll = rng.random()
            if roll < CSV_SHARE:
                rows = ["id,product,qty,price,customer_email"] + [
                    f"{i},widget-{i % 50},{i % 7},{i * 1.5:.2f},"
                    + (f"klant{n}.{i}@example.nl" if i % 20 == 0 else "") for i in range(8000)]
                name, data = f"exports/orders_{n}.csv", "\n".join(rows)
            elif roll < CSV_SHARE + JSON_SHARE:
                records = [{"id": i, "product": f"widget-{i % 50}", "note": FILLER[:60],
                            "email": f"r{n}.{i}@example.nl" if i % 20 == 0 else None,
                            "iban": "NL91ABNA0417164300" if i % 50 == 0 else None} for i in range(4000)]
                name, data = f"api/records_{n}.json", json.dumps(records)
            else:
                parts = []
                for i in range(400):
                    # Varied words, so the archive compresses like real text (~3:1), not 100:1.
                    parts.append(" ".join(rng.choices(WORDS, k=200)) + ".\n")
                    if i % 2 == 0:
                        parts.append(f"Contact person{n}.{i}@example.nl or IBAN NL20INGB0001234567.\n")
                name, data = f"letters/letter_{n}.txt", "".join(parts)
            raw = data.encode()
            archive.writestr(name, raw)
            written += len(raw)


def scan_upload(zip_path: Path, workers: int, media_root: Path, log_dir: Path) -> tuple[float, int]:
    """Seconds from scan_create to a completed scan with ``workers`` workers; and its findings."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import UploadedFile
    from django.db import connection

    from dataguardian.orgs.models import Membership, Organization, Role
    from dataguardian.scans.models import Scan, ScanStatus
    from dataguardian.scans.services import scan_create, store_upload
    from tests.scans.worker_support import Worker, flush_redis_db, worker_env

    flush_redis_db(REDIS_URL)
    org, _ = Organization.objects.get_or_create(slug="bench-ingest", defaults={"name": "Bench"})
    user, _ = get_user_model().objects.get_or_create(username="bench-ingest")
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Role.ANALYST})
    env = worker_env(connection.settings_dict["NAME"], media_root, LOG_LEVEL="WARNING")
    running = [Worker(env, log_dir) for _ in range(workers)]
    try:
        for worker in running:
            worker.wait_ready(timeout=120)
        with zip_path.open("rb") as fh:
            stored = store_upload([UploadedFile(fh, name="mixed.zip", size=zip_path.stat().st_size)])
        start = time.perf_counter()
        scan = scan_create(user=user, organization=org, kind="documents", upload_dir=stored)
        while True:
            scan.refresh_from_db()
            if scan.is_finished:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    finally:
        for worker in running:
            worker.stop()
    if scan.status != ScanStatus.COMPLETED:
        raise SystemExit(f"scan ended {scan.status}: {scan.error_message}")
    Scan.objects.filter(pk=scan.pk).delete()
    return elapsed, scan.findings_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--upload-mb", type=int, default=100)
    parser.add_argument("--breakdown", action="store_true",
                        help="also time raw COPY without the table's constraints / indexes")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    media_root = work / "media"
    try:
        setup_django(media_root)
        copy_rate, bulk_rate = bench_writes(args.findings)
        print(f"writer   {args.findings:,} findings: COPY {copy_rate:,.0f}/s, "
              f"bulk_create {bulk_rate:,.0f}/s, COPY/bulk_create x{copy_rate / bulk_rate:.2f}")
        if args.breakdown:
            rates = copy_breakdown(min(args.findings, 50_000))
            print("breakdown raw COPY rows/s: " + ", ".join(f"{k} {v:,.0f}" for k, v in rates.items()))
        zip_path = work / "mixed.zip"
        build_upload(zip_path, args.upload_mb)
        print(f"upload   {args.upload_mb} MB unpacked, {zip_path.stat().st_size / 2**20:.1f} MB zipped "
              f"({JSON_SHARE:.0%} JSON, {CSV_SHARE:.0%} CSV, rest prose)")
        times = {}
        for workers in (1, 2):
            times[workers], found = scan_upload(zip_path, workers, media_root, work)
            print(f"scan     {workers} worker(s): {times[workers]:.1f} s, {found:,} findings")
        print(f"speedup  2 workers / 1 worker: x{times[1] / times[2]:.2f} "
              f"(machine: {os.cpu_count()} cores, shared)")
        print(f"BENCH ingest findings_per_s={copy_rate:.0f} upload_100mb_s_1w={times[1]:.1f} "
              f"upload_100mb_s_2w={times[2]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
