"""Output formats of the command-line scan: table, json, jsonl, csv, sarif.

A writer receives results as they complete (``add``) and writes what it
can right away (jsonl and csv stream, one finding a line); ``finish`` gets
the summary and writes the rest. Errors go into the output where the
format has room for them (table's Errors section, json's summary, SARIF's
notifications) and to stderr otherwise, so stdout stays parseable.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from dataguardian.scanner.sarif import build_sarif
from dataguardian.scanner.streams import human_bytes
from dataguardian.scanner.types import FileResult, Finding, SourceError

FORMATS = ("table", "json", "jsonl", "csv", "sarif")
CSV_FIELDS = ("path", "line", "column", "sheet", "cell", "table", "column_name", "row_key",
              "row_key_hash", "entity", "severity", "category", "confidence", "masked", "value_hash",
              "context")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
# OWASP's rule against CSV injection: a cell starting with one of these is
# read as a formula by spreadsheets, so it gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """``value`` as a spreadsheet will show it, never run it: text that starts
    like a formula is prefixed with ``'``; numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(slots=True)
class Summary:
    """Counts of one scan, as the json output and the table's head show them.

    ``files`` counts the files whose bytes were read (not archive members,
    not paths that could not be opened, not empty files).
    """

    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    by_entity: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    errors: list[SourceError] = field(default_factory=list)

    def add(self, result: FileResult, findings: list[Finding]) -> None:
        if "!" not in result.path and result.size:
            self.files += 1
            self.bytes += result.size
        self.by_entity.update(f.entity for f in findings)
        self.by_severity.update(f.severity for f in findings)
        self.errors.extend(result.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files_scanned": self.files,
            "bytes_scanned": self.bytes,
            "seconds": round(self.seconds, 3),
            "findings": sum(self.by_entity.values()),
            "by_entity": dict(self.by_entity.most_common()),
            "by_severity": {s: self.by_severity[s] for s in SEVERITY_ORDER if self.by_severity[s]},
            "errors": [{"path": e.path, "reason": e.reason} for e in self.errors],
        }


class Writer:
    """Collects findings; subclasses decide what to write when."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.findings: list[Finding] = []

    def add(self, result: FileResult, findings: list[Finding]) -> None:
        self.findings.extend(findings)

    def finish(self, summary: Summary) -> None:
        raise NotImplementedError

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.path, f.line or 0, f.column or 0,
                                                    f.sheet or "", f.cell or "", f.entity))


class JsonWriter(Writer):
    def finish(self, summary: Summary) -> None:
        json.dump({"findings": [f.as_dict() for f in self.sorted_findings()],
                   "summary": summary.as_dict()}, self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")


class JsonLinesWriter(Writer):
    def add(self, result: FileResult, findings: list[Finding]) -> None:
        for finding in findings:
            self.out.write(json.dumps(finding.as_dict(), ensure_ascii=False) + "\n")
        self.out.flush()
        _errors_to(self.err, result.errors)

    def finish(self, summary: Summary) -> None:
        self.err.write(_headline(summary) + "\n")


class CsvWriter(Writer):
    def __init__(self, out: TextIO, err: TextIO) -> None:
        super().__init__(out, err)
        self.csv = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
        self.csv.writeheader()

    def add(self, result: FileResult, findings: list[Finding]) -> None:
        self.csv.writerows({k: csv_safe(v) for k, v in f.as_dict().items()} for f in findings)
        self.out.flush()
        _errors_to(self.err, result.errors)

    def finish(self, summary: Summary) -> None:
        self.err.write(_headline(summary) + "\n")


class SarifWriter(Writer):
    def finish(self, summary: Summary) -> None:
        json.dump(build_sarif(self.sorted_findings(), summary.errors), self.out, indent=2,
                  ensure_ascii=False)
        self.out.write("\n")


class TableWriter(Writer):
    def finish(self, summary: Summary) -> None:
        write = self.out.write
        write(_headline(summary) + "\n")
        if summary.by_entity:
            write("By entity:   " + ", ".join(f"{e} {n}" for e, n in summary.by_entity.most_common())
                  + "\n")
            write("By severity: " + ", ".join(f"{s} {summary.by_severity[s]}" for s in SEVERITY_ORDER
                                             if summary.by_severity[s]) + "\n")
        findings = self.sorted_findings()
        if findings:
            rows = [(location(f), f.entity, f.severity, f"{f.confidence:.2f}", f.masked)
                    for f in findings]
            write("\nFindings\n")
            _table(write, ("LOCATION", "ENTITY", "SEVERITY", "CONF", "VALUE"), rows)
        if summary.errors:
            write(f"\nErrors ({len(summary.errors)})\n")
            for error in summary.errors:
                write(f"  {error.path}: {error.reason}\n")


WRITERS: dict[str, type[Writer]] = {"table": TableWriter, "json": JsonWriter,
                                    "jsonl": JsonLinesWriter, "csv": CsvWriter,
                                    "sarif": SarifWriter}


def location(finding: Finding) -> str:
    """``path:line:column``, ``path [Sheet1 B7]`` or ``db:t column id=3``."""
    text = finding.path
    if finding.line is not None:
        text += f":{finding.line}" + (f":{finding.column}" if finding.column is not None else "")
    extra = [p for p in (finding.sheet, finding.cell) if p]
    if finding.column_name and finding.path.startswith("db:"):
        extra.append(finding.column_name)
    if finding.row_key:
        extra.append(f"row {finding.row_key}")
    return text + (f" [{' '.join(extra)}]" if extra else "")


def _headline(summary: Summary) -> str:
    count = sum(summary.by_entity.values())
    return (f"Scanned {summary.files} files ({human_bytes(summary.bytes)}) in "
            f"{summary.seconds:.1f} s: {count} finding{'s' if count != 1 else ''}, "
            f"{len(summary.errors)} error{'s' if len(summary.errors) != 1 else ''}")


def _errors_to(stream: TextIO, errors: list[SourceError]) -> None:
    for error in errors:
        stream.write(f"error: {error.path}: {error.reason}\n")


def _table(write: Any, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [min(max(len(h), *(len(r[i]) for r in rows)), 80) for i, h in enumerate(head)]
    for row in (head, *rows):
        write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
              + "\n")
