"""SARIF 2.1.0: the parts code-scanning tools require, checked with a schema.

The official schema is not available offline here, so this test holds the
subset of it that our output uses (required properties, enums, minimums),
written from the SARIF 2.1.0 specification.
"""

from __future__ import annotations

import json

import jsonschema

from dataguardian.scanner.sarif import artifact_uri, build_sarif
from dataguardian.scanner.types import Finding, SourceError

MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
LEVEL = {"enum": ["none", "note", "warning", "error"]}
ARTIFACT = {"type": "object", "required": ["uri"],
            "properties": {"uri": {"type": "string", "format": "uri-reference"}}}
LOCATION = {
    "type": "object",
    "properties": {
        "physicalLocation": {
            "type": "object", "required": ["artifactLocation"],
            "properties": {
                "artifactLocation": ARTIFACT,
                "region": {"type": "object", "required": ["startLine"], "properties": {
                    "startLine": {"type": "integer", "minimum": 1},
                    "startColumn": {"type": "integer", "minimum": 1}}},
            },
        },
        "logicalLocations": {"type": "array", "items": {
            "type": "object", "properties": {"fullyQualifiedName": {"type": "string"}}}},
    },
}
SCHEMA = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"enum": ["2.1.0"]},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {
                    "driver": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"},
                        "rules": {"type": "array", "uniqueItems": True, "items": {
                            "type": "object", "required": ["id"], "properties": {
                                "id": {"type": "string"},
                                "shortDescription": MESSAGE,
                                "fullDescription": MESSAGE,
                                "defaultConfiguration": {"type": "object", "properties": {
                                    "level": LEVEL}}}}}}}}},
                "invocations": {"type": "array", "items": {
                    "type": "object", "required": ["executionSuccessful"], "properties": {
                        "executionSuccessful": {"type": "boolean"},
                        "toolExecutionNotifications": {"type": "array", "items": {
                            "type": "object", "required": ["message"], "properties": {
                                "message": MESSAGE, "level": LEVEL,
                                "locations": {"type": "array", "items": LOCATION}}}}}}},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"], "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": LEVEL,
                        "message": MESSAGE,
                        "locations": {"type": "array", "items": LOCATION},
                        "partialFingerprints": {"type": "object",
                                                "additionalProperties": {"type": "string"}},
                        "properties": {"type": "object"}}}},
            },
        }},
    },
}


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
    jsonschema.validate(log, SCHEMA, format_checker=jsonschema.FormatChecker())
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


def test_empty_log_validates():
    jsonschema.validate(build_sarif([]), SCHEMA)


def test_artifact_uris():
    assert artifact_uri("/tmp/a b/c.txt") == "file:///tmp/a%20b/c.txt"
    assert artifact_uri("data/ä.txt!x") == "data/%C3%A4.txt"
