"""What every secret detector shares: category, severity, masking, entropy."""

from __future__ import annotations

import math
from collections import Counter

from dataguardian.scanner.detectors.base import Detector

CREDENTIALS = "user.authorization.credentials"


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``'s own character distribution."""
    if not value:
        return 0.0
    length = len(value)
    return -sum(n / length * math.log2(n / length) for n in Counter(value).values())


class SecretDetector(Detector):
    CATEGORY = CREDENTIALS
    SEVERITY = "critical"
    PRIORITY = 85

    def mask(self, value: str) -> str:
        return value[:4] + "****"
