"""Synthetic personal data with correct (or deliberately wrong) check digits.

For tests and benchmarks: every value is generated from a ``random.Random``
so a seed gives the same corpus every time. ``*_decoy`` functions return
values of the same shape whose checksum fails.
"""

from __future__ import annotations

import random
import string

from stdnum import iban as std_iban
from stdnum import luhn

IBAN_BANKS = {"NL": ("ABNA", "INGB", "RABO", "TRIO", "SNSB", "ASNB", "KNAB", "BUNQ")}


def bsn(rnd: random.Random) -> str:
    """A nine-digit number passing the 11-proof."""
    while True:
        digits = [rnd.randint(0, 9) for _ in range(8)]
        if digits[0] == 0:
            continue
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


def bsn_decoy(rnd: random.Random) -> str:
    """Nine digits that fail the 11-proof (an order number, say)."""
    value = bsn(rnd)
    return value[:8] + str((int(value[8]) + rnd.randint(1, 9)) % 10)


def iban_check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return f"{98 - number % 97:02d}"


def iban(rnd: random.Random, country: str = "NL", spaced: bool = False) -> str:
    """A valid IBAN; NL by default (``DE``, ``BE``, ``GB``, ``FR`` also work)."""
    if country == "NL":
        bban = rnd.choice(IBAN_BANKS["NL"]) + "".join(rnd.choices(string.digits, k=10))
    elif country == "GB":
        bban = "NWBK" + "".join(rnd.choices(string.digits, k=14))
    elif country == "DE":
        bban = "".join(rnd.choices(string.digits, k=18))
    elif country == "BE":
        bban = "".join(rnd.choices(string.digits, k=12))
    else:
        bban = "".join(rnd.choices(string.digits, k=23))
    value = country + iban_check_digits(country, bban) + bban
    if not std_iban.is_valid(value):  # e.g. a Belgian national check
        return iban(rnd, "NL", spaced)
    return std_iban.format(value) if spaced else value


def iban_decoy(rnd: random.Random, spaced: bool = False) -> str:
    """An IBAN with one digit mistyped, so mod-97 fails."""
    value = iban(rnd)
    pos = rnd.randint(8, len(value) - 1)
    wrong = str((int(value[pos]) + rnd.randint(1, 9)) % 10)
    value = value[:pos] + wrong + value[pos + 1 :]
    return std_iban.format(value) if spaced else value


CARD_PREFIXES = ("4", "51", "52", "55", "2221", "2720", "34", "37", "6011", "65", "3530")


def card(rnd: random.Random, separator: str = "") -> str:
    """A Luhn-valid card number of a real brand range, grouped by ``separator``."""
    prefix = rnd.choice(CARD_PREFIXES)
    length = 15 if prefix in ("34", "37") else 16
    body = prefix + "".join(rnd.choices(string.digits, k=length - len(prefix) - 1))
    digits = body + luhn.calc_check_digit(body)
    if length == 15:
        groups = [digits[:4], digits[4:10], digits[10:]]
    else:
        groups = [digits[i : i + 4] for i in range(0, 16, 4)]
    return separator.join(groups)


def card_decoy(rnd: random.Random, separator: str = "") -> str:
    """A card-shaped number failing the Luhn check."""
    value = card(rnd, separator)
    last = str((int(value[-1]) + rnd.randint(1, 9)) % 10)
    return value[:-1] + last


def postcode(rnd: random.Random) -> str:
    letters = "".join(rnd.choices("ABCEGHJKLMNPRTVWXZ", k=2))
    return f"{rnd.randint(1000, 9999)}{rnd.choice(('', ' '))}{letters}"


def mobile(rnd: random.Random) -> str:
    number = f"6{rnd.randint(1, 5)}{rnd.randint(1000000, 9999999)}"
    style = rnd.randint(0, 3)
    if style == 0:
        return "0" + number
    if style == 1:
        return f"06-{number[1:]}"
    if style == 2:
        return f"+31 6 {number[1:]}"
    return f"+316{number[1:]}"


def landline(rnd: random.Random) -> str:
    area = rnd.choice(("20", "10", "30", "70", "40", "50"))
    subscriber = rnd.randint(2000000, 9999999)
    return rnd.choice((f"0{area}-{subscriber}", f"+31 {area} {subscriber}"))


def phone(rnd: random.Random) -> str:
    return mobile(rnd) if rnd.random() < 0.6 else landline(rnd)
