"""AWS_SECRET_KEY detector: only when named or next to an access key."""

import pytest

from tests.scanner.spans import detect

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    "text",
    [
        f"aws_secret_access_key = {SECRET}",
        f'AWS_SECRET_ACCESS_KEY: "{SECRET}"',
        f"AKIAIOSFODNN7EXAMPLE,{SECRET}",
        f"SecretAccessKey={SECRET}",
    ],
)
def test_finds_secret_key(text: str) -> None:
    assert ("AWS_SECRET_KEY", SECRET) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        f"checksum {SECRET}",  # no name, no access key
        "aws_secret_access_key = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  # no entropy
        f"aws_secret_access_key = {SECRET}X",  # 41 characters
    ],
)
def test_rejects(text: str) -> None:
    assert "AWS_SECRET_KEY" not in {e for e, _ in detect(text)}
