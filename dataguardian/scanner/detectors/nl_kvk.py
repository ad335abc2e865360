"""NL_KVK: a Chamber of Commerce number, eight digits, only after ``KvK``-like words.

Eight-digit numbers are everywhere (dates as 20240115, order numbers), so
the context phrase is part of the pattern; a ``kvk`` column header marks
bare eight-digit values too.
"""

from __future__ import annotations

from dataguardian.scanner.detectors.base import Detector, Pattern, lead

PHRASE = r"(?:kvk|k\.v\.k\.?|kamer van koophandel|chamber of commerce|coc)"


class NlKvkDetector(Detector):
    ENTITY = "NL_KVK"
    CATEGORY = "user.contact.organization"
    SEVERITY = "low"
    PRIORITY = 55
    PATTERNS = (
        Pattern(
            lead() + PHRASE + r"(?:[ _-]?(?:nummer|nr|number|no)\.?)?[\"' \t:.#=|,]{0,5}(?P<v>[0-9]{8})",
            0.85,
            caseless=True,
        ),
    )
    CONTEXT = ("kvk", "koophandel", "chamber of commerce")
    HEADERS = ("kvk", "kvknummer", "kvknr", "cocnumber", "chamberofcommerce")
    HEADER_VALUE = "[0-9]{8}"

    def validate(self, value: str) -> bool:
        return value.isdigit() and len(value) == 8 and value != "00000000"

    def mask(self, value: str) -> str:
        return "******" + value[-2:]
