"""PRIVATE_KEY: a PEM/OpenSSH private key block.

The pattern matches the ``-----BEGIN ... PRIVATE KEY-----`` line only (a
bounded, cheap match); ``bounds`` then stretches the finding to the matching
``-----END ...-----`` line when it follows within 16 KiB.
"""

from __future__ import annotations

from dataguardian.scanner.detectors.base import Pattern
from dataguardian.scanner.detectors.secret import SecretDetector

MAX_BLOCK = 16384


class PrivateKeyDetector(SecretDetector):
    ENTITY = "PRIVATE_KEY"
    PRIORITY = 100
    TRAIL = ""
    PATTERNS = (Pattern(r"(?P<v>-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----)", 0.99),)
    CONTEXT = ("key", "ssh", "rsa", "pem")

    def bounds(self, text: str, start: int, end: int) -> tuple[int, int]:
        stop = text.find("-----END ", end, end + MAX_BLOCK)
        if stop < 0:
            return start, end
        close = text.find("-----", stop + 9, stop + 80)
        return start, close + 5 if close >= 0 else end

    def normalise(self, value: str) -> str:
        return "".join(value.split())

    def mask(self, value: str) -> str:
        return value.split("-----", 2)[1].join(("-----", "----- ****")) if "-----" in value else "****"
