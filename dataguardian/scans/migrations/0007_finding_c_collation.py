"""PostgreSQL: Finding's ``entity`` and ``value_hash`` compare bytewise (collation "C").

Both hold ASCII only (entity names, hex digits), so the order is the same;
but the "C" collation lets index builds sort with plain byte comparisons and
abbreviated keys, which the database's libc collation does not. Indexes are
built when a scan ends (``partitions.finalize``); bench/ingest.py times it.
Not declared on the model fields: SQLite has no collation named "C".
"""

from django.db import migrations

COLUMNS = (("entity", 32), ("value_hash", 64))


def _collate(schema_editor, collation: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    changes = ", ".join(f'ALTER COLUMN "{name}" TYPE varchar({size}) COLLATE "{collation}"'
                        for name, size in COLUMNS)
    schema_editor.execute(f"ALTER TABLE scans_finding {changes}")


class Migration(migrations.Migration):
    dependencies = [("scans", "0006_partition_maintenance_schedule")]

    operations = [
        migrations.RunPython(lambda apps, editor: _collate(editor, "C"),
                             lambda apps, editor: _collate(editor, "default")),
    ]
