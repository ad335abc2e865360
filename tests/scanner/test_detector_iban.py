"""IBAN detector: every country, mod-97, any case, spaces or dashes, on both backends."""

import random

import pytest

from dataguardian.scanner import synthetic
from tests.scanner.spans import ENGINE, detect, scan


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("IBAN NL91ABNA0417164300.", "NL91ABNA0417164300"),
        ("rekening NL91 ABNA 0417 1643 00 t.n.v.", "NL91 ABNA 0417 1643 00"),
        ("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
        ("GB29NWBK60161331926819", "GB29NWBK60161331926819"),
        ("BE71 0961 2345 6769 en 2024", "BE71 0961 2345 6769"),
        ("FR1420041010050500013M02606", "FR1420041010050500013M02606"),
        ("iban nl91abna0417164300.", "nl91abna0417164300"),
        ("iban nl91 abna 0417 1643 00", "nl91 abna 0417 1643 00"),
        ("iban NL91-ABNA-0417-1643-00", "NL91-ABNA-0417-1643-00"),
        ("Nl91AbNa0417164300", "Nl91AbNa0417164300"),
        ("gb82-west-1234-5698-7654-32", "gb82-west-1234-5698-7654-32"),
        # valid IBAN whose bank code is missing from python-stdnum's Belgian bank list
        ("BE68 5390 0754 7034", "BE68 5390 0754 7034"),
        ("ES91 2100 0418 4502 0005 1332", "ES91 2100 0418 4502 0005 1332"),
        ("NO93 8601 1117 947", "NO93 8601 1117 947"),
        ("CH93 0076 2011 6238 5295 7", "CH93 0076 2011 6238 5295 7"),
        ("IT60X0542811101000000123456", "IT60X0542811101000000123456"),
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
        "NL91 ABNA-0417 1643 00",  # spaces and dashes mixed
        "nl91abna0417164301",  # lower case, mistyped
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


def test_a_known_bank_only_raises_confidence() -> None:
    (known,) = scan("BE71 0961 2345 6769")
    (unknown,) = scan("BE68 5390 0754 7034")
    assert known.confidence > unknown.confidence >= 0.9


@pytest.mark.parametrize(
    "decoy",
    [
        "NL91 ABNA 0417 1643 01",
        "NL91ABNA0417164301",
        "DE89 3704 0044 0532 0130 01",
        "DE89370400440532013001",
        "GB82 WEST 1234 5698 7654 31",
        "BE68 5390 0754 7035",
        "nl91-abna-0417-1643-01",
        "GB80 NWBK 9520 0513 1261 17",
        "NL61 KNAB 0733 3783 82",
        "FR91 4300 0824 1023 4378 2355 921",
        "FR91-4300-0824-1023-4378-2355-921",
    ],
)
def test_digits_of_a_malformed_iban_are_no_phone_card_or_bsn(decoy: str) -> None:
    text = f"oude rekening {decoy} (tel, kaart) vervallen"
    assert detect(text) == []
    assert scan(text) == []
    found = scan(f"{text} 06-12345678")
    assert [f.entity for f in found] == ["PHONE"]
    assert decoy not in found[0].context and decoy[-6:] not in found[0].context
