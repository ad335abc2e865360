"""Each scan's findings partition follows the scan (PostgreSQL; ``partitions``)."""

from __future__ import annotations

from typing import Any

from dataguardian.scans import partitions


def scan_saved(sender: Any, instance: Any, created: bool, using: str, **kwargs: Any) -> None:
    if created:
        partitions.create_for_scan(instance.pk, instance.organization_id, using)


def scan_deleting(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    # Before the cascade: its DELETE of the scan's findings then finds none.
    partitions.truncate_for_scan(instance.pk, using)
