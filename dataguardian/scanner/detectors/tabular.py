"""Entities that only a column header can reveal: PERSON and ADDRESS.

No pattern finds a name or a street in free text reliably, but a column
headed ``achternaam`` or ``adres`` says what its values are. These detectors
have no PATTERNS; the engine applies them to tabular segments whose header
names them and whose value has the HEADER_VALUE shape.
"""

from __future__ import annotations

from dataguardian.scanner.detectors.base import Detector


class PersonDetector(Detector):
    ENTITY = "PERSON"
    CATEGORY = "user.name"
    SEVERITY = "medium"
    PRIORITY = 10
    HEADERS = (
        "naam",
        "name",
        "voornaam",
        "achternaam",
        "firstname",
        "lastname",
        "surname",
        "fullname",
        "volledigenaam",
        "klantnaam",
        "contactpersoon",
        "tussenvoegsel",
        "voorletters",
        "givenname",
        "familyname",
        "customername",
    )
    HEADER_VALUE = r"(?:[^\W\d_]+[ '.-]{0,2}){1,8}"

    def mask(self, value: str) -> str:
        return " ".join(word[:1] + "***" for word in value.split())


class AddressDetector(Detector):
    ENTITY = "ADDRESS"
    CATEGORY = "user.contact.address.street"
    SEVERITY = "medium"
    PRIORITY = 10
    HEADERS = (
        "adres",
        "address",
        "straat",
        "street",
        "straatnaam",
        "streetaddress",
        "addressline1",
        "addressline",
        "woonadres",
        "huisadres",
        "postadres",
        "straatenhuisnummer",
    )
    HEADER_VALUE = r".*[^\W\d_].*"

    def mask(self, value: str) -> str:
        return value[:1] + "***"
