"""CREDIT_CARD: payment card numbers, Luhn checked, of every issuer range in ``card_issuers``."""

from __future__ import annotations

from stdnum import luhn

from dataguardian.scanner.detectors.base import Detector, Pattern, group4, lead
from dataguardian.scanner.detectors.card_issuers import known_issuer


class CreditCardDetector(Detector):
    ENTITY = "CREDIT_CARD"
    CATEGORY = "user.financial.credit_card"
    SEVERITY = "critical"
    PRIORITY = 90
    SHRINK = 2
    SEPARATORS = " -"
    # Any first digit but 0 (the issuer table decides): hyperscan runs [1-9] faster than a list.
    PATTERNS = (Pattern(lead() + r"(?P<v>[1-9][0-9]{2}(?:[ -]?[0-9]){9,16})", 0.85),)
    CONTEXT = ("card", "kaart", "creditcard", "visa", "mastercard", "amex", "betaal", "payment", "cc")
    NEGATIVE_CONTEXT = ("order", "tracking", "referentie", "reference", "factuurnummer")
    HEADERS = ("creditcard", "cardnumber", "kaartnummer", "cc", "ccnumber", "pan")

    def validate(self, value: str) -> bool:
        digits = self.normalise(value)
        if not 12 <= len(digits) <= 19 or luhn.checksum(digits) != 0:
            return False
        if " " in value and "-" in value:
            return False
        if len(digits) != len(value) and len(value.replace("-", " ").split(" ")) < 3:
            return False
        return known_issuer(digits) and len(set(digits)) > 1

    def normalise(self, value: str) -> str:
        return value.replace(" ", "").replace("-", "")

    def mask(self, value: str) -> str:
        digits = self.normalise(value)
        return group4("*" * (len(digits) - 4) + digits[-4:])
