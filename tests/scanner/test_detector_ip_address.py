"""IP_ADDRESS detector: IPv4 and IPv6; private and loopback rated lower."""

import pytest

from tests.scanner.spans import ENGINE, detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("client 8.8.8.8 connected", "8.8.8.8"),
        ("from 203.0.113.195:443", "203.0.113.195"),
        ("ip=192.168.1.10", "192.168.1.10"),
        ("v6 2001:db8:85a3::8a2e:370:7334 ok", "2001:db8:85a3::8a2e:370:7334"),
        ("full 2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:0db8:0000:0000:0000:ff00:0042:8329"),
        ("localhost ::1 only", "::1"),
    ],
)
def test_finds_ip(text: str, value: str) -> None:
    assert ("IP_ADDRESS", value) in detect(text)


@pytest.mark.parametrize(
    "text", ["999.1.1.1", "1.2.3", "0.0.0.0", "255.255.255.255", "12:30:45", "00:1A:2B:3C:4D:5E", "1.2.3.4.5"]
)
def test_rejects_non_ip(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "IP_ADDRESS"] == []


def test_private_addresses_are_low_severity_and_less_confident() -> None:
    public, private = ENGINE.scan_text("8.8.8.8 and 10.0.0.1")
    assert public.severity == "medium" and private.severity == "low"
    assert private.confidence < public.confidence
