"""PHONE: national and international numbers, checked by phonenumbers.

International numbers (``+31 6 12345678``, ``+31 (0)20 123 4567``,
``0044 20 7946 0958``) are read for every country. National numbers are
read for the regions the detector is given (``DG_PHONE_REGIONS``, the
command line's ``--phone-regions``; ``NL`` by default), in that order of
preference: Dutch ones (``020-1234567``, ``06-12345678``) as ten digits
starting with 0; every other region's through phonenumbers'
``PhoneNumberMatcher`` at strict grouping, so a number counts only when it
is valid there *and* written in groups that region uses (``(212) 555-0187``,
``0533 456 78 90``). A cheap look at the digit count and the region's number
pattern comes first, so only plausible candidates reach phonenumbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher
from phonenumbers.phonemetadata import PhoneMetadata

from dataguardian.scanner.detectors.base import Detector, Pattern, lead, mask_keep

DEFAULT_REGIONS: tuple[str, ...] = ("NL",)
SEP = "[ ()./-]{0,2}"
INTERNATIONAL = Pattern(lead("A-Za-z0-9_+") + rf"(?P<v>(?:\+|00)[1-9](?:{SEP}[0-9]){{6,14}})", 0.7)
# Dutch national: exactly ten digits starting with 0 (020-1234567, 06-12345678)
DUTCH = Pattern(lead("A-Za-z0-9_+(./-") + rf"(?P<v>\(?0[1-9](?:{SEP}[0-9]){{8}})", 0.6)
# Any other region's national number: 6 to 14 digits in groups; phonenumbers decides.
NATIONAL = Pattern(lead("A-Za-z0-9_+(./-") + rf"(?P<v>\(?[0-9](?:{SEP}[0-9]){{5,13}})", 0.6)


def parse_regions(regions: Iterable[str] | str) -> tuple[str, ...]:
    """Region codes (``"NL,BE"`` or a list) checked against phonenumbers, upper
    case, in the given order without repeats. Raises ValueError naming the
    unknown ones."""
    if isinstance(regions, str):
        regions = regions.split(",")
    codes = tuple(dict.fromkeys(r.strip().upper() for r in regions if r.strip()))
    unknown = [code for code in codes if code not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise ValueError(
            f"unknown phone region {', '.join(unknown)}: use ISO 3166 codes such as NL, BE, DE, US"
        )
    if not codes:
        raise ValueError("name at least one phone region, e.g. NL")
    return codes


@lru_cache(maxsize=1024)
def parse(value: str) -> phonenumbers.PhoneNumber | None:
    """The number when it is a valid one (NL as default region), else None."""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


class RegionFormat:
    """What a region's national numbers may look like, for a cheap first look."""

    def __init__(self, region: str) -> None:
        metadata = PhoneMetadata.metadata_for_region(region)
        self.region = region
        self.prefix = metadata.national_prefix or ""
        lengths = set(metadata.general_desc.possible_length)
        self.lengths = lengths | {n + len(self.prefix) for n in lengths if self.prefix}
        self.pattern = re.compile(metadata.general_desc.national_number_pattern)

    def plausible(self, digits: str) -> bool:
        if len(digits) not in self.lengths:
            return False
        if self.prefix and digits.startswith(self.prefix):
            return self.pattern.fullmatch(digits[len(self.prefix) :]) is not None
        return self.pattern.fullmatch(digits) is not None

    def number(self, value: str) -> phonenumbers.PhoneNumber | None:
        """The number when all of ``value`` is one, grouped the region's way."""
        for match in PhoneNumberMatcher(value, self.region, leniency=Leniency.STRICT_GROUPING):
            if match.start == 0 and match.end == len(value):
                return match.number
        return None


@lru_cache(maxsize=4096)
def national(value: str, regions: tuple[str, ...]) -> phonenumbers.PhoneNumber | None:
    """The number ``value`` is in the first of ``regions`` that reads it, else None."""
    digits = "".join(c for c in value if c.isdigit())
    for region in regions:
        if region == "NL":
            if len(digits) == 10 and digits[0] == "0" and (number := parse(value)) is not None:
                return number
            continue
        formats = region_format(region)
        if formats.plausible(digits) and (number := formats.number(value)) is not None:
            return number
    return None


@lru_cache(maxsize=256)
def region_format(region: str) -> RegionFormat:
    return RegionFormat(region)


class PhoneDetector(Detector):
    ENTITY = "PHONE"
    CATEGORY = "user.contact.phone_number"
    SEVERITY = "medium"
    PRIORITY = 40
    SHRINK = 2
    SEPARATORS = " -./"
    PATTERNS = (INTERNATIONAL, DUTCH)
    CONTEXT = ("tel", "telefoon", "phone", "mobiel", "mobile", "gsm", "bel ", "call", "fax", "nummer")
    NEGATIVE_CONTEXT = ("order", "factuur", "invoice", "referentie", "reference", "artikel")
    HEADERS = ("telefoon", "telefoonnummer", "phone", "phonenumber", "tel", "mobiel", "mobile", "gsm")

    def __init__(self, regions: tuple[str, ...] = DEFAULT_REGIONS) -> None:
        self.regions = regions
        patterns = [INTERNATIONAL]
        if "NL" in regions:
            patterns.append(DUTCH)
        if set(regions) - {"NL"}:
            patterns.append(NATIONAL)
        self.PATTERNS = tuple(patterns)

    def number(self, value: str) -> phonenumbers.PhoneNumber | None:
        if value.startswith(("+", "00")):
            return parse(value)
        return national(value, self.regions)

    def validate(self, value: str) -> bool:
        digits = sum(c.isdigit() for c in value)
        if digits < 6 or digits > 15 or value.count("(") != value.count(")"):
            return False
        if value.startswith(("+", "00")) and digits < 9:
            return False
        return self.number(value) is not None

    def normalise(self, value: str) -> str:
        number = self.number(value)
        if number is None:
            return "".join(c for c in value if c.isdigit())
        zeros = "0" * (number.number_of_leading_zeros or 1) if number.italian_leading_zero else ""
        return f"+{number.country_code}{zeros}{number.national_number}"

    def mask(self, value: str) -> str:
        return mask_keep(value, tail=2)
