"""CREDIT_CARD detector: Luhn and issuer ranges, plain or grouped, on both backends."""

import random

import pytest

from dataguardian.scanner import synthetic
from tests.scanner.spans import ENGINE, detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("visa 4111111111111111 exp", "4111111111111111"),
        ("kaart 4111 1111 1111 1111", "4111 1111 1111 1111"),
        ("mc 5555-5555-5555-4444", "5555-5555-5555-4444"),
        ("mc2 2223 0031 2200 3222", "2223 0031 2200 3222"),
        ("amex 3782 822463 10005", "3782 822463 10005"),
        ("discover 6011111111111117", "6011111111111117"),
        ("jcb 3530111333300000", "3530111333300000"),
        ("diners 30569309025904", "30569309025904"),
        ("card 4111 1111 1111 1111 2025", "4111 1111 1111 1111"),
        ("dankort 5019717010103742", "5019717010103742"),
        ("dankort 5019 6267 1012 3183", "5019 6267 1012 3183"),
        ("visa/dankort 4571857959593587", "4571857959593587"),
        ("uatp 177016640008382", "177016640008382"),
        ("uatp 122000000000003", "122000000000003"),
        ("mir 2200102248078782", "2200102248078782"),
        ("borica 2205154094941006", "2205154094941006"),
        ("hipercard 6062826468599311", "6062826468599311"),
        ("elo 6363680356873643", "6363680356873643"),
        ("verve 5061874635768941", "5061874635768941"),
        ("troy 9792437287544966", "9792437287544966"),
        ("humo 9860720477533296", "9860720477533296"),
        ("uzcard 8600498149348404", "8600498149348404"),
        ("rupay 8200720549473035", "8200720549473035"),
        ("lankapay 3571110672253598", "3571110672253598"),
        ("unionpay 6200676953921895424", "6200676953921895424"),
        ("t-union 3100887998384142905", "3100887998384142905"),
        ("maestro 675989890446", "675989890446"),
        ("maestro 5893876244598214490", "5893876244598214490"),
    ],
)
def test_finds_card(text: str, value: str) -> None:
    assert ("CREDIT_CARD", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # Luhn fails
        "order 1234567812345678",  # Luhn fails
        "9111111111111110",  # Luhn-valid, but no brand starts with 91
        "7111111111111114",  # nor with 7
        "177016640008383",  # UATP, Luhn fails
        "1770166400083825",  # Luhn-valid, but UATP numbers have 15 digits
        "4111 1111-1111 1111",  # mixed separators
        "41111111111111111111111",  # too long
        "7992739871",  # Luhn-valid but too short
    ],
)
def test_rejects_non_cards(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "CREDIT_CARD"] == []


def test_generated_cards_and_decoys() -> None:
    rnd = random.Random(11)
    for _ in range(50):
        sep = rnd.choice(["", " ", "-"])
        good = synthetic.card(rnd, sep)
        assert ("CREDIT_CARD", good) in detect(f"paid with {good}.")
        bad = synthetic.card_decoy(rnd, sep)
        assert "CREDIT_CARD" not in {e for e, _ in detect(f"paid with {bad}.")}


def test_masks_all_but_last_four() -> None:
    (finding,) = ENGINE.scan_text("4111 1111 1111 1111")
    assert finding.masked == "**** **** **** 1111"
    assert finding.severity == "critical"
