"""NL_PASSPORT: the number of a Dutch passport.

Dutch travel documents (since 2014) carry nine characters: two letters, six
letters or digits, one digit; the letter O is never used. The printed number
has no check digit of its own, so a bare number is only reported next to a
word such as ``paspoort`` (structure + context). In a machine-readable zone
(ICAO 9303 TD3, second line) the number is followed by its check digit and
``NLD``; there the 7-3-1 check digit is verified and no context is needed.
The format is python-stdnum's (``stdnum.nl.identiteitskaartnummer``); the
ICAO check digit and the digit required among the middle six are ours
(docs/ARCHITECTURE.md says why).
"""

from __future__ import annotations

from stdnum.nl import identiteitskaartnummer

from dataguardian.scanner.detectors.base import Detector, Pattern, lead

NUMBER = "[A-NP-Z]{2}[A-NP-Z0-9]{6}[0-9]"


def icao_check_digit(data: str) -> int:
    """The ICAO 9303 check digit: weights 7, 3, 1 over digits, A=10.., '<'=0."""
    total = 0
    for i, char in enumerate(data):
        if char.isdigit():
            value = int(char)
        elif char.isalpha():
            value = ord(char.upper()) - 55
        else:
            value = 0
        total += value * (7, 3, 1)[i % 3]
    return total % 10


def valid_document_number(value: str) -> bool:
    """A 9-character number with a digit among its middle six, or 9 characters plus their ICAO check digit."""
    number = value[:9]
    if not identiteitskaartnummer.is_valid(number):
        return False
    if len(value) == 10:
        return value[9].isdigit() and icao_check_digit(number) == int(value[9])
    return len(value) == 9 and any(c.isdigit() for c in number[2:8])


class DutchDocumentDetector(Detector):
    """Shared checks of Dutch travel documents (passport and ID card share one number format)."""

    def validate(self, value: str) -> bool:
        return valid_document_number(value)

    def normalise(self, value: str) -> str:
        return value[:9]

    def mask(self, value: str) -> str:
        return value[:2] + "*" * 7


class NlPassportDetector(DutchDocumentDetector):
    ENTITY = "NL_PASSPORT"
    CATEGORY = "user.government_id.passport_number"
    SEVERITY = "high"
    PRIORITY = 75
    PATTERNS = (
        Pattern(lead() + f"(?P<v>{NUMBER})", 0.6, context_required=True),
        Pattern(lead("A-Za-z0-9_") + f"(?P<v>{NUMBER}[0-9])NLD", 0.95),
    )
    CONTEXT = ("paspoort", "passport", "reisdocument", "travel document", "paspoortnummer")
    HEADERS = ("paspoort", "paspoortnummer", "passport", "passportnumber", "passportno")
