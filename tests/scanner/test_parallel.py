"""The parallel runner: a file cut into byte ranges gives exactly what one process gives."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import random
import re
from concurrent.futures.process import BrokenProcessPool

import pytest

from dataguardian.scanner import cli, parallel, synthetic
from dataguardian.scanner.parallel import range_bounds, scan_paths
from dataguardian.scanner.types import Finding
from tests.scanner.conftest import EmailOnlyEngine


@pytest.fixture
def small_ranges(monkeypatch):
    """Split files from 10 kB on, into ranges of 2 to 7 kB."""
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 10_000)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 7_001)
    monkeypatch.setattr(parallel, "RANGE_MIN_BYTES", 2_003)


def findings_by_path(results):
    """Each path's findings in the order they came, for the order of one file."""
    grouped = {}
    for result in results:
        grouped.setdefault(result.path, []).extend(result.findings)
    return grouped


def test_range_bounds_cover_the_file_and_shrink_towards_its_end(monkeypatch):
    monkeypatch.setattr(parallel, "RANGE_BYTES", 1000)
    monkeypatch.setattr(parallel, "RANGE_MIN_BYTES", 100)
    bounds = range_bounds(20_005, 2)
    assert bounds[0] == (0, 1000) and bounds[-1][1] == 20_005
    assert all(end == start for (_, end), (start, _) in zip(bounds[:-1], bounds[1:], strict=True))
    sizes = [end - start for start, end in bounds]
    assert max(sizes) == 1000 and min(sizes[:-1]) == 100
    assert sizes == sorted(sizes, reverse=True)
    assert range_bounds(0, 2) == []


def test_split_file_gives_the_same_findings_in_the_same_order(tmp_path, small_ranges):
    lines = [f"regel {n} " + (f"p{n}@example.nl" if n % 3 == 0 else "niets") for n in range(6000)]
    lines[3000] = " ".join(f"lang{n}@example.nl" for n in range(1500))  # one line over ranges
    text = "\n".join(lines) + "\n"
    (tmp_path / "big.log").write_text(text)
    (tmp_path / "small.txt").write_text("contact: jan@example.nl\n")
    borders = [end for _, end in range_bounds(len(text), 3)[:-1]]
    assert len(borders) > 20
    values = [m.span() for m in re.finditer(r"\S+@example\.nl", text)]
    assert any(start < border < end for border in borders for start, end in values)

    sequential = list(scan_paths([str(tmp_path)], EmailOnlyEngine, jobs=1))
    progress = []
    results = list(scan_paths([str(tmp_path)], EmailOnlyEngine, jobs=3,
                              progress=lambda files, size: progress.append((files, size))))

    assert findings_by_path(results) == findings_by_path(sequential)
    assert sum(len(r.findings) for r in results) == 2000 + 1500
    big = [r for r in results if r.path.endswith("big.log")]
    assert len(big) > 1 and [r.size for r in big] == [0] * (len(big) - 1) + [len(text)]
    assert sum(p[0] for p in progress) == 2
    assert sum(p[1] for p in progress) == sum(r.size for r in results) == len(text) + 24


def test_a_path_given_twice_is_scanned_twice(tmp_path, small_ranges):
    text = "".join(f"regel {n} p{n}@example.nl\n" for n in range(1000))
    (tmp_path / "big.log").write_text(text)
    path = str(tmp_path / "big.log")
    sequential = [f for r in scan_paths([path, path], EmailOnlyEngine, jobs=1) for f in r.findings]
    results = list(scan_paths([path, path], EmailOnlyEngine, jobs=2))
    assert sorted(f.line for r in results for f in r.findings) == sorted(f.line for f in sequential)
    assert len(sequential) == 2000 and sum(r.size for r in results) == 2 * len(text)


class PidEngine(EmailOnlyEngine):
    """Writes the id of the process that built it into each finding."""

    def __init__(self, hash_key: bytes = b"test-key", **kwargs: object) -> None:
        super().__init__(hash_key, **kwargs)
        self.built_in = os.getpid()

    def scan_segment(self, segment):
        return [dataclasses.replace(f, context=str(self.built_in))
                for f in super().scan_segment(segment)]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers inherit the engine only by fork")
def test_forked_workers_use_the_engine_built_once_in_the_parent(tmp_path, small_ranges):
    (tmp_path / "big.log").write_text("".join(f"r {n} p{n}@example.nl\n" for n in range(2000)))
    results = list(scan_paths([str(tmp_path)], PidEngine, jobs=2))
    assert {f.context for r in results for f in r.findings} == {str(os.getpid())}
def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(argv, hash_key=b"k" * 32, stdout=out, stderr=err) == 0
    return out.getvalue()


def test_command_line_output_is_the_same_with_two_jobs(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 100_000)
    monkeypatch.setattr(parallel, "RANGE_BYTES", 40_000)
    monkeypatch.setattr(parallel, "RANGE_MIN_BYTES", 9_000)
    path = tmp_path / "corpus.txt"
    path.write_text(synthetic.mixed_text(random.Random(7), 600_000, every=5) + "\n")
    for form in ("jsonl", "csv"):
        one = run_cli([str(path), "--format", form, "--jobs", "1"])
        two = run_cli([str(path), "--format", form, "--jobs", "2"])
        assert one == two and one.count("\n") > 1000
    one, two = (json.loads(run_cli([str(path), "--format", "json", "--jobs", jobs]))
                for jobs in ("1", "2"))
    assert one["findings"] == two["findings"]
    for summary in (one["summary"], two["summary"]):
        summary.pop("seconds")
    assert one["summary"] == two["summary"] and one["summary"]["files_scanned"] == 1


def test_a_finding_crosses_the_process_border_unchanged():
    values = {f.name: f"v{n}" for n, f in enumerate(dataclasses.fields(Finding))}
    finding = Finding(**{**values, "confidence": 0.75, "line": 3, "column": 9})
    assert pickle.loads(pickle.dumps(finding, protocol=pickle.HIGHEST_PROTOCOL)) == finding


class DyingEngine(EmailOnlyEngine):
    """Ends its worker process abruptly, as the kernel's OOM killer would."""

    def scan_segment(self, segment):
        os._exit(3)


def test_a_worker_that_dies_stops_the_scan_instead_of_hanging_it(tmp_path):
    (tmp_path / "a.txt").write_text("contact: jan@example.nl\n")
    with pytest.raises(BrokenProcessPool):
        list(scan_paths([str(tmp_path)], DyingEngine, jobs=2))
