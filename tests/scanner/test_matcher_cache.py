"""The compiled hyperscan database on disk: faster runs, never different ones."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from dataguardian.scanner import matcher_cache, synthetic
from dataguardian.scanner.engine import shared_matcher
from dataguardian.scanner.matcher import Matcher, hyperscan

pytestmark = pytest.mark.skipif(hyperscan is None, reason="hyperscan is not installed")

CACHE_DIR_ENV = matcher_cache.CACHE_DIR_ENV


@pytest.fixture(scope="module")
def patterns() -> list[tuple[str, bool]]:
    return [(p.regex, p.caseless) for d in shared_matcher("re")[0] for p in d.PATTERNS]


@pytest.fixture(scope="module")
def data() -> bytes:
    rnd = random.Random(31)
    return synthetic.mixed_text(rnd, 60_000, every=3).encode("ascii", "replace")


@pytest.fixture(scope="module")
def expected(patterns, data) -> list[tuple[int, tuple[int, int]]]:
    return matches(Matcher(patterns, "re"), data)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    return folder


def matches(matcher: Matcher, data: bytes) -> list[tuple[int, tuple[int, int]]]:
    return [(index, match.span()) for index, match in matcher.find(data)]


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("hyperscan-*.db"))


def compiling_fails(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("compiled although a sound database was cached")

    monkeypatch.setattr(hyperscan, "Database", refuse)


def test_cold_then_warm_cache_gives_the_same_matches(cache, patterns, data, expected, monkeypatch):
    assert matches(Matcher(patterns, "hyperscan"), data) == expected
    assert len(cached_files(cache)) == 1
    assert not list(cache.glob(".hyperscan-*"))  # no temporary file left behind
    compiling_fails(monkeypatch)
    assert matches(Matcher(patterns, "hyperscan"), data) == expected


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped byte", "empty", "other key"])
def test_a_damaged_or_foreign_file_is_ignored_and_replaced(cache, patterns, data, expected, damage):
    Matcher(patterns, "hyperscan")
    (path,) = cached_files(cache)
    sound = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"not a database" * 100)
    elif damage == "truncated":
        path.write_bytes(sound[: len(sound) // 2])
    elif damage == "flipped byte":
        path.write_bytes(sound[:-10] + bytes([sound[-10] ^ 0xFF]) + sound[-9:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a sound file of other patterns, put where these patterns' file belongs
        Matcher(patterns[:-1], "hyperscan")
        other = next(p for p in cached_files(cache) if p != path)
        path.write_bytes(other.read_bytes())
    assert matches(Matcher(patterns, "hyperscan"), data) == expected
    assert path.read_bytes() == sound


def test_a_file_hyperscan_refuses_means_compiling(cache, patterns, data, expected):
    """A well-framed file whose body hyperscan cannot load (another CPU, another version)."""
    key = key_of(patterns)
    matcher_cache.store(cache, key, b"\x00" * 4096)
    assert matches(Matcher(patterns, "hyperscan"), data) == expected
    assert matcher_cache.load(cache, key) != b"\x00" * 4096


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch, patterns, data, expected):
    monkeypatch.setenv(CACHE_DIR_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert matches(Matcher(patterns, "hyperscan"), data) == expected
    assert list(tmp_path.rglob("hyperscan-*")) == []
    for value in ("OFF", " off ", "0", "false", "no", "none"):
        assert matcher_cache.cache_dir({CACHE_DIR_ENV: value}) is None, value


def test_an_unwritable_folder_is_skipped(tmp_path, monkeypatch, patterns, data, expected):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker / "cache"))  # cannot be created under a file
    assert matches(Matcher(patterns, "hyperscan"), data) == expected


def test_a_file_of_another_user_is_not_loaded(cache, patterns, monkeypatch):
    Matcher(patterns, "hyperscan")
    key = key_of(patterns)
    assert matcher_cache.load(cache, key) is not None
    monkeypatch.setattr(os, "getuid", lambda: os.stat(cache).st_uid + 1)
    assert matcher_cache.load(cache, key) is None


def key_of(patterns: list[tuple[str, bool]], version: str = hyperscan.__version__) -> str:
    from dataguardian.scanner.matcher import relaxed

    return matcher_cache.database_key(
        [relaxed(regex).encode() for regex, _ in patterns],
        [hyperscan.HS_FLAG_CASELESS if caseless else 0 for _, caseless in patterns],
        list(range(len(patterns))), hyperscan.HS_MODE_BLOCK, version)


def test_the_key_changes_with_whatever_decides_the_database(cache, patterns):
    key = key_of(patterns)
    assert key == key_of(list(patterns))
    changed_regex = [(patterns[0][0] + "x", patterns[0][1]), *patterns[1:]]
    changed_flag = [(patterns[0][0], not patterns[0][1]), *patterns[1:]]
    reordered = [patterns[1], patterns[0], *patterns[2:]]
    others = {key_of(changed_regex), key_of(changed_flag), key_of(reordered), key_of(patterns[:-1]),
              key_of(patterns, version="0.0.0")}
    assert key not in others and len(others) == 5
    Matcher(patterns, "hyperscan")
    Matcher(changed_regex, "hyperscan")
    assert len(cached_files(cache)) == 2


def test_default_folder_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert matcher_cache.cache_dir({}) == tmp_path / "dataguardian"
    home_default = Path.home() / ".cache" / "dataguardian"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the XDG spec says to ignore it
    assert matcher_cache.cache_dir({}) == home_default
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert matcher_cache.cache_dir({}) == home_default
    assert matcher_cache.cache_dir({CACHE_DIR_ENV: str(tmp_path / "x")}) == tmp_path / "x"


def test_command_line_output_is_the_same_cold_warm_damaged_and_off(tmp_path):
    sample = tmp_path / "sample.txt"
    sample.write_text(synthetic.mixed_text(random.Random(5), 40_000, every=4))
    folder = tmp_path / "cache"
    root = Path(matcher_cache.__file__).parents[2]

    def scan(setting: str) -> str:
        env = {**os.environ, "DG_FINDING_HASH_KEY": "k", "PYTHONPATH": str(root),
               CACHE_DIR_ENV: setting}
        done = subprocess.run([sys.executable, "-m", "dataguardian.scanner", str(sample),
                               "--format", "jsonl"], capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cold = scan(str(folder))
    assert cold.count("\n") > 50
    (path,) = cached_files(folder)
    assert scan(str(folder)) == cold
    path.write_bytes(path.read_bytes()[:-100])
    assert scan(str(folder)) == cold
    assert scan("off") == cold


def test_storing_keeps_only_the_most_recently_used_databases(tmp_path):
    old = [tmp_path / f"hyperscan-{'%064x' % n}.db" for n in range(6)]
    for age, path in enumerate(old):  # old[0] the most recently used
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    (tmp_path / "notes.txt").write_text("not ours")
    matcher_cache.store(tmp_path, "f" * 64, b"database")
    left = sorted(p.name for p in tmp_path.iterdir())
    recent = [p.name for p in old[:matcher_cache.KEPT_FILES - 1]]
    assert left == sorted([f"hyperscan-{'f' * 64}.db", "notes.txt", *recent])
    assert matcher_cache.load(tmp_path, "f" * 64) == b"database"
