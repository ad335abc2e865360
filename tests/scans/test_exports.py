"""Exports parse (CSV, JSON, SARIF 2.1.0) and stream in constant memory."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc

import pytest
from django.urls import reverse

from dataguardian.scans.selectors import EXPORT_COLUMNS
from tests.foundation.factories import make_finding
from tests.scanner import sarif_schema
from tests.scans.page_support import bulk_findings

pytestmark = pytest.mark.django_db


def _download(client, scan, fmt) -> bytes:
    response = client.get(reverse("scans:export", args=[scan.pk, fmt]))
    assert response.status_code == 200
    assert response.streaming
    assert f"scan-{scan.pk}-findings.{fmt}" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


@pytest.fixture
def findings(scan):
    make_finding(scan, severity=1, entity="IP_ADDRESS", masked_value="10.0.*.*", path="logs/a.log", line=7)
    make_finding(scan, severity=4, entity="NL_BSN", masked_value="*****6789", path="hr.zip!people.csv",
                 line=2, column=5)
    make_finding(scan, severity=3, entity="IBAN", masked_value="NL** **** 4300", path="",
                 table_name="customers", column_name="iban", row_key="42", line=None, column=None)
    return scan


def test_csv_rows_parse_critical_first(analyst, findings):
    rows = list(csv.DictReader(io.StringIO(_download(analyst, findings, "csv").decode())))
    assert list(rows[0].keys()) == list(EXPORT_COLUMNS)
    assert [row["severity"] for row in rows] == ["critical", "high", "low"]
    assert rows[0]["masked_value"] == "*****6789" and rows[0]["path"] == "hr.zip!people.csv"
    assert rows[1]["table_name"] == "customers" and rows[1]["row_key"] == "42"
    assert all(len(row["value_hash"]) == 64 for row in rows)


def test_json_parses(analyst, findings):
    data = json.loads(_download(analyst, findings, "json"))
    assert data["scan"]["id"] == findings.pk
    assert [f["entity"] for f in data["findings"]] == ["NL_BSN", "IBAN", "IP_ADDRESS"]
    assert data["findings"][0]["line"] == 2


def _check_sarif(log: dict) -> None:
    """What code-scanning tools rely on, then the official SARIF 2.1.0 schema (skips without it)."""
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert result["message"]["text"]
        assert result["level"] in {"none", "note", "warning", "error"}
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    sarif_schema.assert_valid(log)


def test_sarif_is_a_valid_log(analyst, findings):
    log = json.loads(_download(analyst, findings, "sarif"))
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["NL_BSN", "IBAN", "IP_ADDRESS"]
    assert results[0]["level"] == "error"
    assert "*****6789" in results[0]["message"]["text"]
    _check_sarif(log)


def test_exports_of_a_scan_without_findings_parse(analyst, scan):
    assert list(csv.reader(io.StringIO(_download(analyst, scan, "csv").decode()))) == [list(EXPORT_COLUMNS)]
    assert json.loads(_download(analyst, scan, "json"))["findings"] == []
    log = json.loads(_download(analyst, scan, "sarif"))
    assert log["runs"][0]["results"] == []
    _check_sarif(log)


def test_unknown_format_is_404(analyst, scan):
    assert analyst.get(reverse("scans:export", args=[scan.pk, "xlsx"])).status_code == 404


def _streamed_peak(client, scan, fmt) -> tuple[int, int]:
    """(bytes streamed, peak Python memory while streaming them)."""
    response = client.get(reverse("scans:export", args=[scan.pk, fmt]))
    assert response.streaming
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return total, peak


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "json", "sarif"])
def test_exports_stream_in_constant_memory(analyst, scan, fmt):
    """Five times the findings: five times the output, about the same peak memory."""
    bulk_findings(scan, 10_000)
    small_total, small_peak = _streamed_peak(analyst, scan, fmt)
    bulk_findings(scan, 40_000)  # 50 000 in all
    large_total, large_peak = _streamed_peak(analyst, scan, fmt)
    assert large_total > 4.5 * small_total
    assert large_peak < 1.5 * small_peak, (
        f"{fmt}: peak {small_peak} B for {small_total} B, {large_peak} B for {large_total} B")


def test_csv_cells_that_look_like_formulas_are_neutralised_in_every_column(analyst, scan):
    make_finding(scan, severity=2, entity="EMAIL", masked_value="@j***@example.nl",
                 path="=HYPERLINK(\"http://x\")", sheet="+Sheet", cell="-A1", table_name="\ttab",
                 column_name="\rcol", row_key="@key", context="=1+2", category="-cat")
    (row,) = csv.DictReader(io.StringIO(_download(analyst, scan, "csv").decode()))
    for column in ("masked_value", "path", "sheet", "cell", "table_name", "column_name", "row_key",
                   "context", "category"):
        assert row[column].startswith("'"), column
    assert row["path"] == "'=HYPERLINK(\"http://x\")" and row["severity"] == "medium"
