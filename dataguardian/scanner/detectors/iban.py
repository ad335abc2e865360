"""IBAN: every country's format, any case, grouped by spaces or dashes.

The IBAN's own check (mod 97) and the country's length and structure, from
python-stdnum, decide whether a value is an IBAN. A national check that
python-stdnum also knows (a Belgian bank code on its bundled list, Spanish or
Norwegian account check digits) only raises the confidence: a bank missing
from a bundled list does not make a valid IBAN invalid.

A value with the whole structure of an IBAN whose check fails (a mistyped
one) is a decoy: it is masked in snippets and its digit groups are not
reported as a phone, card or BSN number.
"""

from __future__ import annotations

from functools import lru_cache

from stdnum import iban
from stdnum.util import get_cc_module

from dataguardian.scanner.detectors.base import Detector, Pattern, group4, lead

NATIONAL_CHECK_BOOST = 0.05


def compact(value: str) -> str:
    return value.replace(" ", "").replace("-", "").upper()


SHAPE = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0" * 10 + "A" * 26)


def well_formed(number: str) -> bool:
    """Whether ``number`` has its country's length and structure, whatever its check digits."""
    return _shape_ok(number[:2], number[4:].translate(SHAPE))


@lru_cache(maxsize=4096)
def _shape_ok(country: str, shape: str) -> bool:
    # python-stdnum's look-up is slow; the structure depends only on where digits and letters stand.
    sample = country + "00" + shape
    return iban.is_valid(country + iban.calc_check_digits(sample) + shape, check_country=False)


@lru_cache(maxsize=128)
def national_module(country: str) -> object | None:
    """python-stdnum's IBAN module of ``country`` (BE, ES, ME, NO...), if it has one."""
    try:
        return get_cc_module(country.lower(), "iban")
    except Exception:  # noqa: BLE001 - a country code that is no module name
        return None


def country_checked(number: str) -> bool:
    """Whether python-stdnum has a national check for the country and it passes."""
    module = national_module(number[:2])
    return module is not None and module.is_valid(number)


class IbanDetector(Detector):
    ENTITY = "IBAN"
    CATEGORY = "user.financial.bank_account"
    SEVERITY = "high"
    PRIORITY = 90
    SHRINK = 3
    SEPARATORS = " -"
    DECOYS = True
    PATTERNS = (
        Pattern(lead() + r"(?P<v>[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?)", 0.9,
                caseless=True),
    )
    CONTEXT = ("iban", "rekening", "bank", "account", "rekeningnummer", "betaling")
    HEADERS = ("iban", "rekeningnummer", "bankrekening", "bankaccount", "accountnumber")

    def validate(self, value: str) -> bool:
        if " " in value and "-" in value:
            return False
        number = compact(value)
        # mod-97 first (cheap, and what most look-alikes fail), then stdnum's
        # check of the country's length and structure.
        rearranged = number[4:] + number[:4]
        if int("".join(str(int(c, 36)) for c in rearranged)) % 97 != 1:
            return False
        return well_formed(number)

    def decoy_length(self, value: str) -> int:
        cut = len(value)
        for _ in range(self.SHRINK + 1):
            if cut <= 0:
                return 0
            if well_formed(compact(value[:cut])):
                return cut
            cut = self.drop_last_group(value, cut)
        return 0

    def confidence_delta(self, value: str) -> float:
        return NATIONAL_CHECK_BOOST if country_checked(compact(value)) else 0.0

    def normalise(self, value: str) -> str:
        return compact(value)

    def mask(self, value: str) -> str:
        number = compact(value)
        return group4(number[:2] + "*" * (len(number) - 4) + number[-2:])
