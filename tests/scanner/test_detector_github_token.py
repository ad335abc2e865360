"""GITHUB_TOKEN detector."""

import pytest

from tests.scanner.spans import detect

TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghs_", "ghu_", "ghr_"])
def test_finds_token_kinds(prefix: str) -> None:
    token = prefix + TOKEN[4:]
    assert detect(f"GITHUB_TOKEN={token}") == [("GITHUB_TOKEN", token)]


def test_fine_grained_pat() -> None:
    token = "github_pat_11ABCDEFG0" + "x" * 30 + "_" + "Y" * 30
    assert ("GITHUB_TOKEN", token) in detect(f"token: {token}")


@pytest.mark.parametrize("text", ["ghp_short", "ghx_" + TOKEN[4:], "xghp_" + TOKEN[4:]])
def test_rejects(text: str) -> None:
    assert "GITHUB_TOKEN" not in {e for e, _ in detect(text)}
