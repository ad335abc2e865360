"""Findings exports — CSV, JSON and SARIF 2.1.0 — streamed in constant memory.

Rows come from ``selectors.finding_export_rows`` (a server-side cursor read in
chunks) and leave as text chunks of ``CHUNK_ROWS`` rows, so exporting a
million findings holds one chunk at a time, never the list.

Only what the page shows is exported: masked values and keyed hashes; the
raw values were never stored. CSV cells that a spreadsheet would read as a
formula are neutralised (``scanner.report.csv_safe``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import islice

from django.http import StreamingHttpResponse
from django.utils import timezone

from dataguardian.scanner import sarif
from dataguardian.scanner.report import csv_safe
from dataguardian.scanner.types import Finding as EngineFinding
from dataguardian.scanner.types import SourceError
from dataguardian.scans.models import Scan, Severity
from dataguardian.scans.selectors import EXPORT_COLUMNS, finding_export_rows

CHUNK_ROWS = 2000
REPORT_FINDINGS = 200  # the printable report lists the most severe ones; exports have all
SEVERITY_LABEL = {rank: label for rank, label in Severity.choices}


def _chunks(rows: Iterable[tuple], size: int = CHUNK_ROWS) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _row_dict(row: tuple) -> dict:
    record = dict(zip(EXPORT_COLUMNS, row, strict=True))
    record["severity"] = SEVERITY_LABEL.get(record["severity"], str(record["severity"]))
    record["created_at"] = record["created_at"].isoformat() if record["created_at"] else None
    return record


def scan_metadata(scan: Scan) -> dict:
    return {
        "id": scan.pk,
        "kind": scan.kind,
        "source": scan.source,
        "status": scan.status,
        "findings_count": scan.findings_count,
        "risk_score": scan.risk_score,
        "file_errors_count": scan.file_errors_count,
        "file_errors": scan.file_errors,
        "created_at": scan.created_at.isoformat(),
        "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
        "exported_at": timezone.now().isoformat(),
    }


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(scan: Scan) -> Iterator[str]:
    writer = csv.writer(_Line())
    header = [column for column in EXPORT_COLUMNS]
    yield writer.writerow(header)
    for chunk in _chunks(finding_export_rows(scan=scan)):
        yield "".join(writer.writerow([csv_safe(value) for value in _row_dict(row).values()])
                      for row in chunk)


def json_chunks(scan: Scan) -> Iterator[str]:
    head = json.dumps({"scan": scan_metadata(scan)})
    yield head[:-1] + ', "findings": ['
    separator = ""
    for chunk in _chunks(finding_export_rows(scan=scan)):
        yield separator + ",".join(json.dumps(_row_dict(row)) for row in chunk)
        separator = ","
    yield "]}"


def _engine_finding(record: dict) -> EngineFinding:
    return EngineFinding(
        entity=record["entity"], severity=record["severity"], category=record["category"],
        confidence=record["confidence"], masked=record["masked_value"],
        # A database finding has no file: the scanner's SARIF names its table as "db:<table>".
        path=record["path"] or f"db:{record['table_name'] or 'database'}",
        value_hash=record["value_hash"], context=record["context"], line=record["line"],
        column=record["column"], sheet=record["sheet"] or None, cell=record["cell"] or None,
        table=record["table_name"] or None, column_name=record["column_name"] or None,
        row_key=record["row_key"] or None, row_key_hash=record["row_key_hash"] or None,
    )


def sarif_chunks(scan: Scan) -> Iterator[str]:
    """A SARIF log built by the scanner's ``sarif.build_sarif``, one chunk at a time.

    Each chunk is a small log of its own; its results are re-pointed at one
    growing rule list, which is written after the results (JSON objects are
    unordered, so ``tool`` may follow ``results``). The files that could not be
    scanned (the ones kept on the scan) are the invocation's notifications.
    """
    rules: dict[str, dict] = {}
    head = {"$schema": sarif.SCHEMA_URI, "version": "2.1.0"}
    yield json.dumps(head)[:-1] + ', "runs": [{"results": ['
    separator = ""
    run: dict = {}
    for chunk in _chunks(finding_export_rows(scan=scan)):
        log = sarif.build_sarif(_engine_finding(_row_dict(row)) for row in chunk)
        run = log["runs"][0]
        for rule in run["tool"]["driver"]["rules"]:
            rules.setdefault(rule["id"], rule)
        index = {rule_id: position for position, rule_id in enumerate(rules)}
        for result in run["results"]:
            result["ruleIndex"] = index[result["ruleId"]]
        yield separator + ",".join(json.dumps(result) for result in run["results"])
        separator = ","
    if not run:  # no findings: still take the tool and invocation from the builder
        run = sarif.build_sarif([])["runs"][0]
    run["tool"]["driver"]["rules"] = list(rules.values())
    not_scanned = [SourceError(error["path"], error["reason"]) for error in scan.file_errors or ()]
    run["invocations"] = sarif.build_sarif([], not_scanned)["runs"][0]["invocations"]
    tail = {key: value for key, value in run.items() if key != "results"}
    yield "]," + json.dumps(tail)[1:] + "]}"


FORMATS = {
    "csv": (csv_chunks, "text/csv; charset=utf-8"),
    "json": (json_chunks, "application/json"),
    "sarif": (sarif_chunks, "application/sarif+json"),
}


def export_response(scan: Scan, fmt: str) -> StreamingHttpResponse:
    """A streamed download of ``scan``'s findings in ``fmt`` (csv, json or sarif)."""
    produce, content_type = FORMATS[fmt]
    response = StreamingHttpResponse(produce(scan), content_type=content_type)
    filename = f"dataguardian-scan-{scan.pk}-findings.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
