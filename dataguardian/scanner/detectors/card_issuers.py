"""Payment card issuer ranges (IIN/BIN prefixes, ISO/IEC 7812) and their lengths.

Kept here, not fetched: one row per brand range as the brands publish them
(and as the "Payment card number" IIN table of Wikipedia collects them).
A number is a card number when it passes Luhn *and* falls in one of these
ranges with an allowed length. To add a brand, add its rows (the card
detector's pattern takes any first digit but 0).
"""

from __future__ import annotations

from functools import lru_cache

ANY = tuple(range(12, 20))
SIXTEEN_TO_19 = (16, 17, 18, 19)

# (lowest prefix, highest prefix, allowed lengths); both prefixes have the same number of digits.
ISSUER_RANGES: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (1, 1, (15,)),  # UATP
    (1946, 1946, (16, 18, 19)),  # GPN
    (2200, 2204, SIXTEEN_TO_19),  # Mir
    (2205, 2205, (16,)),  # BORICA
    (2221, 2720, (16,)),  # Mastercard 2-series
    (300, 305, (14, 15, 16, 17, 18, 19)),  # Diners Club Carte Blanche
    (31, 31, (19,)),  # China T-Union
    (34, 34, (15,)),  # American Express
    (353, 353, (16,)),  # RuPay (JCB co-branded)
    (356, 356, (16,)),
    (3528, 3589, SIXTEEN_TO_19),  # JCB
    (357111, 357111, (16,)),  # LankaPay
    (36, 36, (14, 15, 16, 17, 18, 19)),  # Diners Club International
    (37, 37, (15,)),  # American Express
    (38, 39, SIXTEEN_TO_19),  # Diners Club
    (3841, 3841, (16, 19)),  # Hipercard
    (4, 4, (13, 16, 19)),  # Visa, Visa Electron, Visa/Dankort (4571)
    (50, 50, (16, 18, 19)),  # GPN
    (5018, 5018, ANY),  # Maestro
    (5019, 5019, (16,)),  # Dankort
    (5020, 5020, ANY),  # Maestro
    (5038, 5038, ANY),
    (504175, 504175, (16,)),  # Elo
    (506099, 506198, (16, 18, 19)),  # Verve
    (506699, 506778, (16,)),  # Elo
    (507865, 507964, (16, 18, 19)),  # Verve
    (508, 508, (16,)),  # RuPay
    (509, 509, (16,)),  # Elo
    (51, 55, (16,)),  # Mastercard
    (5614, 5614, (16,)),  # UzCard
    (56, 56, (16, 18, 19)),  # GPN
    (58, 58, (16, 18, 19)),  # GPN
    (589562, 589562, (16,)),  # Naranja
    (5893, 5893, ANY),  # Maestro
    (60, 60, (16,)),  # RuPay
    (60, 63, (16, 18, 19)),  # GPN
    (6011, 6011, SIXTEEN_TO_19),  # Discover
    (6054740, 6054744, (16,)),  # NPS Pridnestrovie
    (606282, 606282, (16,)),  # Hipercard
    (62, 62, SIXTEEN_TO_19),  # UnionPay
    (627780, 627780, (16,)),  # Elo
    (6304, 6304, ANY),  # Maestro, Laser
    (636, 636, SIXTEEN_TO_19),  # InterPayment
    (637, 639, (16,)),  # InstaPayment
    (644, 649, SIXTEEN_TO_19),  # Discover
    (65, 65, SIXTEEN_TO_19),  # Discover, RuPay, Troy
    (6500, 6516, (16,)),  # Elo
    (6550, 6550, (16,)),
    (6706, 6706, SIXTEEN_TO_19),  # Laser
    (6709, 6709, SIXTEEN_TO_19),
    (6759, 6763, ANY),  # Maestro, Maestro UK
    (6771, 6771, SIXTEEN_TO_19),  # Laser
    (81, 82, (16,)),  # RuPay, UnionPay
    (8600, 8600, (16,)),  # UzCard
    (9792, 9792, (16,)),  # Troy
    (9860, 9860, (16,)),  # Humo
)

@lru_cache(maxsize=1)
def _by_prefix_length() -> dict[int, list[tuple[int, int, tuple[int, ...]]]]:
    table: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}
    for low, high, lengths in ISSUER_RANGES:
        table.setdefault(len(str(low)), []).append((low, high, lengths))
    return table


def known_issuer(digits: str) -> bool:
    """Whether ``digits`` (the whole card number) fits an issuer range and length."""
    length = len(digits)
    for size, ranges in _by_prefix_length().items():
        prefix = int(digits[:size])
        for low, high, lengths in ranges:
            if low <= prefix <= high and length in lengths:
                return True
    return False
