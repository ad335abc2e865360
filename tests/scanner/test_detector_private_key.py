"""PRIVATE_KEY detector: the whole PEM block is one finding."""

import pytest

from tests.scanner.spans import ENGINE, detect

BODY = "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\nZ1BjP5CE/Wm/Rr500PRK+Lh9x5eJPo5CAZ3/ANBE0\n"


@pytest.mark.parametrize("kind", ["RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", ""])
def test_finds_block(kind: str) -> None:
    block = f"-----BEGIN {kind}PRIVATE KEY-----\n{BODY}-----END {kind}PRIVATE KEY-----"
    text = f"key:\n{block}\nrest"
    assert detect(text) == [("PRIVATE_KEY", block)]


def test_public_key_is_not_a_finding() -> None:
    assert detect(f"-----BEGIN PUBLIC KEY-----\n{BODY}-----END PUBLIC KEY-----") == []


def test_masked_shows_only_the_header() -> None:
    block = f"-----BEGIN RSA PRIVATE KEY-----\n{BODY}-----END RSA PRIVATE KEY-----"
    (finding,) = ENGINE.scan_text(block)
    assert finding.masked == "-----BEGIN RSA PRIVATE KEY----- ****"
    assert "MIIE" not in finding.context
