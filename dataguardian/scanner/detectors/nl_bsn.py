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
    PATTERNS = (Pattern(lead("A-Za-z0-9_.,-") + r"(?P<v>[0-9]{9}|[0-9]{4}\.[0-9]{2}\.[0-9]{3})", 0.6),)
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

    def validate(self, value: str) -> bool:
        digits = self.normalise(value)
        return bsn.is_valid(digits) and len(set(digits)) > 1

    def normalise(self, value: str) -> str:
        return value.replace(".", "")

    def mask(self, value: str) -> str:
        digits = self.normalise(value)
        return "*" * 7 + digits[-2:]
