"""Walking paths: bad input of every kind gives a per-file error, the scan goes on."""

from __future__ import annotations

import os

import pytest

from dataguardian.scanner.archives import Limits
from dataguardian.scanner.parallel import scan_paths
from dataguardian.scanner.sources import scan_path
from tests.scanner.conftest import EmailOnlyEngine

MAIL = "contact: jan@example.nl\n"


def errors_of(results):
    return {r.path: [e.reason for e in r.errors] for r in results if r.errors}


def test_paths_are_joined_below_the_given_path(tmp_path, email_engine, monkeypatch):
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "sub" / "a.txt").write_text(MAIL)
    monkeypatch.chdir(tmp_path)
    results = list(scan_path("data", email_engine))
    assert [f.path for r in results for f in r.findings] == ["data/sub/a.txt"]
    results = list(scan_path("data/", email_engine))
    assert [f.path for r in results for f in r.findings] == ["data/sub/a.txt"]


def test_empty_missing_and_special_files(tmp_path, email_engine):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_text(MAIL)
    os.mkfifo(tmp_path / "pipe")
    results = list(scan_path(str(tmp_path), email_engine))
    errors = errors_of(results)
    assert errors[str(tmp_path / "empty.txt")] == ["empty file, nothing to scan"]
    assert "not a regular file" in errors[str(tmp_path / "pipe")][0]
    assert sum(len(r.findings) for r in results) == 1
    missing = list(scan_path(str(tmp_path / "nope"), email_engine))
    assert errors_of(missing) == {str(tmp_path / "nope"): [
        "no such file or directory (or a broken symlink)"]}


def test_symlink_loops_are_not_followed(tmp_path, email_engine):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text(MAIL)
    os.symlink("..", tmp_path / "d" / "up")
    os.symlink("self", tmp_path / "self")
    os.symlink(str(tmp_path / "d" / "a.txt"), tmp_path / "link.txt")
    results = list(scan_path(str(tmp_path), email_engine))
    errors = errors_of(results)
    assert "symlink loop" in errors[str(tmp_path / "d" / "up")][0]
    assert errors[str(tmp_path / "self")] == ["symlink loop, not followed"]
    assert sorted(r.path for r in results if r.findings) == [
        str(tmp_path / "d" / "a.txt"), str(tmp_path / "link.txt")]


def test_unreadable_file(tmp_path, email_engine):
    path = tmp_path / "secret.txt"
    path.write_text(MAIL)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop root from reading")
        results = list(scan_path(str(tmp_path), email_engine))
        assert errors_of(results) == {str(path): ["permission denied"]}
    finally:
        path.chmod(0o600)


def test_unreadable_file_as_seen_through_open(tmp_path, email_engine, monkeypatch):
    """Root can read anything, so simulate the EACCES a normal user would get."""
    path = tmp_path / "secret.txt"
    path.write_text(MAIL)
    (tmp_path / "ok.txt").write_text(MAIL)
    real_open = open

    def guarded_open(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded_open)
    results = list(scan_path(str(tmp_path), email_engine))
    assert errors_of(results) == {str(path): ["permission denied"]}
    assert sum(len(r.findings) for r in results) == 1


def test_sparse_5_gb_file_is_refused_quickly(tmp_path, email_engine):
    path = tmp_path / "sparse.img"
    with open(path, "wb") as handle:
        handle.truncate(5 * 1024**3)
    (result,) = scan_path(str(path), email_engine)
    assert result.size == 5 * 1024**3
    assert "file too large" in result.errors[0].reason
    (result,) = scan_path(str(path), email_engine, Limits(max_file_size=8 * 1024**3))
    assert [e.reason for e in result.errors] == ["binary file, skipped"]


def test_ten_thousand_tiny_files(tmp_path, email_engine):
    for folder in range(10):
        (tmp_path / str(folder)).mkdir()
        for n in range(1000):
            (tmp_path / str(folder) / f"{n}.txt").write_text(f"{n} u{n}@example.nl\n")
    results = list(scan_path(str(tmp_path), email_engine))
    assert len(results) == 10_000 and not errors_of(results)
    assert sum(len(r.findings) for r in results) == 10_000
    results = list(scan_paths([str(tmp_path)], EmailOnlyEngine, jobs=2))
    assert len(results) == 10_000 and sum(len(r.findings) for r in results) == 10_000


def test_parallel_reports_walk_errors(tmp_path):
    results = list(scan_paths([str(tmp_path / "missing")], EmailOnlyEngine, jobs=2))
    assert errors_of(results) == {str(tmp_path / "missing"): [
        "no such file or directory (or a broken symlink)"]}
