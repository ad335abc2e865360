"""JWT: a JSON Web Token (three base64url parts, the first two JSON objects)."""

from __future__ import annotations

import base64
import json

from dataguardian.scanner.detectors.base import Pattern, lead
from dataguardian.scanner.detectors.secret import SecretDetector

PART = "[A-Za-z0-9_-]"


def decode_part(part: str) -> object:
    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


class JwtDetector(SecretDetector):
    ENTITY = "JWT"
    SEVERITY = "high"
    TRAIL = "A-Za-z0-9_.=-"
    PATTERNS = (
        Pattern(
            lead("A-Za-z0-9_.-") + rf"(?P<v>eyJ{PART}{{5,4096}}\.eyJ{PART}{{5,4096}}\.{PART}{{10,1024}})",
            0.9,
        ),
    )
    CONTEXT = ("bearer", "token", "jwt", "authorization")

    def validate(self, value: str) -> bool:
        header, _, _ = value.partition(".")
        try:
            decoded = decode_part(header)
        except (ValueError, UnicodeDecodeError):
            return False
        return isinstance(decoded, dict) and "alg" in decoded
