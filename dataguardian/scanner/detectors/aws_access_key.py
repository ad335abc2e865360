"""AWS_ACCESS_KEY: an AWS access key id (``AKIA``/``ASIA`` + 16 characters)."""

from __future__ import annotations

from dataguardian.scanner.detectors.base import Pattern, lead
from dataguardian.scanner.detectors.secret import SecretDetector

KEY_ID = "(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z2-7]{16}"


class AwsAccessKeyDetector(SecretDetector):
    ENTITY = "AWS_ACCESS_KEY"
    PATTERNS = (Pattern(lead() + f"(?P<v>{KEY_ID})", 0.95),)
    CONTEXT = ("aws", "access_key", "accesskey", "amazon")
