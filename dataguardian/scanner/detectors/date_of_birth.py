"""DATE_OF_BIRTH: a date, only right after words such as ``geboortedatum``.

A bare date is no personal data (log files are full of them), so the
context phrase is part of the pattern: hyperscan then never wakes the engine
for ordinary dates. A column headed ``geboortedatum``/``dob`` marks its
values as dates of birth too (HEADER_VALUE).
"""

from __future__ import annotations

import datetime
import re

from dataguardian.scanner.detectors.base import Detector, Pattern, lead, mask_keep

PHRASE = (
    r"(?:geboortedatum|geboorte[ _-]datum|geb\. ?datum|geboren(?: op)?|date[ _-]of[ _-]birth"
    r"|dateofbirth|birth[ _-]?date|born(?: on)?|dob|d\.o\.b\.?)"
)
MONTHS = (
    r"(?:jan|feb|febr|mrt|maart|mar|march|apr|april|mei|may|jun|juni|june|jul|juli|july|aug"
    r"|augustus|august|sep|sept|september|okt|oktober|oct|october|nov|november|dec|december"
    r"|januari|january|februari|february)"
)
DATE = (
    r"(?:[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:19|20)[0-9]{2}"
    r"|(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}"
    rf"|[0-9]{{1,2}} {MONTHS}\.? (?:19|20)[0-9]{{2}})"
)
NAMES = {
    "jan": 1,
    "feb": 2,
    "mrt": 3,
    "maa": 3,
    "mar": 3,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}


def parse_date(value: str) -> datetime.date | None:
    parts = re.split(r"[-/. ]+", value.strip().lower())
    if len(parts) != 3:
        return None
    try:
        if len(parts[0]) == 4:
            year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        else:
            day, year = int(parts[0]), int(parts[2])
            month = int(parts[1]) if parts[1].isdigit() else NAMES.get(parts[1][:3], 0)
        return datetime.date(year, month, day)
    except ValueError:
        return None


class DateOfBirthDetector(Detector):
    ENTITY = "DATE_OF_BIRTH"
    CATEGORY = "user.demographic.date_of_birth"
    SEVERITY = "medium"
    PRIORITY = 60
    PATTERNS = (
        Pattern(
            lead() + PHRASE + r"[\"' \t:=|,]{0,6}(?:(?:on|op)[ \t]{1,3})?(?P<v>" + DATE + ")",
            0.85,
            caseless=True,
        ),
    )
    CONTEXT = ("geboren", "born", "birth", "geboorte")
    HEADERS = ("geboortedatum", "dateofbirth", "dob", "birthdate", "gebdatum", "geboren", "birthday")
    HEADER_VALUE = DATE

    def validate(self, value: str) -> bool:
        date = parse_date(value)
        return date is not None and date <= datetime.date.today()

    def normalise(self, value: str) -> str:
        date = parse_date(value)
        return date.isoformat() if date else value

    def mask(self, value: str) -> str:
        return mask_keep(value)
