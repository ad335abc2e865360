"""EMAIL: an address like ``jan@example.nl``, ``jörg@münchen.de`` or ``ivan@пример.рф``.

Local parts and domains may hold non-ASCII letters (internationalised
addresses), and the top-level domain may be punycode (``xn--p1ai``). The
matcher reads non-ASCII characters as ``?``, so the pattern takes ``?``
where a letter may stand and ``bounds`` trims what is not the address (a
real question mark, punctuation such as ``«»``) from either end. The
hash is over the whole address with the domain in its ASCII (IDNA) form,
so ``info@münchen.de`` and ``info@xn--mnchen-3ya.de`` hash alike.
"""

from __future__ import annotations

import unicodedata

from dataguardian.scanner.detectors.base import Detector, Pattern, lead

LOCAL = "A-Za-z0-9._%+-"
LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
# ``?`` stands for any non-ASCII character in the matcher's copy of the text.
LABEL = "[A-Za-z0-9?-]{1,63}"
# Read like any label (a narrower pattern made hyperscan slower); ``bounds``
# keeps a top-level domain to its letters unless it is punycode (xn--p1ai).
TLD = "[A-Za-z0-9?-]{2,63}"
TRAIL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@")


def _letter(char: str) -> bool:
    """A non-ASCII letter, mark or digit: allowed in internationalised addresses."""
    return not char.isascii() and unicodedata.category(char)[0] in "LMN"


def _local_ok(char: str) -> bool:
    return char in LOCAL_CHARS or _letter(char)


def _domain_ok(char: str) -> bool:
    return char in DOMAIN_CHARS or _letter(char)


def ascii_domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA), lower case; None if it cannot be one."""
    if domain.isascii():
        return domain.lower()
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


class EmailDetector(Detector):
    ENTITY = "EMAIL"
    CATEGORY = "user.contact.email"
    SEVERITY = "medium"
    PRIORITY = 70
    TRAIL = "A-Za-z0-9_@"
    PATTERNS = (
        Pattern(lead(LOCAL) + rf"(?P<v>[{LOCAL[:-1]}?-]{{1,64}}@{LABEL}(?:\.{LABEL}){{0,6}}\.{TLD})", 0.9),
    )
    CONTEXT = ("email", "e-mail", "mail", "contact", "adres")
    HEADERS = ("email", "emailadres", "emailaddress", "mail", "mailadres")

    def bounds(self, text: str, start: int, end: int) -> tuple[int, int]:
        value = text[start:end]
        at = value.rfind("@")
        first, last = 0, len(value)
        if not value.isascii() or "?" in value:
            first = at
            while first > 0 and _local_ok(value[first - 1]):
                first -= 1
            last = at + 1
            while last < len(value) and _domain_ok(value[last]):
                last += 1
            while last > at + 1 and value[last - 1] in ".-":
                last -= 1
        dot = value.rfind(".", at, last)
        if dot > at and not value[dot + 1 : dot + 5].lower() == "xn--":
            tld_end = dot + 1
            while tld_end < last and (value[tld_end].isalpha()):
                tld_end += 1
            if tld_end < last:
                if value[tld_end] in TRAIL_CHARS:
                    return start, start  # glued to more text: no address
                last = tld_end
        return start + first, start + last

    def validate(self, value: str) -> bool:
        local, _, domain = value.rpartition("@")
        if not local or len(local) > 64 or len(value) > 254:
            return False
        if local.startswith(".") or local.endswith(".") or ".." in value:
            return False
        if not all(map(_local_ok, local)) or not all(map(_domain_ok, domain)):
            return False
        labels = domain.split(".")
        if len(labels) < 2 or not all(0 < len(label) <= 63 and label[0] != "-" for label in labels):
            return False
        tld = labels[-1]
        if not (tld.lower().startswith("xn--") or (len(tld) >= 2 and tld.isalpha())):
            return False
        return ascii_domain(domain) is not None

    def normalise(self, value: str) -> str:
        local, _, domain = value.rpartition("@")
        return f"{local.lower()}@{ascii_domain(domain) or domain.lower()}"

    def mask(self, value: str) -> str:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
