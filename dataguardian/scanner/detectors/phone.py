"""PHONE: Dutch national and international numbers, checked by phonenumbers.

National numbers (``020-1234567``, ``06-12345678``, ``0612345678``) are read
with the Netherlands as region; international ones (``+31 6 12345678``,
``+31 (0)20 123 4567``, ``0044 20 7946 0958``) with their own country code.
"""

from __future__ import annotations

import phonenumbers

from dataguardian.scanner.detectors.base import Detector, Pattern, lead, mask_keep

BODY = r"[0-9 ()./-]{6,18}[0-9]"


class PhoneDetector(Detector):
    ENTITY = "PHONE"
    CATEGORY = "user.contact.phone_number"
    SEVERITY = "medium"
    PRIORITY = 40
    SHRINK = 2
    SEPARATORS = " -./"
    PATTERNS = (
        Pattern(lead("A-Za-z0-9_+") + rf"(?P<v>(?:\+|00)[1-9]{BODY})", 0.7),
        Pattern(lead("A-Za-z0-9_+(") + rf"(?P<v>\(?0[1-9]{BODY})", 0.6),
    )
    CONTEXT = ("tel", "telefoon", "phone", "mobiel", "mobile", "gsm", "bel ", "call", "fax", "nummer")
    NEGATIVE_CONTEXT = ("order", "factuur", "invoice", "referentie", "reference", "artikel")
    HEADERS = ("telefoon", "telefoonnummer", "phone", "phonenumber", "tel", "mobiel", "mobile", "gsm")

    def validate(self, value: str) -> bool:
        digits = sum(c.isdigit() for c in value)
        if digits < 9 or digits > 15 or value.count("(") != value.count(")"):
            return False
        try:
            number = phonenumbers.parse(value, "NL")
        except phonenumbers.NumberParseException:
            return False
        return phonenumbers.is_valid_number(number)

    def normalise(self, value: str) -> str:
        try:
            number = phonenumbers.parse(value, "NL")
        except phonenumbers.NumberParseException:
            return "".join(c for c in value if c.isdigit())
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def mask(self, value: str) -> str:
        return mask_keep(value, tail=2)
