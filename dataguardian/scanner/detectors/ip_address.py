"""IP_ADDRESS: IPv4 and IPv6 addresses.

How special addresses are treated: an IP address is personal data when it can
point to a person's device, which a public address can. Private (10/8,
172.16/12, 192.168/16, fc00::/7), loopback, link-local and documentation
addresses point to no one outside the network they live in, so they are
still reported (they show where infrastructure is described) but with
confidence lowered by 0.4 and severity ``low``. Unspecified, multicast and
broadcast addresses (``0.0.0.0``, ``::``, ``224.0.0.1``,
``255.255.255.255``) are not addresses of a device and are not reported.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from dataguardian.scanner.detectors.base import Detector, Pattern, lead

HEX = "[0-9A-Fa-f]"


@lru_cache(maxsize=1024)
def parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_private or address.is_loopback or address.is_link_local


class IpAddressDetector(Detector):
    ENTITY = "IP_ADDRESS"
    CATEGORY = "user.device.ip_address"
    SEVERITY = "medium"
    PRIORITY = 35
    TRAIL = "A-Za-z0-9_"
    PATTERNS = (
        Pattern(lead("A-Za-z0-9_.") + r"(?P<v>(?:[0-9]{1,3}\.){3}[0-9]{1,3})", 0.6),
        Pattern(lead("A-Za-z0-9_:.") + rf"(?P<v>{HEX}{{1,4}}(?::{HEX}{{1,4}}){{7}})", 0.6),
        Pattern(
            lead("A-Za-z0-9_:.")
            + rf"(?P<v>(?:{HEX}{{1,4}}(?::{HEX}{{1,4}}){{0,6}})?::(?:{HEX}{{1,4}}(?::{HEX}{{1,4}}){{0,6}})?)",
            0.6,
        ),
    )
    CONTEXT = ("ip", "ip-adres", "ipaddress", "ip address", "client", "remote", "host", "from")
    NEGATIVE_CONTEXT = ("version", "versie", "release")
    HEADERS = ("ip", "ipadres", "ipaddress", "clientip", "remoteaddr", "remoteip")

    def validate(self, value: str) -> bool:
        address = parse(value)
        if address is None or address.is_unspecified or address.is_multicast:
            return False
        if isinstance(address, ipaddress.IPv4Address):
            return value != "255.255.255.255"
        return value.count(":") >= 7 or "::" in value

    def followed_ok(self, text: str, end: int) -> bool:
        # ``1.2.3.4.5`` is a version number, not an address; ``8.8.8.8.`` ends a sentence.
        return not (
            text[end : end + 1] in (".", ":")
            and text[end + 1 : end + 2].isalnum()
            and (text[end] == "." or ":" in text[end - 5 : end])
        )

    def normalise(self, value: str) -> str:
        address = parse(value)
        return str(address) if address is not None else value

    def confidence_delta(self, value: str) -> float:
        address = parse(value)
        return -0.4 if address is not None and is_internal(address) else 0.0

    def severity_for(self, value: str) -> str:
        address = parse(value)
        return "low" if address is not None and is_internal(address) else self.SEVERITY

    def mask(self, value: str) -> str:
        if ":" in value:
            head = value.split(":", 1)[0]
            return f"{head}:****:****"
        first = value.split(".", 1)[0]
        return f"{first}.***.***.***"
