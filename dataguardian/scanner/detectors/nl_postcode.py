"""NL_POSTCODE: ``1234 AB`` or ``1234AB``; 1000-9999 and never SA, SD or SS."""

from __future__ import annotations

from stdnum.nl import postcode

from dataguardian.scanner.detectors.base import Detector, Pattern, lead


class NlPostcodeDetector(Detector):
    ENTITY = "NL_POSTCODE"
    CATEGORY = "user.contact.address.postal_code"
    SEVERITY = "low"
    PRIORITY = 30
    PATTERNS = (Pattern(lead() + r"(?P<v>[1-9][0-9]{3} ?[A-Z]{2})", 0.55),)
    CONTEXT = ("postcode", "adres", "address", "woonplaats", "zip", "straat", "wonend")
    HEADERS = ("postcode", "zip", "zipcode", "postalcode", "postcodenl")

    def validate(self, value: str) -> bool:
        return postcode.is_valid(value)

    def normalise(self, value: str) -> str:
        return value.replace(" ", "").upper()

    def mask(self, value: str) -> str:
        return value[:2] + "** **"
