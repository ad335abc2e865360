"""IBAN detector: every country, mod-97, with or without spaces."""

import random

import pytest

from dataguardian.scanner import synthetic
from tests.scanner.spans import ENGINE, detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("IBAN NL91ABNA0417164300.", "NL91ABNA0417164300"),
        ("rekening NL91 ABNA 0417 1643 00 t.n.v.", "NL91 ABNA 0417 1643 00"),
        ("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
        ("GB29NWBK60161331926819", "GB29NWBK60161331926819"),
        ("BE71 0961 2345 6769 en 2024", "BE71 0961 2345 6769"),
        ("FR1420041010050500013M02606", "FR1420041010050500013M02606"),
    ],
)
def test_finds_iban(text: str, value: str) -> None:
    assert ("IBAN", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "NL91ABNA0417164301",  # one digit mistyped
        "NL19 ABNA 0417 1643 00",  # check digits swapped
        "XX91ABNA0417164300",  # no such country
        "NL91ABNA04171643001",  # too long for NL
        "referentie AB12CD34EF56GH78",
    ],
)
def test_rejects_invalid_iban(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "IBAN"] == []


def test_generated_ibans_and_decoys() -> None:
    rnd = random.Random(7)
    for _ in range(50):
        good = synthetic.iban(rnd, rnd.choice(["NL", "DE", "GB"]), spaced=rnd.random() < 0.5)
        assert ("IBAN", good) in detect(f"betaal naar {good} graag")
        bad = synthetic.iban_decoy(rnd)
        assert "IBAN" not in {e for e, _ in detect(f"betaal naar {bad} graag")}


def test_masks_country_and_last_two() -> None:
    (finding,) = ENGINE.scan_text("NL91 ABNA 0417 1643 00")
    assert finding.masked == "NL** **** **** **** 00"
