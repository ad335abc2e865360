"""IP_ADDRESS detector: IPv4 and IPv6 on both backends; private and loopback rated lower."""

import pytest

from tests.scanner.spans import ENGINE, detect, scan


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("client 8.8.8.8 connected", "8.8.8.8"),
        ("from 203.0.113.195:443", "203.0.113.195"),
        ("ip=192.168.1.10", "192.168.1.10"),
        ("v6 2001:db8:85a3::8a2e:370:7334 ok", "2001:db8:85a3::8a2e:370:7334"),
        ("full 2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:0db8:0000:0000:0000:ff00:0042:8329"),
        ("localhost ::1 only", "::1"),
        ("mapped ::ffff:192.0.2.1 ok", "::ffff:192.0.2.1"),
        ("mapped ::ffff:8.8.8.8.", "::ffff:8.8.8.8"),
        ("nat64 64:ff9b::203.0.113.5", "64:ff9b::203.0.113.5"),
        ("full 1:2:3:4:5:6:203.0.113.5 ok", "1:2:3:4:5:6:203.0.113.5"),
        ("mapped 0:0:0:0:0:ffff:192.0.2.1/128.", "0:0:0:0:0:ffff:192.0.2.1/128"),
        ("net 2001:db8::/32 routed", "2001:db8::/32"),
        ("host 2001:db8::1/64,", "2001:db8::1/64"),
        ("link fe80::1%eth0 up", "fe80::1%eth0"),
        ("vlan fe80::1ff:fe23:4567:890a%eth0.100 up", "fe80::1ff:fe23:4567:890a%eth0.100"),
        ("url http://[2001:db8::7]:8080/", "2001:db8::7"),
    ],
)
def test_finds_ip(text: str, value: str) -> None:
    assert ("IP_ADDRESS", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    ["999.1.1.1", "1.2.3", "0.0.0.0", "255.255.255.255", "12:30:45", "00:1A:2B:3C:4D:5E", "1.2.3.4.5",
     "a::b::c", "1::2::3", "fe80::1::", "2001:db8::1/129", "1:2:3:4:5:6:7:8:9"],
)
def test_rejects_non_ip(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "IP_ADDRESS"] == []


def test_private_addresses_are_low_severity_and_less_confident() -> None:
    public, private = ENGINE.scan_text("8.8.8.8 and 10.0.0.1")
    assert public.severity == "medium" and private.severity == "low"
    assert private.confidence < public.confidence


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("ip ::ffff:192.0.2.1 en", "ip :****:**** en"),
        ("ip 2001:db8::1/64 en", "ip 2001:****:**** en"),
        ("ip fe80::1%eth0 en", "ip fe80:****:**** en"),
    ],
)
def test_ipv6_is_masked_whole_in_snippets(text: str, context: str) -> None:
    (finding,) = scan(text)
    assert finding.context == context


def test_invalid_fragments_stay_out_of_findings_and_snippets() -> None:
    (finding,) = scan("a::b::c naast 8.8.8.8")
    assert finding.masked == "8.***.***.***"
