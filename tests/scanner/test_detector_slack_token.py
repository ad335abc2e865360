"""SLACK_TOKEN detector."""

import pytest

from tests.scanner.spans import detect


@pytest.mark.parametrize(
    "token",
    ["xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxp-1234567890-0987654321-abcdefabcdef"],
)
def test_finds_slack_token(token: str) -> None:
    assert ("SLACK_TOKEN", token) in detect(f"SLACK={token}")


@pytest.mark.parametrize("text", ["xoxz-123456789012-abcdefghij", "xoxb-12-abc", "xoxb-abcdefg-abcdefghijk"])
def test_rejects(text: str) -> None:
    assert "SLACK_TOKEN" not in {e for e, _ in detect(text)}
