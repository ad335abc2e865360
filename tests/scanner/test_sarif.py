"""SARIF 2.1.0: the scanner's log, checked against the official OASIS schema."""

from __future__ import annotations

import json

from dataguardian.scanner.sarif import artifact_uri, build_sarif
from dataguardian.scanner.types import Finding, SourceError
from tests.scanner import sarif_schema


def finding(**kwargs) -> Finding:
    base = {"entity": "EMAIL", "severity": "medium", "category": "user.contact.email",
            "confidence": 0.9, "path": "data/a.txt", "masked": "j***@example.nl",
            "value_hash": "ab" * 32, "line": 3, "column": 7}
    return Finding(**{**base, **kwargs})


def test_log_validates_and_holds_every_finding():
    findings = [
        finding(),
        finding(entity="NL_BSN", severity="critical", category="user.government_id",
                path="backup.zip!old/customers.csv", masked="*****1234", line=2, column=1),
        finding(path="klanten.xlsx", line=None, column=None, sheet="Klanten", cell="B7"),
        finding(path="db:customers", line=None, column=None, table="customers",
                column_name="email", row_key="42"),
    ]
    log = build_sarif(findings, [SourceError("data/empty.txt", "empty file, nothing to scan")])
    json.dumps(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["EMAIL", "NL_BSN"]
    results = run["results"]
    assert [r["level"] for r in results] == ["warning", "error", "warning", "warning"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 7}
    member = results[1]["locations"][0]
    assert member["physicalLocation"] == {"artifactLocation": {"uri": "backup.zip"}}
    assert member["logicalLocations"][0]["fullyQualifiedName"] == "backup.zip!old/customers.csv line 2"
    assert results[2]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "Klanten B7"
    assert results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "db:customers"
    assert results[1]["ruleIndex"] == 1 and results[1]["partialFingerprints"]["valueHash/v1"] == "ab" * 32
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith(
        "data/empty.txt")
    sarif_schema.assert_valid(log)


def test_empty_log_validates():
    sarif_schema.assert_valid(build_sarif([]))


def test_the_official_schema_rejects_what_it_should():
    """The check has teeth: an unknown level, a line 0 and a missing message all fail."""
    log = build_sarif([finding()])
    result = log["runs"][0]["results"][0]
    result["level"] = "fatal"
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del result["message"]
    messages = [error.message for error in sarif_schema.validator().iter_errors(log)]
    assert len(messages) >= 3, messages


def test_artifact_uris():
    assert artifact_uri("/tmp/a b/c.txt") == "file:///tmp/a%20b/c.txt"
    assert artifact_uri("data/ä.txt!x") == "data/%C3%A4.txt"
