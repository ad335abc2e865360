"""Forms of the scan pages: starting a scan, and the list and findings filters."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from dataguardian.scans.models import Entity, ScanKind, ScanStatus, Severity

UPLOAD, FOLDER, DATABASE = "upload", "folder", "database"
SOURCE_CHOICES = [
    (UPLOAD, "Upload files or an archive"),
    (FOLDER, "A folder on the server"),
    (DATABASE, "A database"),
]


class SourceSelect(forms.RadioSelect):
    """Radio buttons whose ``disabled_values`` are shown but cannot be chosen."""

    disabled_values: frozenset[str] = frozenset()

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files and cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ScanForm(forms.Form):
    """What to scan. Checks what can be checked without reading the content;
    ``services.store_upload`` checks the content (type, archive limits)."""

    source = forms.ChoiceField(choices=SOURCE_CHOICES, initial=UPLOAD, widget=SourceSelect)
    kind = forms.ChoiceField(
        required=False,
        choices=[(ScanKind.DOCUMENTS, ScanKind.DOCUMENTS.label), (ScanKind.CODE, ScanKind.CODE.label)],
        initial=ScanKind.DOCUMENTS,
        help_text="Source code scans look harder for secrets and keys.",
    )
    files = MultipleFileField(
        required=False, label="Files", allow_empty_file=True,
        help_text="Several files, or one archive (.zip, .tar, .tar.gz).",
    )
    folder = forms.ChoiceField(required=False, label="Folder")
    database_url = forms.CharField(
        required=False, label="Database URL", max_length=2000, strip=True,
        # render_value=False: the credentials are never sent back to the browser.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="postgres://user:password@host:5432/name or sqlite:////path/to/file.db — "
        "used for this scan only, never shown again nor logged.",
    )
    DATABASES_OFF = ("Database scans are off on this installation: an administrator allows "
                     "database servers with DG_SCAN_DATABASE_HOSTS (and SQLite files inside the "
                     "folders of DG_SCAN_FOLDERS).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        folders = list(getattr(settings, "DG_SCAN_FOLDERS", []))
        self.fields["folder"].choices = [("", "Choose a folder…")] + [(f, f) for f in folders]
        self.folders_available = bool(folders)
        self.database_hosts = list(settings.DG_SCAN_DATABASE_HOSTS)
        self.databases_available = bool(self.database_hosts or folders)
        if not self.databases_available:
            self.fields["source"].widget.disabled_values = frozenset({DATABASE})
        self.max_upload_bytes = settings.DG_MAX_UPLOAD_MB * 1024 * 1024
        self.fields["files"].help_text += (
            f" Up to {settings.DG_MAX_UPLOAD_FILES} files and "
            f"{filesizeformat(self.max_upload_bytes)} in total; empty files are skipped.")

    def clean(self):
        data = super().clean()
        source = data.get("source")
        data["kind"] = data.get("kind") or ScanKind.DOCUMENTS
        if source == UPLOAD:
            self._check_files(data.get("files") or [])
        elif source == FOLDER and not data.get("folder"):
            self.add_error("folder", "Choose one of the folders your administrator allowed.")
        elif source == DATABASE:
            data["kind"] = ScanKind.DATABASE
            if not self.databases_available:
                self.add_error("source", self.DATABASES_OFF)
            elif not data.get("database_url"):
                self.add_error("database_url", "Enter the URL of the database to scan.")
        return data

    def _check_files(self, files: list) -> None:
        # Size, emptiness and content are judged by services.store_upload, once.
        if not files:
            self.add_error("files", "Choose at least one file or an archive to upload.")

    def refuse_too_many_files(self) -> None:
        """The request carried more files than DG_MAX_UPLOAD_FILES (scans.uploads stopped it)."""
        self.full_clean()
        self.errors.clear()
        self.add_error("files", f"You can upload at most {settings.DG_MAX_UPLOAD_FILES} files at "
                       "once; put more in a zip archive and upload that.")


def _choices(pairs, blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(value), label) for value, label in pairs]


class ScanFilterForm(forms.Form):
    """Filters of the scans list; invalid values are ignored, not errors."""

    status = forms.ChoiceField(required=False, choices=_choices(ScanStatus.choices, "Any status"))
    kind = forms.ChoiceField(required=False, choices=_choices(ScanKind.choices, "Any kind"))
    q = forms.CharField(required=False, max_length=200, label="Search")


class FindingFilterForm(forms.Form):
    entity = forms.ChoiceField(required=False, choices=_choices(Entity.choices, "All entities"))
    severity = forms.ChoiceField(
        required=False,
        choices=_choices(sorted(Severity.choices, reverse=True), "All severities"),
    )
