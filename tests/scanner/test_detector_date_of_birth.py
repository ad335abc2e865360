"""DATE_OF_BIRTH detector: a date only right after birth words."""

import pytest

from tests.scanner.spans import detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Geboortedatum: 12-03-1985", "12-03-1985"),
        ("born on 3 March 1990.", "3 March 1990"),
        ("geboren op 1 januari 1970", "1 januari 1970"),
        ('"date_of_birth": "1985-03-12"', "1985-03-12"),
        ("DOB 01/02/2001", "01/02/2001"),
        ("geb. datum 5.6.1944", "5.6.1944"),
    ],
)
def test_finds_date_of_birth(text: str, value: str) -> None:
    assert ("DATE_OF_BIRTH", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-15 12:00:00 INFO started",  # a log date, no birth word
        "factuurdatum 12-03-1985",
        "geboortedatum: 31-02-1985",  # no such day
        "geboortedatum: 12-03-2999",  # in the future
    ],
)
def test_ignores_other_dates(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "DATE_OF_BIRTH"] == []


def test_dob_column_marks_bare_dates() -> None:
    assert detect("1985-03-12", header="date_of_birth") == [("DATE_OF_BIRTH", "1985-03-12")]
    assert detect("12-03-1985", header="Geboortedatum") == [("DATE_OF_BIRTH", "12-03-1985")]
    assert detect("12-03-1985", header="factuurdatum") == []
