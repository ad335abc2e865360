"""PHONE: Dutch national and international numbers, checked by phonenumbers.

National numbers (``020-1234567``, ``06-12345678``, ``0612345678``) are read
with the Netherlands as region; international ones (``+31 6 12345678``,
``+31 (0)20 123 4567``, ``0044 20 7946 0958``) with their own country code.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

from dataguardian.scanner.detectors.base import Detector, Pattern, lead, mask_keep

SEP = "[ ()./-]{0,2}"


@lru_cache(maxsize=1024)
def parse(value: str) -> phonenumbers.PhoneNumber | None:
    """The number when it is a valid one (NL as default region), else None."""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


class PhoneDetector(Detector):
    ENTITY = "PHONE"
    CATEGORY = "user.contact.phone_number"
    SEVERITY = "medium"
    PRIORITY = 40
    SHRINK = 2
    SEPARATORS = " -./"
    PATTERNS = (
        # international: + or 00, then 7 to 15 digits with short separators
        Pattern(lead("A-Za-z0-9_+") + rf"(?P<v>(?:\+|00)[1-9](?:{SEP}[0-9]){{6,14}})", 0.7),
        # Dutch national: exactly ten digits starting with 0 (020-1234567, 06-12345678)
        Pattern(lead("A-Za-z0-9_+(./-") + rf"(?P<v>\(?0[1-9](?:{SEP}[0-9]){{8}})", 0.6),
    )
    CONTEXT = ("tel", "telefoon", "phone", "mobiel", "mobile", "gsm", "bel ", "call", "fax", "nummer")
    NEGATIVE_CONTEXT = ("order", "factuur", "invoice", "referentie", "reference", "artikel")
    HEADERS = ("telefoon", "telefoonnummer", "phone", "phonenumber", "tel", "mobiel", "mobile", "gsm")

    def validate(self, value: str) -> bool:
        digits = sum(c.isdigit() for c in value)
        if digits < 9 or digits > 15 or value.count("(") != value.count(")"):
            return False
        national = value.lstrip("(").startswith("0") and not value.startswith("00")
        if national and digits != 10:
            return False
        return parse(value) is not None

    def normalise(self, value: str) -> str:
        number = parse(value)
        if number is None:
            return "".join(c for c in value if c.isdigit())
        zeros = "0" * (number.number_of_leading_zeros or 1) if number.italian_leading_zero else ""
        return f"+{number.country_code}{zeros}{number.national_number}"

    def mask(self, value: str) -> str:
        return mask_keep(value, tail=2)
