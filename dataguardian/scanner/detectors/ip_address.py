"""IP_ADDRESS: IPv4 and IPv6 addresses.

IPv6 is read in every written form and reported whole: full, compressed
(``::``), with its last 32 bits as IPv4 (``::ffff:192.0.2.1``), with a zone
id (``fe80::1%eth0``) or a prefix length (``2001:db8::/32``). Pieces of
something longer (``a::b::c``, ``1.2.3.4.5``) are not addresses.

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
import re
from functools import lru_cache

from dataguardian.scanner.detectors.base import Detector, Pattern, lead

H16 = "[0-9A-Fa-f]{1,4}"
IPV4 = r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}"
V6_LEAD = lead("A-Za-z0-9_:.")
# What may follow an IPv6 pattern's match and still be the address: the last
# three parts of an IPv4 ending (::ffff:192 .0.2.1), a zone id (%eth0) and a
# prefix length (/64); and the six groups that may stand before an IPv4
# address (0:0:0:0:0:ffff: 192.0.2.1). Read in Python: in the patterns they
# made the hyperscan database a fifth slower on plain text.
V6_REST = re.compile(
    r"(?:(?<=[:0-9])(?:\.[0-9]{1,3}){3})?"
    r"(?:%[A-Za-z0-9_]{1,16}(?:[.-][A-Za-z0-9_]{1,16}){0,2})?"
    r"(?:/[0-9]{1,3})?"
)
V6_HEAD = re.compile(r"(?<![A-Za-z0-9_:.])(?:[0-9A-Fa-f]{1,4}:){6}\Z")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=1024)
def parse(value: str) -> tuple[Address, int | None] | None:
    """The address and prefix length of ``value``, or None if it is no address."""
    address, slash, prefix = value.partition("/")
    try:
        parsed = ipaddress.ip_address(address)
        if slash:
            ipaddress.ip_interface(value)  # checks the prefix length
            return parsed, int(prefix)
    except ValueError:
        return None
    return parsed, None


def is_internal(address: Address) -> bool:
    return address.is_private or address.is_loopback or address.is_link_local


class IpAddressDetector(Detector):
    ENTITY = "IP_ADDRESS"
    CATEGORY = "user.device.ip_address"
    SEVERITY = "medium"
    PRIORITY = 35
    TRAIL = "A-Za-z0-9_"
    PATTERNS = (
        Pattern(lead("A-Za-z0-9_.") + rf"(?P<v>{IPV4})", 0.6),
        Pattern(V6_LEAD + rf"(?P<v>{H16}(?::{H16}){{7}})", 0.6),
        Pattern(V6_LEAD + rf"(?P<v>(?:{H16}(?::{H16}){{0,6}})?::(?:{H16}(?::{H16}){{0,6}})?)", 0.6),
    )
    CONTEXT = ("ip", "ip-adres", "ipaddress", "ip address", "client", "remote", "host", "from")
    NEGATIVE_CONTEXT = ("version", "versie", "release")
    HEADERS = ("ip", "ipadres", "ipaddress", "clientip", "remoteaddr", "remoteip")

    def validate(self, value: str) -> bool:
        parsed = parse(value)
        if parsed is None:
            return False
        address = parsed[0]
        if address.is_unspecified or address.is_multicast:
            return False
        return not isinstance(address, ipaddress.IPv4Address) or value != "255.255.255.255"

    def bounds(self, text: str, start: int, end: int) -> tuple[int, int]:
        if ":" in text[start:end]:
            return start, V6_REST.match(text, end).end()
        if start and text[start - 1] == ":" and (head := V6_HEAD.search(text, max(0, start - 31), start)):
            return head.start(), V6_REST.match(text, end).end()
        return start, end

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        # ``1.2.3.4.5`` is a version number, not an address (``8.8.8.8.`` ends a
        # sentence); ``a::b::c`` and ``::ffff:192`` (of ``::ffff:192.0.2.1``) are
        # pieces of something longer, not addresses.
        after = text[end + 1 : end + 2]
        if text[end : end + 1] == ".":
            return not after.isalnum()
        if text[end : end + 1] == ":":
            return not ((after.isalnum() or after == ":") and ":" in text[max(0, end - 5) : end])
        return True

    def normalise(self, value: str) -> str:
        parsed = parse(value)
        if parsed is None:
            return value
        address, prefix = parsed
        return str(address) if prefix is None else f"{address}/{prefix}"

    def confidence_delta(self, value: str) -> float:
        parsed = parse(value)
        return -0.4 if parsed is not None and is_internal(parsed[0]) else 0.0

    def severity_for(self, value: str) -> str:
        parsed = parse(value)
        return "low" if parsed is not None and is_internal(parsed[0]) else self.SEVERITY

    def mask(self, value: str) -> str:
        if ":" in value:
            head = value.split(":", 1)[0]
            return f"{head}:****:****"
        first = value.split(".", 1)[0]
        return f"{first}.***.***.***"
