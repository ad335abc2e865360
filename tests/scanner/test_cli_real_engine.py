"""The command line with the real Engine on a small mixed folder."""

from __future__ import annotations

import io
import json
import zipfile

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
