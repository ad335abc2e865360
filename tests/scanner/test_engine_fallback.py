"""Without hyperscan the engine falls back to the re backend."""

import pytest

from dataguardian.scanner import Engine, matcher


def test_default_backend_without_hyperscan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matcher, "hyperscan", None)
    assert matcher.default_backend() == "re"
    engine = Engine(b"k")
    assert engine.backend == "re"
    assert [f.entity for f in engine.scan_text("mail jan@example.nl")] == ["EMAIL"]
    with pytest.raises(ValueError):
        matcher.Matcher([("a", False)], backend="hyperscan")


def test_unbounded_pattern_is_refused() -> None:
    with pytest.raises(ValueError):
        matcher.Matcher([("(?P<v>a+)", False)], backend="re")
