"""AWS_ACCESS_KEY detector."""

import pytest

from tests.scanner.spans import ENGINE, detect


@pytest.mark.parametrize(
    "text",
    ["key AKIAIOSFODNN7EXAMPLE here", "aws_access_key_id=ASIAY34FZKBOKMUTVV7A", '"AKIAIOSFODNN7EXAMPLE"'],
)
def test_finds_access_key(text: str) -> None:
    assert [e for e, _ in detect(text)] == ["AWS_ACCESS_KEY"]


@pytest.mark.parametrize(
    "text", ["AKIAIOSFODNN7EXAMPL", "XAKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE1", "akiaiosfodnn7example"]
)
def test_rejects_look_alikes(text: str) -> None:
    assert detect(text) == []


def test_masked_first_four() -> None:
    (finding,) = ENGINE.scan_text("AKIAIOSFODNN7EXAMPLE")
    assert finding.masked == "AKIA****"
    assert finding.severity == "critical"
    assert finding.category == "user.authorization.credentials"
