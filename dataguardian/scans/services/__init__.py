"""Writes for scans (HackSoft style): views and tasks call these, never the ORM.

- ``scans``: ``store_upload``, ``scan_create``, ``scan_cancel`` (used by the pages),
  ``scans_delete`` (the admin).
- ``pipeline``: what the Celery tasks run: start, chunk, summary.
- ``sweep``: the beat task's stale-scan sweep.
- ``partition_lifecycle``: the findings partitions, called by the above where a
  scan is created, finished and deleted.
"""

from dataguardian.scans.services.scans import scan_cancel, scan_create, scans_delete
from dataguardian.scans.sources import ScanSourceError, store_upload

__all__ = ["ScanSourceError", "scan_cancel", "scan_create", "scans_delete", "store_upload"]
