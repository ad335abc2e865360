"""CREDIT_CARD: payment card numbers of every current brand, Luhn checked."""

from __future__ import annotations

from stdnum import luhn

from dataguardian.scanner.detectors.base import Detector, Pattern, group4, lead

# (first digits range, allowed lengths) per brand.
BRANDS: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (4, 4, (13, 16, 19)),  # Visa
    (51, 55, (16,)),  # Mastercard
    (2221, 2720, (16,)),  # Mastercard 2-series
    (34, 34, (15,)),  # American Express
    (37, 37, (15,)),
    (300, 305, (14, 15, 16, 17, 18, 19)),  # Diners Club
    (36, 36, (14, 15, 16, 17, 18, 19)),
    (38, 39, (16, 17, 18, 19)),
    (6011, 6011, (16, 17, 18, 19)),  # Discover
    (644, 649, (16, 17, 18, 19)),
    (65, 65, (16, 17, 18, 19)),
    (3528, 3589, (16, 17, 18, 19)),  # JCB
    (62, 62, (16, 17, 18, 19)),  # UnionPay
    (2200, 2204, (16, 17, 18, 19)),  # Mir
    (5018, 5018, tuple(range(12, 20))),  # Maestro
    (5020, 5020, tuple(range(12, 20))),
    (5038, 5038, tuple(range(12, 20))),
    (5893, 5893, tuple(range(12, 20))),
    (6304, 6304, tuple(range(12, 20))),
    (6759, 6763, tuple(range(12, 20))),
)


def brand_matches(digits: str) -> bool:
    for low, high, lengths in BRANDS:
        prefix = int(digits[: len(str(low))])
        if low <= prefix <= high and len(digits) in lengths:
            return True
    return False


class CreditCardDetector(Detector):
    ENTITY = "CREDIT_CARD"
    CATEGORY = "user.financial.credit_card"
    SEVERITY = "critical"
    PRIORITY = 90
    SHRINK = 2
    SEPARATORS = " -"
    PATTERNS = (Pattern(lead() + r"(?P<v>[2-6][0-9]{2}(?:[ -]?[0-9]){9,16})", 0.85),)
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
        return brand_matches(digits) and len(set(digits)) > 1

    def normalise(self, value: str) -> str:
        return value.replace(" ", "").replace("-", "")

    def mask(self, value: str) -> str:
        digits = self.normalise(value)
        return group4("*" * (len(digits) - 4) + digits[-4:])
