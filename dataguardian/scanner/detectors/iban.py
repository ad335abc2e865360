"""IBAN: every country's format, mod-97 checked by python-stdnum."""

from __future__ import annotations

from stdnum import iban

from dataguardian.scanner.detectors.base import Detector, Pattern, group4, lead


class IbanDetector(Detector):
    ENTITY = "IBAN"
    CATEGORY = "user.financial.bank_account"
    SEVERITY = "high"
    PRIORITY = 90
    SHRINK = 3
    SEPARATORS = " "
    PATTERNS = (Pattern(lead() + r"(?P<v>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)", 0.9),)
    CONTEXT = ("iban", "rekening", "bank", "account", "rekeningnummer", "betaling")
    HEADERS = ("iban", "rekeningnummer", "bankrekening", "bankaccount", "accountnumber")

    def validate(self, value: str) -> bool:
        compact = value.replace(" ", "")
        # mod-97 first (cheap, and what most look-alikes fail), then stdnum's
        # full check of the country's length and format.
        rearranged = compact[4:] + compact[:4]
        if int("".join(str(int(c, 36)) for c in rearranged)) % 97 != 1:
            return False
        return iban.is_valid(compact)

    def normalise(self, value: str) -> str:
        return iban.compact(value)

    def mask(self, value: str) -> str:
        compact = iban.compact(value)
        return group4(compact[:2] + "*" * (len(compact) - 4) + compact[-2:])
