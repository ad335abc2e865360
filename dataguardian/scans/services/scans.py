"""Starting and cancelling scans: the services the pages call."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from kombu.exceptions import KombuError

from dataguardian.activity import Action
from dataguardian.orgs import roles
from dataguardian.orgs.models import Membership, Organization
from dataguardian.scans.dbtargets import check_database_url
from dataguardian.scans.models import (
    UNFINISHED_STATUSES,
    Scan,
    ScanCredential,
    ScanJob,
    ScanKind,
    ScanStatus,
    SourceType,
)
from dataguardian.scans.services import hooks, partition_lifecycle
from dataguardian.scans.sources import (
    ScanSourceError,
    check_upload_dir,
    describe_upload,
    encrypt_secret,
    resolve_folder,
)

logger = logging.getLogger(__name__)


def require_scan_role(user: Any, organization: Organization) -> Membership:
    """The user's membership if it may start and cancel scans, else PermissionDenied."""
    membership = Membership.objects.filter(user=user, organization=organization).first()
    if not roles.has_role(membership, roles.START_SCANS):
        raise PermissionDenied("Your role in this organisation cannot start or cancel scans.")
    return membership


def scan_create(
    *,
    user: Any,
    organization: Organization,
    kind: str,
    upload_dir: Path | None = None,
    folder: str | None = None,
    database_url: str | None = None,
) -> Scan:
    """Create a queued scan of exactly one source and enqueue it on commit.

    - ``upload_dir``: a folder returned by ``store_upload`` (removed again if
      this call fails, so a refused scan leaves no files).
    - ``folder``: a server path inside ``settings.DG_SCAN_FOLDERS``.
    - ``database_url``: PostgreSQL or SQLite; stored encrypted in a
      ``ScanCredential`` deleted when the scan ends; ``Scan.source`` holds
      only a redacted form.

    Raises ``PermissionDenied`` (not a member, or a viewer) and
    ``ScanSourceError`` (a source we refuse, with a message for the user).
    """
    try:
        return _scan_create(user, organization, kind, upload_dir, folder, database_url)
    except BaseException:
        if upload_dir is not None:
            _remove_upload(upload_dir)
        raise


def _scan_create(user, organization, kind, upload_dir, folder, database_url) -> Scan:
    require_scan_role(user, organization)
    given = [s for s in (upload_dir, folder, database_url) if s not in (None, "")]
    if len(given) != 1:
        raise ScanSourceError("Choose one source: uploaded files, a server folder or a database URL.")
    if kind not in ScanKind.values:
        raise ScanSourceError("Unknown kind of scan.")
    secret = None
    if database_url:
        if kind != ScanKind.DATABASE:
            raise ScanSourceError("A database URL can only be scanned as a database scan.")
        _engine, source, secret = check_database_url(database_url)
        source_type, root = SourceType.DATABASE, ""
    else:
        if kind == ScanKind.DATABASE:
            raise ScanSourceError("A database scan needs a database URL.")
        if upload_dir is not None:
            path = check_upload_dir(Path(upload_dir))
            source_type, root, source = SourceType.UPLOAD, str(path), describe_upload(path)
        else:
            path = resolve_folder(folder)
            source_type, root, source = SourceType.FOLDER, str(path), f"Folder: {path}"[:500]
    with transaction.atomic():
        scan = Scan.objects.create(
            organization=organization, created_by=user, kind=kind, source=source,
            status=ScanStatus.QUEUED,
        )
        partition_lifecycle.on_scan_created(scan)
        ScanJob.objects.create(scan=scan, source_type=source_type, root=root)
        if secret is not None:
            ScanCredential.objects.create(scan=scan, token=encrypt_secret(secret))
        # Creating the Scan row already invalidated the caches (cache_keys' receivers).
        transaction.on_commit(lambda: _enqueue_start(scan.pk))
    hooks.record_activity(user, Action.SCAN_STARTED, obj=scan, kind=kind, source_type=source_type)
    return scan


def _enqueue_start(scan_id: int) -> None:
    """Send the start task; with the broker away the scan stays queued for the sweep to start.

    The scan row is committed already: failing here would show the user an
    error page for a scan that exists.
    """
    from dataguardian.scans.tasks import start_scan

    _send(lambda: start_scan.delay(scan_id), scan_id, "the stale-scan sweep will start it")


def _send(send, scan_id: int, fallback: str) -> None:
    """Send a task after a commit; a broker that is away is logged, never raised to the page."""
    try:
        send()
    except (KombuError, OSError) as exc:
        logger.warning("scan %s: the task queue is unreachable (%s); %s", scan_id, type(exc).__name__,
                       fallback)


def scan_cancel(*, user: Any, scan: Scan) -> Scan:
    """Cancel an unfinished scan; a finished one is returned unchanged.

    Running chunks notice the status and stop; the summary never overwrites
    it. The stored credentials go at once; uploads are removed by the
    pipeline's cleanup. Raises ``PermissionDenied`` like ``scan_create``.
    """
    require_scan_role(user, scan.organization)
    now = timezone.now()
    with transaction.atomic():
        changed = Scan.objects.filter(pk=scan.pk, status__in=UNFINISHED_STATUSES).update(
            status=ScanStatus.CANCELLED, finished_at=now, last_progress_at=now
        )
        ScanCredential.objects.filter(scan_id=scan.pk).delete()
        if changed:
            transaction.on_commit(lambda: _enqueue_cleanup(scan.pk))
            transaction.on_commit(lambda: hooks.scan_changed(scan))
    scan.refresh_from_db()
    if changed:
        hooks.record_activity(user, Action.SCAN_CANCELLED, obj=scan)
    return scan


def scans_delete(*, scans: QuerySet[Scan]) -> int:
    """Delete these scans with their findings, chunks, jobs and credentials; returns how many scans.

    For the admin and maintenance (users never delete scans). One
    transaction: the scans' findings partitions are emptied by one TRUNCATE
    first, so the cascade deletes no finding row by row (only those in
    archives), and they are dropped once it has committed.
    """
    with transaction.atomic(using=scans.db):
        scan_ids = list(scans.values_list("pk", flat=True))
        partition_lifecycle.on_scans_deleting(scan_ids, using=scans.db)
        return Scan.objects.using(scans.db).filter(pk__in=scan_ids).delete()[1].get(Scan._meta.label, 0)


def _enqueue_cleanup(scan_id: int) -> None:
    from dataguardian.scans.tasks import cleanup_scan

    # A little later, so chunks still reading the files can notice the cancel first.
    _send(lambda: cleanup_scan.apply_async((scan_id,), countdown=10), scan_id,
          "its upload goes when its start task or the last chunk sees the cancel")


def _remove_upload(upload_dir: Path) -> None:
    try:
        shutil.rmtree(check_upload_dir(Path(upload_dir)), ignore_errors=True)
    except ScanSourceError:
        pass
