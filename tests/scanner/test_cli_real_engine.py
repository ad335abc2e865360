"""The command line with the real Engine on a small mixed folder."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from dataguardian.scanner import cli
from dataguardian.scanner.progress import ProgressBar
from tests.scanner.sample_documents import make_docx, make_xlsx


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_mixed_folder_with_the_real_engine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "share"
    (root / "code").mkdir(parents=True)
    (root / "notes.txt").write_text("Graag contact via jan.jansen@voorbeeld.nl, dank!\n")
    (root / "code" / "settings.py").write_text("ADMIN = 'piet@voorbeeld.nl'\n")
    (root / "brief.docx").write_bytes(make_docx(["Mail: kees@voorbeeld.nl"]))
    (root / "lijst.xlsx").write_bytes(make_xlsx([["Naam", "Email"], ["An", "an@voorbeeld.nl"]]))
    with zipfile.ZipFile(root / "backup.zip", "w") as archive:
        archive.writestr("old/customers.csv", "naam,email\nBo,bo@voorbeeld.nl\n")
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["share", "--format", "json", "--jobs", "2"], hash_key=b"k" * 32,
                    stdout=out, stderr=err) == 0
    document = json.loads(out.getvalue())
    emails = {f["path"] for f in document["findings"] if f["entity"] == "EMAIL"}
    assert emails == {"share/notes.txt", "share/code/settings.py", "share/brief.docx",
                      "share/lijst.xlsx", "share/backup.zip!old/customers.csv"}
    assert not any("voorbeeld.nl" in f["masked"].split("@")[0] for f in document["findings"])
    assert document["summary"]["errors"] == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_phone_regions_flag_and_environment(tmp_path, monkeypatch, jobs):
    (tmp_path / "calls.txt").write_text("bel (212) 555-0187 of 06-12345678\n")

    def phones(*argv: str, **kwargs: object) -> list[str]:
        out = io.StringIO()
        assert cli.main([str(tmp_path), "--format", "json", "--jobs", jobs, *argv], hash_key=b"k",
                        stdout=out, stderr=io.StringIO(), **kwargs) == 0
        return [f["masked"] for f in json.loads(out.getvalue())["findings"] if f["entity"] == "PHONE"]

    monkeypatch.delenv(cli.PHONE_REGIONS_ENV, raising=False)
    assert phones() == ["**-******78"]
    assert phones("--phone-regions", "nl,us") == ["(***) ***-**87", "**-******78"]
    assert phones("--phone-regions", "US") == ["(***) ***-**87"]
    assert phones(phone_regions=("NL", "US")) == ["(***) ***-**87", "**-******78"]  # manage.py scan
    monkeypatch.setenv(cli.PHONE_REGIONS_ENV, "NL,US")
    assert phones() == ["(***) ***-**87", "**-******78"]
    assert phones("--phone-regions", "NL") == ["**-******78"]


@pytest.mark.parametrize("argv", [["--phone-regions", "NL,XX"], ["--phone-regions", ","]])
def test_unknown_phone_regions_are_a_usage_error(tmp_path, argv):
    err = io.StringIO()
    assert cli.main([str(tmp_path), *argv], hash_key=b"k", stdout=io.StringIO(), stderr=err) == 2
    assert "usage:" in err.getvalue() and "phone region" in err.getvalue()


def test_unknown_phone_regions_in_the_environment_are_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv(cli.PHONE_REGIONS_ENV, "NL,XX")
    err = io.StringIO()
    assert cli.main([str(tmp_path)], hash_key=b"k", stdout=io.StringIO(), stderr=err) == 2
    assert "DG_PHONE_REGIONS: unknown phone region XX" in err.getvalue()


def test_paths_in_findings_and_errors_are_masked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "jan@example.nl").mkdir()
    (tmp_path / "jan@example.nl" / "cv.txt").write_text("tel 06-12345678\n")
    (tmp_path / "jan@example.nl" / "leeg.txt").write_text("")
    out = io.StringIO()
    assert cli.main(["jan@example.nl", "--format", "json"], hash_key=b"k", stdout=out,
                    stderr=io.StringIO()) == 0
    assert "jan@example.nl" not in out.getvalue()
    document = json.loads(out.getvalue())
    assert [f["path"] for f in document["findings"]] == ["j***@example.nl/cv.txt"]
    assert [e["path"] for e in document["summary"]["errors"]] == ["j***@example.nl/leeg.txt"]


def test_progress_bar_only_on_a_terminal(tmp_path):
    (tmp_path / "a.txt").write_text("x\n" * 1000)
    terminal, pipe = FakeTerminal(), io.StringIO()
    cli.main([str(tmp_path)], hash_key=b"k", stdout=io.StringIO(), stderr=terminal)
    cli.main([str(tmp_path)], hash_key=b"k", stdout=io.StringIO(), stderr=pipe)
    assert "1/1 files" in terminal.getvalue() and "left" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_progress_bar_render():
    bar = ProgressBar(10, 1024 * 1024, io.StringIO())
    bar.started -= 2
    bar.update(5, 512 * 1024)
    text = bar.render()
    assert "5/10 files" in text and "512.0 KiB/1.0 MiB" in text and "[############" in text
