"""Findings partitioned by scan on PostgreSQL (``dataguardian.scans.partitions``).

Also replaces the value-hash CHECK with one PostgreSQL evaluates cheaply.
Existing findings move: unfinished scans get partitions of their own, and
each run of neighbouring finished scans (by id, no unfinished scan between)
goes into one archive partition. Other databases keep the plain table.

The SQL is written out here, as the tables were when this migration was
made: it never reads the live model or the live partitions code, so what it
does cannot change with them. The names match what ``partitions`` builds.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models
from psycopg import sql

UNFINISHED = ("queued", "running")
# Finding's Meta.indexes at this migration: (name, columns).
INDEXES = (
    ("finding_scan_severity_idx", '"scan_id", "severity" DESC, "id"'),
    ("finding_scan_entity_idx", '"scan_id", "entity", "severity" DESC, "id"'),
    ("finding_org_hash_idx", '"organization_id", "value_hash"'),
)
# Finding's foreign keys: (column, referenced table), with Django's names on the plain table.
FOREIGN_KEYS = (
    ("scan_id", "scans_scan", "scans_finding_scan_id_fdc6c592_fk_scans_scan_id"),
    ("organization_id", "orgs_organization", "scans_finding_organization_id_1475e550_fk_orgs_organization_id"),
)


def _runner(schema_editor):
    def run(template: str, *identifiers: str, params=None, **literals) -> None:
        query = sql.SQL(template).format(*map(sql.Identifier, identifiers),
                                         **{k: sql.Literal(v) for k, v in literals.items()})
        schema_editor.execute(query.as_string(schema_editor.connection.connection), params)
    return run


def _create_own_partition(run, scan_id: int, organization_id: int) -> None:
    table = f"scans_finding_s{scan_id}"
    run("CREATE TABLE {} (LIKE scans_finding INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", table)
    run("ALTER TABLE {} ADD CONSTRAINT {} CHECK (organization_id = {org})", table, f"{table}_org",
        org=organization_id)
    run("ALTER TABLE scans_finding ATTACH PARTITION {} FOR VALUES FROM ({low}) TO ({high})", table,
        low=scan_id, high=scan_id + 1)
    run("INSERT INTO scans_finding SELECT * FROM scans_finding_unpartitioned WHERE scan_id = {id}",
        id=scan_id)


def _create_archive(run, low: int, high: int) -> None:
    """Loaded unindexed, bounded by a CHECK equal to its range, indexed, keyed, then attached."""
    table = f"scans_finding_archive_{low}_{high}"
    run("CREATE TABLE {} (LIKE scans_finding INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", table)
    run("INSERT INTO {} SELECT * FROM scans_finding_unpartitioned WHERE scan_id >= {low} AND scan_id < {high}",
        table, low=low, high=high)
    run("ALTER TABLE {} ADD CONSTRAINT {} CHECK (scan_id >= {low} AND scan_id < {high})", table,
        f"{table}_scans", low=low, high=high)
    for name, columns in INDEXES:
        run("CREATE INDEX {} ON {} (" + columns + ")", f"{name}_a_{low}_{high}", table)
    for column, target, _plain_name in FOREIGN_KEYS:
        run("ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} (id) DEFERRABLE INITIALLY DEFERRED",
            table, f"{table}_{column}_fk", column, target)
    run("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (id)", table, f"{table}_pkey")
    run("ALTER TABLE scans_finding ATTACH PARTITION {} FOR VALUES FROM ({low}) TO ({high})", table,
        low=low, high=high)


def to_partitioned(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = _runner(schema_editor)
    run("ALTER TABLE scans_finding RENAME TO scans_finding_unpartitioned")
    run("ALTER SEQUENCE scans_finding_id_seq RENAME TO scans_finding_unpartitioned_id_seq")
    run("CREATE TABLE scans_finding (LIKE scans_finding_unpartitioned INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS) PARTITION BY RANGE (scan_id)")
    run("CREATE SEQUENCE scans_finding_id_seq OWNED BY scans_finding.id")
    run("SELECT setval('scans_finding_id_seq', "
        "(SELECT COALESCE(max(id), 0) + 1 FROM scans_finding_unpartitioned), false)")
    run("ALTER TABLE scans_finding ALTER COLUMN id SET DEFAULT nextval('scans_finding_id_seq')")

    Scan = apps.get_model("scans", "Scan")
    scans = Scan.objects.using(schema_editor.connection.alias).order_by("pk").values_list(
        "pk", "status", "organization_id")
    open_run: list[int] = []
    for scan_id, status, organization_id in scans:
        if status not in UNFINISHED:
            open_run.append(scan_id)
            continue
        if open_run:
            _create_archive(run, open_run[0], open_run[-1] + 1)
            open_run.clear()
        _create_own_partition(run, scan_id, organization_id)
    if open_run:
        _create_archive(run, open_run[0], open_run[-1] + 1)
    run("DROP TABLE scans_finding_unpartitioned")


def to_plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = _runner(schema_editor)
    run("CREATE TABLE scans_finding_plain (LIKE scans_finding INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    run("INSERT INTO scans_finding_plain SELECT * FROM scans_finding")
    run("ALTER SEQUENCE scans_finding_id_seq OWNED BY scans_finding_plain.id")
    run("DROP TABLE scans_finding")  # and every partition
    run("ALTER TABLE scans_finding_plain RENAME TO scans_finding")
    run("ALTER TABLE scans_finding ADD PRIMARY KEY (id)")
    for name, columns in INDEXES:
        run("CREATE INDEX {} ON scans_finding (" + columns + ")", name)
    for column, target, plain_name in FOREIGN_KEYS:
        run("ALTER TABLE scans_finding ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} (id) "
            "DEFERRABLE INITIALLY DEFERRED", plain_name, column, target)


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
