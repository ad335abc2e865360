"""Migration 0008: stored row keys become masked keys with a keyed hash; none stays in clear."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dataguardian.scanner.masking import keyed_hash
from dataguardian.scans import partitions
from dataguardian.scans.models import Finding
from tests.scans.pipeline_support import make_org

BEFORE, AFTER = [("scans", "0007_finding_c_collation")], [("scans", "0008_finding_row_key_hash")]
SESSION_KEY = "q8v2m0c1x7n4b5z6l3k9j8h7g6f5d4s3"


@pytest.mark.django_db(transaction=True)
def test_existing_row_keys_are_masked_and_hashed_through_the_partitions():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        OldScan, OldFinding = apps.get_model("scans", "Scan"), apps.get_model("scans", "Finding")
        org_id = make_org().pk
        scans = [OldScan.objects.create(organization_id=org_id, kind="database", source=name, status=status)
                 for name, status in (("a", "completed"), ("b", "running"))]
        for scan in scans:
            if partitions.enabled():
                partitions.create_for_scan(scan.pk, org_id)
        keys = {scans[0].pk: ["123456782", SESSION_KEY], scans[1].pk: ["42", ""]}
        for scan in scans:
            OldFinding.objects.bulk_create([
                OldFinding(scan_id=scan.pk, organization_id=org_id, entity="EMAIL", category="c", severity=2,
                           confidence=0.5, masked_value="m", value_hash=f"{i:064x}", table_name="t",
                           row_key=key) for i, key in enumerate(keys[scan.pk])])
        if partitions.enabled():
            partitions.finalize(scans[0].pk)  # an indexed partition as well as a bare one

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        connection.dg_finding_copy_types = None
        rows = {(f.row_key, f.row_key_hash) for f in Finding.objects.all()}
        key = settings.FINDING_HASH_KEY.encode()
        assert rows == {("*******82", keyed_hash(key, "123456782")),
                        ("************d4s3", keyed_hash(key, SESSION_KEY)),
                        ("**", keyed_hash(key, "42")), ("", "")}
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM scans_finding WHERE row_key IN (%s, %s, %s)",
                           ["123456782", SESSION_KEY, "42"])
            assert cursor.fetchone() == (0,)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        connection.dg_finding_copy_types = None
