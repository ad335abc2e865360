"""PHONE detector: Dutch national and international numbers via phonenumbers."""

import pytest

from tests.scanner.spans import ENGINE, detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("bel 020-1234567 aub", "020-1234567"),
        ("mobiel: 06-12345678", "06-12345678"),
        ("tel 0612345678.", "0612345678"),
        ("call +31 6 12345678 today", "+31 6 12345678"),
        ("kantoor +31 (0)20 123 4567", "+31 (0)20 123 4567"),
        ("London +44 20 7946 0958", "+44 20 7946 0958"),
        ("bel (020) 123 4567", "(020) 123 4567"),
        ("tel 0031 20 123 4567", "0031 20 123 4567"),
        ("tel +31 6 12345678 2024", "+31 6 12345678"),
    ],
)
def test_finds_phone(text: str, value: str) -> None:
    assert ("PHONE", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "ordernummer 12345678",
        "datum 01-02-2023",
        "versie 1.2.3.4",
        "06-1234",
        "0612345678901234",
        "+31 6 1234",
        "bestelling 0000000000",
    ],
)
def test_ignores_non_phones(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "PHONE"] == []


def test_masks_all_but_last_two_digits() -> None:
    (finding,) = ENGINE.scan_text("tel 06-12345678")
    assert finding.masked == "**-******78"
