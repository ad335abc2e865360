"""Findings as a SARIF 2.1.0 log, for code-scanning tools and the web export.

One rule per entity; one result per finding. A finding inside an archive
member or a spreadsheet points at the outer file and names the member,
sheet or cell as a logical location, since a line in a member is not a line
of the archive. The raw value never appears: only the masked form, and the
keyed hash as a partial fingerprint so a tool can follow a finding between
runs.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from dataguardian.scanner.types import Finding, SourceError

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "DataGuardian Pro scanner"
INFORMATION_URI = "https://github.com/dataguardian/dataguardian-pro"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def build_sarif(
    findings: Iterable[Finding],
    errors: Iterable[SourceError] = (),
    *,
    tool_version: str = "0.1.0",
) -> dict[str, Any]:
    """A complete SARIF log (a dict ready for ``json.dump``) with one run."""
    findings = list(findings)
    rules: dict[str, dict[str, Any]] = {}
    for finding in findings:
        rules.setdefault(finding.entity, _rule(finding))
    rule_index = {entity: index for index, entity in enumerate(rules)}
    notifications = [
        {"level": "warning", "message": {"text": f"{error.path}: {error.reason}"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(error.path)}}}]}
        for error in errors
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": tool_version,
                                "informationUri": INFORMATION_URI,
                                "rules": list(rules.values())}},
            "invocations": [{"executionSuccessful": True,
                             "toolExecutionNotifications": notifications}],
            "results": [_result(finding, rule_index[finding.entity]) for finding in findings],
            "columnKind": "unicodeCodePoints",
        }],
    }


def artifact_uri(path: str) -> str:
    """The URI of the outermost file of ``path`` (``a.zip!b.csv`` -> ``a.zip``)."""
    outer = path.split("!", 1)[0]
    if outer.startswith("db:"):
        return "db:" + quote(outer[3:], safe="/._-")
    if os.path.isabs(outer):
        return pathlib.Path(outer).as_uri()
    return quote(outer.replace(os.sep, "/"), safe="/._-~")


def _rule(finding: Finding) -> dict[str, Any]:
    name = finding.entity.replace("_", " ").lower()
    return {
        "id": finding.entity,
        "name": "".join(part.capitalize() for part in finding.entity.split("_")),
        "shortDescription": {"text": f"Personal data or secret: {name}"},
        "fullDescription": {"text": f"A value that looks like {name} ({finding.category})."},
        "defaultConfiguration": {"level": LEVELS.get(finding.severity, "warning")},
        "properties": {"category": finding.category, "tags": ["privacy", finding.category]},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(finding.path)}}
    logical = _logical(finding)
    if finding.line is not None and "!" not in finding.path:
        region: dict[str, Any] = {"startLine": finding.line}
        if finding.column is not None:
            region["startColumn"] = finding.column
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if logical:
        location["logicalLocations"] = [{"fullyQualifiedName": logical, "kind": "object"}]
    return {
        "ruleId": finding.entity,
        "ruleIndex": rule_index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": f"{finding.entity.replace('_', ' ').title()} found: {finding.masked}"},
        "locations": [location],
        "partialFingerprints": {"valueHash/v1": finding.value_hash},
        "properties": {
            "severity": finding.severity,
            "security-severity": SECURITY_SEVERITY.get(finding.severity, "5.0"),
            "confidence": finding.confidence,
            "category": finding.category,
            "path": finding.path,
            "masked": finding.masked,
        },
    }


def _logical(finding: Finding) -> str:
    parts = [finding.path] if "!" in finding.path else []
    if finding.line is not None and "!" in finding.path:
        parts.append(f"line {finding.line}")
    parts += [p for p in (finding.sheet, finding.cell, finding.table, finding.column_name) if p]
    if finding.row_key:
        parts.append(f"row {finding.row_key}")
    return " ".join(parts)
