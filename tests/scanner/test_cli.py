"""The command line: every format parses, errors are shown, exit codes hold."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile

import pytest

from dataguardian.scanner import cli
from tests.scanner import sarif_schema
from tests.scanner.conftest import EmailOnlyEngine

KEY = b"k" * 32


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr("dataguardian.scanner.engine.Engine", EmailOnlyEngine)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("hallo\nmail jan@example.nl\n")
    (tmp_path / "data" / "empty.txt").write_text("")
    with zipfile.ZipFile(tmp_path / "data" / "backup.zip", "w") as archive:
        archive.writestr("old/customers.csv", "naam,email\nPiet,piet@example.nl\n")
    return tmp_path


def run(argv, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, stdout=out, stderr=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_json_has_findings_and_summary(folder):
    code, out, err = run(["data", "--format", "json"], hash_key=KEY)
    assert code == 0
    document = json.loads(out)
    paths = sorted((f["path"], f["line"]) for f in document["findings"])
    assert paths == [("data/a.txt", 2), ("data/backup.zip!old/customers.csv", 2)]
    first = document["findings"][0]
    for field in ("path", "line", "column", "entity", "severity", "confidence", "masked",
                  "category", "value_hash", "context"):
        assert field in first
    summary = document["summary"]
    assert summary["files_scanned"] == 2 and summary["findings"] == 2
    assert summary["errors"] == [{"path": "data/empty.txt", "reason": "empty file, nothing to scan"}]
    assert "jan@example.nl" not in out
    assert err == ""  # a key was given: no note


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jsonl_one_finding_a_line(folder, jobs):
    code, out, err = run(["data", "--format", "jsonl", "--jobs", jobs], hash_key=KEY)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["path"] for r in rows) == ["data/a.txt", "data/backup.zip!old/customers.csv"]
    assert "error: data/empty.txt: empty file" in err


def test_csv_parses(folder):
    code, out, _ = run(["data", "--format", "csv"], hash_key=KEY)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 2
    assert {r["masked"] for r in rows} == {"j***@example.nl", "p***@example.nl"}
    assert rows[0]["line"] == "2"


def test_table_has_summary_findings_and_errors(folder):
    code, out, _ = run(["data"], hash_key=KEY)
    assert code == 0
    assert out.startswith("Scanned 2 files")
    assert "data/a.txt:2:6" in out and "EMAIL" in out
    assert "Errors (1)" in out and "data/empty.txt: empty file" in out


def test_a_missing_path_exits_2_with_one_line(folder):
    code, out, err = run(["data", "missing"], hash_key=KEY)
    assert (code, out, err) == (2, "", "scan: error: missing: no such file or folder\n")


def test_unknown_entities_are_a_usage_error_listing_the_valid_ones(folder):
    code, _, err = run(["data", "--entities", "EMAIL,SHOE_SIZE"], hash_key=KEY)
    assert code == 2 and "usage:" in err and "Traceback" not in err
    assert "unknown SHOE_SIZE; valid entities: ADDRESS, AWS_ACCESS_KEY," in err and "NL_BSN" in err


@pytest.mark.parametrize("url", ["postgresql://dg:TopSecret@127.0.0.1:1/app",
                                 "postgresql://dg@127.0.0.1:1/app?sslpassword=TopSecret"])
def test_an_unreachable_database_exits_1_with_one_line_and_no_credentials(folder, url):
    code, out, err = run(["--database-url", url], hash_key=KEY)
    assert code == 1 and out == ""
    assert err.startswith("scan: error: cannot connect to the database: ") and err.count("\n") == 1
    assert "TopSecret" not in err


def test_sarif_output(folder):
    code, out, _ = run(["data", "--format", "sarif"], hash_key=KEY)
    log = json.loads(out)
    assert code == 0 and log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "data/a.txt", "data/backup.zip"}
    sarif_schema.assert_valid(log)


def test_entities_and_confidence_filters(folder):
    _, out, _ = run(["data", "--format", "json", "--entities", "IBAN"], hash_key=KEY)
    assert json.loads(out)["findings"] == []
    _, out, _ = run(["data", "--format", "json", "--min-confidence", "0.95"], hash_key=KEY)
    assert json.loads(out)["findings"] == []


@pytest.mark.parametrize("argv", [
    [], ["x", "--format", "xml"], ["x", "--jobs", "0"], ["x", "--min-confidence", "2"],
    ["x", "--entities", ","], ["x", "--no-such-flag"],
])
def test_usage_errors_exit_2(folder, argv):
    code, _, err = run(argv, hash_key=KEY)
    assert code == 2 and "usage:" in err


def test_hash_key_from_environment_or_random(folder, monkeypatch):
    monkeypatch.setenv(cli.HASH_KEY_ENV, "env-key")
    _, first, err = run(["data", "--format", "json"])
    _, second, _ = run(["data", "--format", "json"])
    assert err == "" and first.split('"seconds"')[0] == second.split('"seconds"')[0]
    monkeypatch.delenv(cli.HASH_KEY_ENV)
    _, third, err = run(["data", "--format", "json"])
    assert "random key" in err
    hashes = lambda text: {f["value_hash"] for f in json.loads(text)["findings"]}  # noqa: E731
    assert hashes(first) != hashes(third)


def test_manage_py_scan_exits_non_zero_with_one_line(folder, settings):
    from django.core.management import call_command  # noqa: F401 - Django is configured here

    from dataguardian.scans.management.commands.scan import Command

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "scan", "missing"])
    assert exited.value.code == 2


def test_module_runs_without_django(folder):
    code = ("import sys, runpy; sys.argv = ['scan', 'data', '--format', 'jsonl'];"
            "import dataguardian.scanner.cli as c; rc = c.main();"
            "assert 'django' not in sys.modules, 'django imported'; sys.exit(rc)")
    env = {**os.environ, "DG_FINDING_HASH_KEY": "x", "PYTHONPATH": os.getcwd() + "/../.."}
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.dirname(cli.__file__)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-m", "dataguardian.scanner", "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2


def test_csv_cells_that_look_like_formulas_are_neutralised(folder):
    (folder / "=HYPERLINK(evil).txt").write_text("mail jan@example.nl\n")
    (folder / "+cmd.txt").write_text("mail jan@example.nl\n")
    _, out, _ = run(["=HYPERLINK(evil).txt", "+cmd.txt", "--format", "csv"], hash_key=KEY)
    paths = [row["path"] for row in csv.DictReader(io.StringIO(out))]
    assert sorted(paths) == ["'+cmd.txt", "'=HYPERLINK(evil).txt"]
