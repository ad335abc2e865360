"""AWS_SECRET_KEY: 40 base64-like characters, only where they are an AWS secret.

Forty such characters alone could be anything, so a candidate is taken only
when it is assigned to a name like ``aws_secret_access_key`` or follows an
access key id with nothing but separators between them (``AKIA...,wJalr...``).
"""

from __future__ import annotations

from dataguardian.scanner.detectors.aws_access_key import KEY_ID
from dataguardian.scanner.detectors.base import Pattern
from dataguardian.scanner.detectors.secret import SecretDetector, shannon_entropy

SECRET = "(?P<v>[A-Za-z0-9/+]{40})"


class AwsSecretKeyDetector(SecretDetector):
    ENTITY = "AWS_SECRET_KEY"
    TRAIL = "A-Za-z0-9/+="
    PATTERNS = (
        Pattern(
            r"(?:aws_?secret(?:_?access)?_?key|secret_?access_?key)[\"']?[ \t]{0,3}(?:=|:|=>)[ \t]{0,3}[\"']?"
            + SECRET,
            0.95,
            caseless=True,
        ),
        Pattern(KEY_ID + r"[^A-Za-z0-9/+\n]{1,40}" + SECRET, 0.85),
    )
    CONTEXT = ("aws", "secret")

    def validate(self, value: str) -> bool:
        classes = sum(
            (
                any(c.islower() for c in value),
                any(c.isupper() for c in value),
                any(c.isdigit() for c in value),
            )
        )
        return classes >= 2 and shannon_entropy(value) >= 3.5
