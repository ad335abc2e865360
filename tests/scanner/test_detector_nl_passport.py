"""NL_PASSPORT / NL_ID_CARD: document number structure, context, ICAO check digit."""

import pytest

from dataguardian.scanner.detectors.nl_passport import icao_check_digit, valid_document_number
from tests.scanner.spans import detect


def test_icao_check_digit_matches_the_specimen() -> None:
    # ICAO 9303 part 3 specimen: document number L898902C3 has check digit 6.
    assert icao_check_digit("L898902C3") == 6
    assert icao_check_digit("520727") == 3


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("XN01BC015", True),
        ("SPECI2014", True),
        ("ABCDEFGH1", False),  # a word and a digit: no digit among the middle six
        ("XO01BC015", False),  # the letter O is never used
        ("1N01BC015", False),  # two letters first
        ("XN01BC01", False),  # eight characters
        ("SPECI20142", True),  # MRZ: nine characters and their check digit
        ("SPECI20143", False),  # MRZ with a wrong check digit
        ("SPECI2014<", False),  # MRZ filler where the check digit goes
    ],
)
def test_valid_document_number(value: str, valid: bool) -> None:
    assert valid_document_number(value) is valid


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("paspoortnummer: XN01BC015", "NL_PASSPORT", "XN01BC015"),
        ("Passport no. SPECI201", "NL_PASSPORT", None),  # 8 chars: not a Dutch number
        ("identiteitskaart IR1234AB5", "NL_ID_CARD", "IR1234AB5"),
        (
            "P<NLDDE<BRUIJN<<WILLEKE\nSPECI20142NLD6503101F2401151999999990<<<<<82",
            "NL_PASSPORT",
            "SPECI20142",
        ),
        ("I<NLDSPECI20142999999990<<<<<8", "NL_ID_CARD", "SPECI20142"),
    ],
)
def test_document_numbers(text: str, entity: str, value: str | None) -> None:
    found = [v for e, v in detect(text) if e == entity]
    assert found == ([value] if value else [])


@pytest.mark.parametrize(
    "text",
    [
        "XN01BC015",  # no context word
        "paspoort XO01BC015",  # letter O is never used
        "paspoort XN01BC01A",  # last character must be a digit
        "SPECI20143NLD6503101F",  # wrong MRZ check digit
    ],
)
def test_rejects(text: str) -> None:
    assert {e for e, _ in detect(text)} & {"NL_PASSPORT", "NL_ID_CARD"} == set()
