"""CREDIT_CARD detector: Luhn and brand ranges, plain or grouped."""

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
    ],
)
def test_finds_card(text: str, value: str) -> None:
    assert ("CREDIT_CARD", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # Luhn fails
        "order 1234567812345678",  # Luhn fails
        "9111111111111111",  # no brand starts with 9
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
