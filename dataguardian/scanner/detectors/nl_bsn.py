"""NL_BSN: the Dutch citizen service number, nine digits passing the 11-proof."""

from __future__ import annotations

from stdnum.nl import bsn

from dataguardian.scanner.detectors.base import Detector, Pattern, lead


class NlBsnDetector(Detector):
    ENTITY = "NL_BSN"
    CATEGORY = "user.government_id.national_identification_number"
    SEVERITY = "critical"
    PRIORITY = 80
    TRAIL = "A-Za-z0-9_"
    PATTERNS = (Pattern(lead("A-Za-z0-9_.-") + r"(?P<v>[0-9]{9}|[0-9]{4}\.[0-9]{2}\.[0-9]{3})", 0.6),)
    CONTEXT = ("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer", "sofi", "persoonsnummer")
    NEGATIVE_CONTEXT = (
        "order",
        "factuur",
        "invoice",
        "referentie",
        "reference",
        "klantnummer",
        "tracking",
        "artikel",
        "transactie",
        "transaction",
    )
    HEADERS = ("bsn", "burgerservicenummer", "sofinummer", "bsnnummer")

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        # After a comma, only as an item of a list (``111222333,123456782``),
        # not as the decimals of a number (``1,123456782``, ``12.345,123456782``).
        if start < 2 or text[start - 1] != ",":
            return True
        digits = 0
        while digits < 4 and start - 2 - digits >= 0 and text[start - 2 - digits].isdigit():
            digits += 1
        return digits == 0 or digits > 3

    def validate(self, value: str) -> bool:
        digits = self.normalise(value)
        return bsn.is_valid(digits) and len(set(digits)) > 1

    def normalise(self, value: str) -> str:
        return value.replace(".", "")

    def mask(self, value: str) -> str:
        digits = self.normalise(value)
        return "*" * 7 + digits[-2:]
