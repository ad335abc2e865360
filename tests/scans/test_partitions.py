"""Findings partitioned by scan on PostgreSQL (dataguardian.scans.partitions)."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import timedelta

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dataguardian.scanner.types import Finding as EngineFinding
from dataguardian.scans import compaction, ingest, partitions
from dataguardian.scans.models import Finding, Scan
from dataguardian.scans.services import partition_lifecycle, scans_delete
from tests.foundation.factories import make_scan
from tests.scans.pipeline_support import make_org

pytestmark = pytest.mark.postgres


def _engine_findings(n: int, start: int = 0) -> list[EngineFinding]:
    return [EngineFinding(entity="EMAIL", severity="medium", category="user.contact.email", confidence=0.9,
                          path=f"f{i}.txt", masked="j***@example.nl",
                          value_hash=hashlib.sha256(str(i).encode()).hexdigest(), context="", line=i + 1)
            for i in range(start, start + n)]


def _one(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _tables_holding(scan: Scan) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableoid::regclass::text FROM scans_finding WHERE scan_id = %s",
                       [scan.pk])
        return {row[0] for row in cursor.fetchall()}


@contextlib.contextmanager
def _reader():
    """Another session in the middle of reading the findings (it holds its lock until the end)."""
    params = {k: v for k, v in connection.get_connection_params().items()
              if k in ("dbname", "user", "host", "port", "password")}
    with psycopg.connect(**params) as reader:
        reader.execute("SELECT count(*) FROM scans_finding")
        yield
        reader.rollback()


def _new_scan(org, status: str = "running") -> Scan:
    return make_scan(org, kind="documents", source="x", status=status)


def _delete(*scans: Scan) -> None:
    scans_delete(scans=Scan.objects.filter(pk__in=[scan.pk for scan in scans]))


def _two_scans(first: int, second: int) -> tuple[Scan, Scan]:
    """Two running scans of one organisation, with that many findings written."""
    org = make_org()
    scans = _new_scan(org), _new_scan(org)
    with transaction.atomic():
        for scan, n in zip(scans, (first, second), strict=True):
            ingest.write_findings(scan, _engine_findings(n))
    return scans


@pytest.mark.django_db
def test_a_new_scan_gets_an_empty_unindexed_partition_pinned_to_its_organisation():
    org, other = make_org("one"), make_org("two")
    scan = _new_scan(org)
    table = partitions.partition_name(scan.pk)
    assert _one("SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = to_regclass(%s)",
                [table]) == ("scans_finding",)
    assert _one("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [table]) == (0,)
    assert not partitions.is_finalized(scan.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(scan=scan, organization=other, entity="EMAIL", category="c", severity=2,
                               confidence=0.5, masked_value="m", value_hash="a" * 64)


@pytest.mark.django_db
def test_the_value_hash_check_still_rejects_what_is_not_64_hex_digits():
    scan = _new_scan(make_org())
    for bad in ("A" * 64, "a" * 63, "g" * 64):
        with pytest.raises(IntegrityError), transaction.atomic():
            Finding.objects.create(scan=scan, organization_id=scan.organization_id, entity="EMAIL",
                                   category="c", severity=2, confidence=0.5, masked_value="m", value_hash=bad)


@pytest.mark.django_db
def test_copy_lands_in_the_scans_partition_and_finalize_indexes_it_once():
    scan, other = _two_scans(30, 0)
    assert _tables_holding(scan) == {partitions.partition_name(scan.pk)}

    Scan.objects.filter(pk=scan.pk).update(status="completed")
    assert partition_lifecycle.unfinalized_scans() == [scan.pk]  # `other` still runs
    assert partitions.finalize(scan.pk) and partitions.is_finalized(scan.pk)
    assert partition_lifecycle.unfinalized_scans() == []
    table = partitions.partition_name(scan.pk)
    indexes = {row[0] for row in connection.cursor().execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = %s", [table]).fetchall()}
    assert indexes == {f"{table}_pkey"} | {f"{i.name}_s{scan.pk}" for i in Finding._meta.indexes}
    validated = _one("SELECT convalidated FROM pg_constraint WHERE conname = %s", [f"{table}_scan_id_fk"])
    assert validated == (True,)
    assert partitions.finalize(scan.pk)  # again: nothing left to do, no error

    with transaction.atomic():  # a late write into a finished partition still works, indexed
        ingest.write_findings(scan, _engine_findings(5, start=30))
    assert Finding.objects.filter(scan=scan).count() == 35 and not Finding.objects.filter(scan=other).exists()


@pytest.mark.django_db
def test_deleting_a_scan_empties_its_partition_and_leaves_others():
    doomed, kept = _two_scans(10, 7)
    table = partitions.partition_name(doomed.pk)
    _delete(doomed)
    assert _one(f"SELECT count(*) FROM {table}") == (0,)
    assert Finding.objects.filter(scan=kept).count() == 7
    assert partition_lifecycle.orphans() == [table]


@pytest.mark.django_db(transaction=True)
def test_drop_orphans_detaches_and_drops_the_partitions_of_deleted_scans():
    org = make_org()
    doomed, kept = _new_scan(org), _new_scan(org)
    doomed_id = doomed.pk
    _delete(doomed)
    assert partition_lifecycle.drop_orphans() >= 1  # with those earlier tests' flushes left behind
    assert _one("SELECT to_regclass(%s)", [partitions.partition_name(doomed_id)]) == (None,)
    assert _one("SELECT to_regclass(%s) IS NOT NULL", [partitions.partition_name(kept.pk)]) == (True,)
    assert partition_lifecycle.drop_orphans() == 0


@pytest.mark.django_db(transaction=True)
def test_creating_a_scan_does_not_wait_for_a_long_reader_of_the_findings():
    """ATTACH PARTITION, not CREATE TABLE ... PARTITION OF, which would queue behind the reader."""
    org = make_org()
    with _reader():
        with transaction.atomic():
            connection.cursor().execute("SET LOCAL lock_timeout = '2s'")
            scan = _new_scan(org)
    assert _one("SELECT to_regclass(%s) IS NOT NULL", [partitions.partition_name(scan.pk)]) == (True,)


@pytest.mark.django_db(transaction=True)
def test_migration_moves_existing_findings_into_partitions_and_back():
    """0005 on a database with findings: finished scans' go to one archive, running ones' to their own."""
    executor = MigrationExecutor(connection)
    before, after = [("scans", "0004_scan_file_errors")], [("scans", "0005_finding_partitions")]
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        OldScan, OldFinding = apps.get_model("scans", "Scan"), apps.get_model("scans", "Finding")
        org_id = make_org().pk
        done, running = (OldScan.objects.create(organization_id=org_id, kind="documents", source=name,
                                                status=status)
                         for name, status in (("a", "completed"), ("b", "running")))
        for scan, n in ((done, 4), (running, 3)):
            OldFinding.objects.bulk_create([
                OldFinding(scan_id=scan.pk, organization_id=org_id, entity="EMAIL", category="c", severity=2,
                           confidence=0.5, masked_value="m", value_hash=f"{i:064x}") for i in range(n)])
        ids_before = sorted(OldFinding.objects.values_list("id", flat=True))

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert sorted(Finding.objects.values_list("id", flat=True)) == ids_before
        archive = partitions.archive_name(done.pk, done.pk + 1)
        assert _tables_holding(Scan.objects.get(pk=done.pk)) == {archive}
        assert _tables_holding(Scan.objects.get(pk=running.pk)) == {partitions.partition_name(running.pk)}
        # The model as of 0005: later migrations add columns this table does not have yet.
        NewFinding = executor.loader.project_state(after).apps.get_model("scans", "Finding")
        new = NewFinding.objects.create(scan_id=running.pk, organization_id=org_id, entity="EMAIL",
                                        category="c", severity=2, confidence=0.5, masked_value="m",
                                        value_hash="f" * 64)
        assert new.pk > max(ids_before)  # the id sequence carried on

        executor = MigrationExecutor(connection)
        executor.migrate(before)  # and back to one plain table, rows kept
        assert _one("SELECT relkind FROM pg_class WHERE oid = 'scans_finding'::regclass") == ("r",)
        assert _one("SELECT count(*) FROM scans_finding") == (len(ids_before) + 1,)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        connection.dg_findings_partitioned = False


@pytest.mark.django_db(transaction=True)
def test_maintenance_indexes_finished_scans_left_unindexed_and_drops_orphans():
    org = make_org()
    finished = _new_scan(org, status="completed")  # as if its end never reached pipeline.cleanup
    running = _new_scan(org)
    gone = _new_scan(org)
    gone_table = partitions.partition_name(gone.pk)
    _delete(gone)
    done = partition_lifecycle.maintain()
    assert done["finalized"] == 1 and done["dropped"] >= 1
    assert partitions.is_finalized(finished.pk) and not partitions.is_finalized(running.pk)
    assert _one("SELECT to_regclass(%s)", [gone_table]) == (None,)
    assert partition_lifecycle.maintain()["finalized"] == 0


def _finished_scans(count: int, findings: int, ended_ago: timedelta, org=None) -> list[Scan]:
    org = org or make_org("archived")
    scans = []
    for n in range(count):
        scan = _new_scan(org)
        with transaction.atomic():
            ingest.write_findings(scan, _engine_findings(findings, start=100 * n))
        ended = timezone.now() - ended_ago
        Scan.objects.filter(pk=scan.pk).update(status="completed", created_at=ended, finished_at=ended)
        partitions.finalize(scan.pk)
        scans.append(scan)
    return scans


def _ids(scans) -> list[int]:
    return sorted(Finding.objects.filter(scan__in=scans).values_list("id", flat=True))


@pytest.mark.django_db
def test_compaction_folds_old_finished_scans_into_one_indexed_archive():
    old = _finished_scans(3, findings=4, ended_ago=timedelta(hours=2))
    recent = _finished_scans(1, findings=2, ended_ago=timedelta(minutes=1), org=old[0].organization)
    running = _new_scan(old[0].organization)
    before = _ids(old + recent)

    assert compaction.compact(older_than=timedelta(hours=1)) == 3
    archive = partitions.archive_name(old[0].pk, old[2].pk + 1)
    assert all(_tables_holding(scan) == {archive} for scan in old)
    assert _tables_holding(recent[0]) == {partitions.partition_name(recent[0].pk)}
    assert _ids(old + recent) == before
    for scan in old:
        assert _one("SELECT to_regclass(%s)", [partitions.partition_name(scan.pk)]) == (None,)
    assert _one("SELECT to_regclass(%s) IS NOT NULL", [partitions.partition_name(running.pk)]) == (True,)
    assert {row[0] for row in connection.cursor().execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' AND convalidated",
        [archive]).fetchall()} == {f"{archive}_scan_id_fk", f"{archive}_organization_id_fk"}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM scans_finding WHERE scan_id = %s "
                       "ORDER BY severity DESC, id LIMIT 5", [old[1].pk])
        assert "finding_scan_severity_idx_a_" in "\n".join(row[0] for row in cursor.fetchall())

    assert compaction.compact(older_than=timedelta(hours=1)) == 0  # nothing left that old
    deleted = old[1].pk
    _delete(old[1])  # an archived scan's findings go with it, the others stay
    assert not Finding.objects.filter(scan_id=deleted).exists()
    assert Finding.objects.filter(scan__in=[old[0], old[2]]).count() == 8


@pytest.mark.django_db
def test_compaction_folds_only_neighbours_so_an_archive_is_a_range_of_scans():
    first = _finished_scans(1, findings=2, ended_ago=timedelta(hours=2))
    org = first[0].organization
    running = _new_scan(org)
    later = _finished_scans(2, findings=2, ended_ago=timedelta(hours=2), org=org)

    assert compaction.compact(older_than=timedelta(hours=1)) == 2  # the running scan splits the run
    assert all(_tables_holding(s) == {partitions.archive_name(later[0].pk, later[1].pk + 1)} for s in later)
    assert _tables_holding(first[0]) == {partitions.partition_name(first[0].pk)}

    ended = timezone.now() - timedelta(hours=2)
    Scan.objects.filter(pk=running.pk).update(status="failed", created_at=ended, finished_at=ended)
    partitions.finalize(running.pk)
    assert compaction.compact(older_than=timedelta(hours=1)) == 2  # up to the archive, not into it
    assert _tables_holding(first[0]) == {partitions.archive_name(first[0].pk, running.pk + 1)}
    assert len(partitions.archives()) == 2
    new = _new_scan(org)  # a new scan's id lies above every archive's range
    assert _tables_holding(new) == set() and partitions.partition_name(new.pk) not in partitions.archives()


@pytest.mark.django_db
def test_compaction_gives_up_when_findings_change_between_copy_and_swap(monkeypatch):
    scans = _finished_scans(2, findings=3, ended_ago=timedelta(hours=2))
    build = partitions.build_indexes

    def late_write(table, *args, **kwargs):  # while the archive is built, a finding arrives
        build(table, *args, **kwargs)
        if table.startswith(partitions.ARCHIVE_PREFIX) and not kwargs.get("foreign_keys", True):
            ingest.write_findings(scans[0], _engine_findings(1, start=999))

    monkeypatch.setattr(partitions, "build_indexes", late_write)
    assert compaction.compact(older_than=timedelta(hours=1)) == 0
    assert _tables_holding(scans[0]) == {partitions.partition_name(scans[0].pk)}
    assert Finding.objects.filter(scan=scans[0]).count() == 4
    assert _one("SELECT count(*) FROM pg_class WHERE relname LIKE 'scans\\_finding\\_archive\\_%%'") == (0,)


@pytest.mark.django_db(transaction=True)
def test_compaction_gives_up_rather_than_wait_long_for_a_reader(monkeypatch):
    scans = _finished_scans(2, findings=3, ended_ago=timedelta(hours=2))
    monkeypatch.setattr(compaction, "SWAP_LOCK_TIMEOUT", "200ms")
    with _reader():
        assert compaction.compact(older_than=timedelta(hours=1)) == 0
    assert all(_tables_holding(s) == {partitions.partition_name(s.pk)} for s in scans)
    assert compaction.compact(older_than=timedelta(hours=1)) == 2  # the reader gone, the next round does it
