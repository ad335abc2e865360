"""PHONE detector: international numbers, and national ones of the regions asked for, on both backends."""

import pytest

from dataguardian.scanner.detectors.phone import parse_regions
from tests.scanner.spans import ENGINE, detect, scan

NATIONAL = [
    ("US", "call (212) 555-0187 now", "(212) 555-0187"),
    ("US", "call 212-555-0187.", "212-555-0187"),
    ("TR", "ara 0533 456 78 90 lütfen", "0533 456 78 90"),
    ("PH", "tawag 0918 765 4321", "0918 765 4321"),
    ("DE", "Tel. 030 12345678", "030 12345678"),
    ("GB", "ring 020 7946 0958", "020 7946 0958"),
    ("FR", "appel 01 23 45 67 89", "01 23 45 67 89"),
    ("BE", "bel 0470 12 34 56", "0470 12 34 56"),
    ("IT", "chiama 347 123 4567", "347 123 4567"),
    ("ES", "llama 612 34 56 78", "612 34 56 78"),
    ("BR", "ligue (11) 91234-5678", "(11) 91234-5678"),
    ("IN", "call 98765 43210", "98765 43210"),
    ("JP", "denwa 03-1234-5678", "03-1234-5678"),
    ("KR", "jeonhwa 010-1234-5678", "010-1234-5678"),
    ("AU", "call (02) 9876 5432", "(02) 9876 5432"),
    ("CH", "Tel 044 668 18 00", "044 668 18 00"),
]


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


@pytest.mark.parametrize(("region", "text", "value"), NATIONAL)
def test_national_numbers_of_the_regions_asked_for(region: str, text: str, value: str) -> None:
    assert ("PHONE", value) in detect(text, regions=("NL", region))
    assert ("PHONE", value) not in detect(text)  # NL alone does not read them


@pytest.mark.parametrize(("region", "text", "value"), NATIONAL[:6])
def test_national_numbers_keep_their_tail_out(region: str, text: str, value: str) -> None:
    assert ("PHONE", value) in detect(f"{text} 2024", regions=(region,))


@pytest.mark.parametrize(
    ("region", "text"),
    [
        ("US", "65 02 53 00 00"),  # valid digits, not grouped the American way
        ("US", "2024-03-01 12"),  # a date and an hour
        ("DE", "order 1234567"),
        ("FR", "12 34 56 78"),  # too short
        ("US", "1234 5678 9012 3456"),
    ],
)
def test_national_look_alikes_are_refused(region: str, text: str) -> None:
    assert [e for e, _ in detect(text, regions=(region,)) if e == "PHONE"] == []


def test_international_numbers_are_read_whatever_the_regions() -> None:
    assert ("PHONE", "+31 6 12345678") in detect("tel +31 6 12345678", regions=("US",))
    assert ("PHONE", "0044 20 7946 0958") in detect("tel 0044 20 7946 0958", regions=("US",))
    assert ("PHONE", "06-12345678") not in detect("tel 06-12345678", regions=("US",))


def test_the_first_region_that_reads_a_number_decides_its_hash() -> None:
    (as_dutch,) = scan("tel 06 12 34 56 78", regions=("NL", "FR"))
    (as_french,) = scan("tel 06 12 34 56 78", regions=("FR", "NL"))
    (dutch,) = scan("tel +31 6 12345678")
    (french,) = scan("tel +33 6 12 34 56 78")
    assert as_dutch.value_hash == dutch.value_hash
    assert as_french.value_hash == french.value_hash


def test_regions_are_checked() -> None:
    assert parse_regions(" nl, be ,NL,us") == ("NL", "BE", "US")
    with pytest.raises(ValueError, match="unknown phone region XX, EU"):
        parse_regions("NL,XX,EU")
    with pytest.raises(ValueError, match="at least one"):
        parse_regions(" , ")
