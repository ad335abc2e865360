"""Row keys treated like found values: masked, with a keyed hash; none left in clear.

Adds ``Finding.row_key_hash`` and converts every stored row key: the clear
key becomes its mask (``scanner.masking.mask_key``) and its HMAC-SHA256
under ``FINDING_HASH_KEY`` goes to the new column. On PostgreSQL the column
is added to the partitioned parent, which adds it to every partition, and
the UPDATEs go through the parent. The clear keys cannot be brought back, so
the reverse step only drops the column.

The mask and the hash are written out here as ``scanner.masking`` had them
when this migration was made, so what it does never changes with that code.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

BATCH = 2000


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.digest(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hex()


def mask_key(text: str) -> str:
    shown = 0 if len(text) < 6 else 2 if len(text) < 16 else 4
    return "*" * min(len(text) - shown, 12) + (text[-shown:] if shown else "")


def protect_row_keys(apps, schema_editor):
    finding = apps.get_model("scans", "Finding")
    key = settings.FINDING_HASH_KEY
    key = key.encode() if isinstance(key, str) else key
    pending = finding.objects.exclude(row_key="").filter(row_key_hash="").order_by("id")
    last = 0
    while True:
        batch = list(pending.filter(id__gt=last).only("id", "scan_id", "row_key")[:BATCH])
        if not batch:
            return
        for row in batch:
            raw = row.row_key
            row.row_key, row.row_key_hash = mask_key(raw), keyed_hash(key, raw)
        finding.objects.bulk_update(batch, ["row_key", "row_key_hash"])
        last = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [("scans", "0007_finding_c_collation")]

    operations = [
        migrations.AlterField(
            model_name="finding", name="row_key",
            field=models.CharField(blank=True, help_text="Masked.", max_length=200),
        ),
        migrations.AddField(
            model_name="finding", name="row_key_hash",
            field=models.CharField(blank=True, default="", help_text="HMAC-SHA256 of the row key, hex.",
                                   max_length=64),
        ),
        migrations.RunPython(protect_row_keys, migrations.RunPython.noop, elidable=False),
    ]
