"""Findings partitioned by scan on PostgreSQL (``dataguardian.scans.partitions``).

Also replaces the value-hash CHECK with one PostgreSQL evaluates cheaply.
Existing findings move: those of finished scans into one archive partition,
those of unfinished scans into partitions of their own. Other databases keep
the plain table.
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
        "INCLUDING CONSTRAINTS) PARTITION BY LIST (scan_id)")
    run("CREATE SEQUENCE scans_finding_id_seq OWNED BY scans_finding.id")
    run("SELECT setval('scans_finding_id_seq', "
        "(SELECT COALESCE(max(id), 0) + 1 FROM scans_finding_unpartitioned), false)")
    run("ALTER TABLE scans_finding ALTER COLUMN id SET DEFAULT nextval('scans_finding_id_seq')")

    Scan = apps.get_model("scans", "Scan")
    finished = list(Scan.objects.using(using).exclude(status__in=UNFINISHED).values_list("pk", flat=True))
    if finished:
        table = partitions.create_archive("legacy", using)
        run(f"INSERT INTO {table} SELECT * FROM scans_finding_unpartitioned "
            f"WHERE scan_id = ANY(%s)", [finished])
        partitions.attach_archive("legacy", finished, using)
    unfinished = Scan.objects.using(using).filter(status__in=UNFINISHED).values_list("pk", "organization_id")
    for scan_id, organization_id in unfinished:
        partitions.create_for_scan(scan_id, organization_id, using)
        run("INSERT INTO scans_finding SELECT * FROM scans_finding_unpartitioned WHERE scan_id = %s",
            [scan_id])
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
