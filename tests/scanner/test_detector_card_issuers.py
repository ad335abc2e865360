"""The card issuer table: well formed, and what it says of a number's first digits and length."""

import pytest

from dataguardian.scanner.detectors.card_issuers import ISSUER_RANGES, known_issuer


def test_rows_are_well_formed() -> None:
    for low, high, lengths in ISSUER_RANGES:
        assert len(str(low)) == len(str(high)) and low <= high, (low, high)
        assert lengths and all(12 <= n <= 19 for n in lengths), (low, lengths)
        assert str(low)[0] != "0"  # the card pattern takes no leading 0


@pytest.mark.parametrize(
    ("digits", "known"),
    [
        ("5019717010103742", True),  # Dankort
        ("5019717010103", False),  # Dankort numbers have 16 digits
        ("4111111111111", True),  # Visa, 13 digits
        ("41111111111111", False),  # Visa has no 14-digit numbers
        ("177016640008382", True),  # UATP
        ("6054742000000000", True),  # NPS Pridnestrovie, a 7-digit prefix
        ("7111111111111114", False),
    ],
)
def test_known_issuer(digits: str, known: bool) -> None:
    assert known_issuer(digits) is known
