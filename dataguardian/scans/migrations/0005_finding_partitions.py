"""Findings partitioned by scan on PostgreSQL (``dataguardian.scans.partitions``).

Also replaces the value-hash CHECK with one PostgreSQL evaluates cheaply.
Existing findings move: unfinished scans get partitions of their own, and
each run of neighbouring finished scans (by id, no unfinished scan between)
goes into one archive partition. Other databases keep the plain table.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

UNFINISHED = ("queued", "running")


def to_partitioned(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from dataguardian.scans import partitions

    using = schema_editor.connection.alias
    run = schema_editor.execute
    run("ALTER TABLE scans_finding RENAME TO scans_finding_unpartitioned")
    run("ALTER SEQUENCE scans_finding_id_seq RENAME TO scans_finding_unpartitioned_id_seq")
    run("CREATE TABLE scans_finding (LIKE scans_finding_unpartitioned INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS) PARTITION BY RANGE (scan_id)")
    run("CREATE SEQUENCE scans_finding_id_seq OWNED BY scans_finding.id")
    run("SELECT setval('scans_finding_id_seq', "
        "(SELECT COALESCE(max(id), 0) + 1 FROM scans_finding_unpartitioned), false)")
    run("ALTER TABLE scans_finding ALTER COLUMN id SET DEFAULT nextval('scans_finding_id_seq')")

    Scan = apps.get_model("scans", "Scan")
    scans = Scan.objects.using(using).order_by("pk").values_list("pk", "status", "organization_id")
    open_run: list[int] = []

    def close_run() -> None:
        if open_run:
            low, high = open_run[0], open_run[-1] + 1
            table = partitions.create_archive(low, high, using)
            run(f"INSERT INTO {table} SELECT * FROM scans_finding_unpartitioned "
                f"WHERE scan_id >= %s AND scan_id < %s", [low, high])
            partitions.attach_archive(low, high, using)
            open_run.clear()

    for scan_id, status, organization_id in scans:
        if status not in UNFINISHED:
            open_run.append(scan_id)
            continue
        close_run()
        partitions.create_for_scan(scan_id, organization_id, using)
        run("INSERT INTO scans_finding SELECT * FROM scans_finding_unpartitioned WHERE scan_id = %s",
            [scan_id])
    close_run()
    run("DROP TABLE scans_finding_unpartitioned")


def to_plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("CREATE TABLE scans_finding_plain (LIKE scans_finding INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    run("INSERT INTO scans_finding_plain SELECT * FROM scans_finding")
    run("ALTER SEQUENCE scans_finding_id_seq OWNED BY scans_finding_plain.id")
    run("DROP TABLE scans_finding")  # and every partition
    run("ALTER TABLE scans_finding_plain RENAME TO scans_finding")
    run("ALTER TABLE scans_finding ADD PRIMARY KEY (id)")
    Finding = apps.get_model("scans", "Finding")
    for index in Finding._meta.indexes:
        schema_editor.add_index(Finding, index)
    for name in ("scan", "organization"):
        field = Finding._meta.get_field(name)
        run(schema_editor._create_fk_sql(Finding, field, "_fk_%(to_table)s_%(to_column)s"))


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0001_initial'),
        ('scans', '0004_scan_file_errors'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='finding',
            name='finding_value_hash_hex',
        ),
        migrations.AddConstraint(
            model_name='finding',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.Exact(django.db.models.functions.text.Length('value_hash'), 64), ('value_hash__regex', '^[0-9a-f]+$')), name='finding_value_hash_hex'),
        ),
        migrations.RunPython(to_partitioned, to_plain),
    ]
