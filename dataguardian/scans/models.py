"""Scans and the findings they produce.

A finding stores where personal data was found, a masked form of it and a
keyed hash (HMAC-SHA256 with ``FINDING_HASH_KEY``) — never the value itself.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from dataguardian.orgs.models import Organization


class ScanKind(models.TextChoices):
    DOCUMENTS = "documents", "Documents"
    CODE = "code", "Source code"
    DATABASE = "database", "Database"


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


UNFINISHED_STATUSES = (ScanStatus.QUEUED, ScanStatus.RUNNING)
# Per-file errors: a chunk keeps its first CHUNK_FILE_ERRORS_KEPT, the summary
# copies the scan's first SCAN_FILE_ERRORS_KEPT onto the scan row (for its page).
CHUNK_FILE_ERRORS_KEPT = 100
SCAN_FILE_ERRORS_KEPT = 50


class Severity(models.IntegerChoices):
    """Stored as a rank so that "critical first" is a plain index order."""

    LOW = 1, "low"
    MEDIUM = 2, "medium"
    HIGH = 3, "high"
    CRITICAL = 4, "critical"


class Entity(models.TextChoices):
    """The entity types the scanner reports (dataguardian.scanner.detectors)."""

    EMAIL = "EMAIL", "E-mail address"
    PHONE = "PHONE", "Phone number"
    IBAN = "IBAN", "IBAN"
    CREDIT_CARD = "CREDIT_CARD", "Credit card number"
    NL_BSN = "NL_BSN", "BSN"
    NL_POSTCODE = "NL_POSTCODE", "Dutch postcode"
    NL_PASSPORT = "NL_PASSPORT", "Dutch passport number"
    NL_ID_CARD = "NL_ID_CARD", "Dutch ID-card number"
    NL_KVK = "NL_KVK", "KvK number"
    IP_ADDRESS = "IP_ADDRESS", "IP address"
    DATE_OF_BIRTH = "DATE_OF_BIRTH", "Date of birth"
    PERSON = "PERSON", "Person name"
    ADDRESS = "ADDRESS", "Address"
    AWS_ACCESS_KEY = "AWS_ACCESS_KEY", "AWS access key"
    AWS_SECRET_KEY = "AWS_SECRET_KEY", "AWS secret key"
    GITHUB_TOKEN = "GITHUB_TOKEN", "GitHub token"
    SLACK_TOKEN = "SLACK_TOKEN", "Slack token"
    PRIVATE_KEY = "PRIVATE_KEY", "Private key"
    JWT = "JWT", "JSON Web Token"
    CONNECTION_PASSWORD = "CONNECTION_PASSWORD", "Password in a URL or connection string"
    GENERIC_SECRET = "GENERIC_SECRET", "Secret"


class Scan(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scans", db_index=False
    )  # indexed first in scan_org_created_idx
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="scans",
    )
    kind = models.CharField(max_length=10, choices=ScanKind.choices)
    source = models.CharField(max_length=500, help_text="What was scanned, with no credentials.")
    status = models.CharField(max_length=10, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    findings_count = models.PositiveIntegerField(default=0)
    count_low = models.PositiveIntegerField(default=0)
    count_medium = models.PositiveIntegerField(default=0)
    count_high = models.PositiveIntegerField(default=0)
    count_critical = models.PositiveIntegerField(default=0)
    entity_counts = models.JSONField(default=dict, blank=True)
    risk_score = models.FloatField(default=0.0)
    error_message = models.TextField(blank=True)
    # Files (or archive members, or tables) that could not be scanned, written
    # by the summary task: how many, and the first SCAN_FILE_ERRORS_KEPT of them
    # as {"path": relative to the source, "reason": ...}.
    file_errors_count = models.PositiveIntegerField(default=0)
    file_errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_progress_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=F("progress_total")), name="scan_progress_within_total"
            ),
            models.CheckConstraint(
                condition=Q(risk_score__gte=0) & Q(risk_score__lte=100), name="scan_risk_score_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ScanStatus.values), name="scan_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=ScanKind.values), name="scan_kind_valid"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("created_at")),
                name="scan_finished_after_created",
            ),
        ]
        indexes = [
            # Dashboard and scans list: an organisation's scans, newest first.
            models.Index(fields=["organization", "-created_at"], name="scan_org_created_idx"),
            # Scans list filtered by status: an organisation's scans in one status, newest first.
            models.Index(
                fields=["organization", "status", "-created_at"], name="scan_org_status_idx"
            ),
            # Stale-scan sweep: unfinished scans by last progress (partial: few rows).
            models.Index(
                fields=["last_progress_at"],
                condition=Q(status__in=UNFINISHED_STATUSES),
                name="scan_unfinished_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Scan {self.pk} ({self.get_kind_display()}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED_STATUSES

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.is_finished else 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def file_errors_not_listed(self) -> int:
        return max(0, self.file_errors_count - len(self.file_errors or ()))


class Finding(models.Model):
    """On PostgreSQL the table is partitioned by scan: see ``dataguardian.scans.partitions``.

    A schema change to this model needs a migration that applies it to the
    existing partitions as well (the parent carries columns and CHECKs only).
    """

    scan = models.ForeignKey(
        Scan, on_delete=models.CASCADE, related_name="findings", db_index=False
    )  # indexed first in finding_scan_severity_idx
    # Denormalised from the scan: the same value is looked up across an
    # organisation's scans, and every query is scoped by organisation.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="findings", db_index=False
    )  # indexed first in finding_org_hash_idx
    entity = models.CharField(max_length=32, choices=Entity.choices)
    category = models.CharField(max_length=100)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    confidence = models.FloatField()
    path = models.CharField(max_length=1024, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    column = models.PositiveIntegerField(null=True, blank=True)
    sheet = models.CharField(max_length=200, blank=True)
    cell = models.CharField(max_length=200, blank=True)
    table_name = models.CharField(max_length=200, blank=True)
    column_name = models.CharField(max_length=200, blank=True)
    # A database row's primary key is personal data until proven otherwise:
    # stored masked (scanner.masking.mask_key) and as an HMAC under
    # FINDING_HASH_KEY, like a found value; "#N" numbers a row of a table
    # without a key (ours, not the source's).
    row_key = models.CharField(max_length=200, blank=True, help_text="Masked.")
    row_key_hash = models.CharField(
        max_length=64, blank=True, default="", help_text="HMAC-SHA256 of the row key, hex."
    )
    masked_value = models.CharField(max_length=200)
    value_hash = models.CharField(max_length=64, help_text="HMAC-SHA256 of the value, hex.")
    context = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="finding_confidence_range"
            ),
            models.CheckConstraint(
                condition=Q(severity__gte=Severity.LOW) & Q(severity__lte=Severity.CRITICAL),
                name="finding_severity_range",
            ),
            # Not ``^[0-9a-f]{64}$``: PostgreSQL's regex engine expands the
            # counted repeat, and that check alone halved COPY's speed.
            models.CheckConstraint(
                condition=Q(Exact(Length("value_hash"), 64)) & Q(value_hash__regex=r"^[0-9a-f]+$"),
                name="finding_value_hash_hex",
            ),
        ]
        indexes = [
            # Scan detail: a scan's findings, critical first, paged by id.
            models.Index(fields=["scan", "-severity", "id"], name="finding_scan_severity_idx"),
            # Scan detail filtered by entity: a scan's findings of one entity type.
            models.Index(fields=["scan", "entity", "-severity", "id"], name="finding_scan_entity_idx"),
            # "Seen elsewhere": the same value across an organisation's scans.
            models.Index(fields=["organization", "value_hash"], name="finding_org_hash_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.masked_value} in {self.path or self.table_name}"

    @property
    def location(self) -> str:
        if self.table_name:
            return f"{self.table_name}.{self.column_name} [{self.row_key}]"
        if self.sheet or self.cell:
            return f"{self.path} {self.sheet}!{self.cell}".strip()
        if self.line is not None:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


# --- Pipeline bookkeeping (dataguardian.scans.tasks) ------------------------


class SourceType(models.TextChoices):
    UPLOAD = "upload", "Uploaded files"
    FOLDER = "folder", "Server folder"
    DATABASE = "database", "Database"


class ScanJob(models.Model):
    """The pipeline's own record of a scan; never shown to users.

    Kept apart from ``Scan`` so the pages never load it. ``root`` is the
    upload directory or the allowed folder (a database source has its URL in
    ``ScanCredential`` instead); ``requeues`` counts the stale-scan sweeper's
    attempts to revive it.
    """

    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="job")
    source_type = models.CharField(max_length=10, choices=SourceType.choices)
    root = models.CharField(max_length=1024, blank=True)
    requeues = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source_type} job of scan {self.scan_id}"


class ScanCredential(models.Model):
    """A database URL, encrypted (Fernet, key derived from SECRET_KEY).

    Deleted as soon as the scan ends, whatever the outcome.
    """

    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="credential")
    token = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"credential of scan {self.scan_id}"


class ScanChunk(models.Model):
    """One slice of a scan's work, and the proof that its findings were written.

    ``done_at`` is set in the same transaction as the findings insert, so a
    chunk delivered twice writes its findings once.
    """

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="chunks", db_index=False)
    index = models.PositiveIntegerField()
    units = models.JSONField(help_text="Files, archive members or tables, relative to the source.")
    unit_count = models.PositiveIntegerField()
    size = models.BigIntegerField(default=0)
    findings_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Per-file errors (path, reason).")
    error_count = models.PositiveIntegerField(default=0, help_text="All per-file errors, kept or not.")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Also serves "a scan's chunks in order" and the pending-chunk lookups.
            models.UniqueConstraint(fields=["scan", "index"], name="scanchunk_scan_index_uniq"),
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of scan {self.scan_id}"
