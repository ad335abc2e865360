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


WORDS = (
    "de het een en van in is dat op te zijn met voor niet aan er maar om ook als dan bij nog wel "
    "the of and to a in is that for it as was with be by on not this are or from at which have "
    "klant order factuur levering status rapport systeem gebruiker bestand verwerkt gegevens "
    "customer invoice delivery report system user file processed data request response"
).split()


def filler(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choices(WORDS, k=words))


def planted(rnd: random.Random) -> tuple[str, str, str]:
    """(entity, value, sentence template with ``{}``) of one planted value."""
    kind = rnd.randint(0, 7)
    if kind == 0:
        name = rnd.choice(("jan", "anna", "p.devries", "m.bakker", "info"))
        return "EMAIL", f"{name}{rnd.randint(1, 999)}@example.nl", "mail {} voor info"
    if kind == 1:
        return "PHONE", phone(rnd), "bel {} of mail"
    if kind == 2:
        return "IBAN", iban(rnd, spaced=rnd.random() < 0.5), "rekening {} t.n.v. klant"
    if kind == 3:
        return "CREDIT_CARD", card(rnd, rnd.choice(("", " ", "-"))), "betaald met kaart {}"
    if kind == 4:
        return "NL_BSN", bsn(rnd), "BSN: {}"
    if kind == 5:
        return "NL_POSTCODE", postcode(rnd), "adres Dorpsstraat 1, {} Utrecht"
    if kind == 6:
        return "IP_ADDRESS", f"8{rnd.randint(0, 9)}.{rnd.randint(1, 254)}.{rnd.randint(1, 254)}.7", "from {}"
    return "DECOY", rnd.choice((bsn_decoy, iban_decoy, card_decoy))(rnd), "ordernummer {}"


def mixed_text(rnd: random.Random, size: int, every: int = 20) -> str:
    """About ``size`` characters of prose, log, CSV and code lines; one line in
    ``every`` carries a planted value (or a checksum-failing decoy)."""
    lines: list[str] = []
    total = 0
    while total < size:
        style = rnd.randint(0, 3)
        if rnd.randint(1, every) == 1:
            _, value, template = planted(rnd)
            body = template.format(value)
        else:
            body = filler(rnd, rnd.randint(4, 14))
        if style == 1:
            body = f"2024-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)} 12:0{rnd.randint(0, 9)}:00 INFO {body}"
        elif style == 2:
            body = f"{rnd.randint(1, 99999)},{body.replace(' ', ',', 2)},{rnd.randint(1, 500)}.00"
        elif style == 3:
            body = f'    log.info("{body}")  # {rnd.randint(1, 999)}'
        lines.append(body)
        total += len(body) + 1
    return "\n".join(lines)[:size]
