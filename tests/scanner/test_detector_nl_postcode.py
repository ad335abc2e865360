"""NL_POSTCODE detector: 1234 AB / 1234AB, 1000-9999, never SA/SD/SS."""

import pytest

from tests.scanner.spans import detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234 AB Amsterdam", "1234 AB"),
        ("postcode: 9999ZZ", "9999ZZ"),
        ("Adres: Dorpsstraat 1, 3511 LK", "3511 LK"),
    ],
)
def test_finds_postcode(text: str, value: str) -> None:
    assert ("NL_POSTCODE", value) in detect(text)


@pytest.mark.parametrize(
    "text", ["0123 AB", "1234 SA", "1234 SS", "1234 SD", "12345 AB", "1234 ABC", "1234 ab"]
)
def test_rejects_invalid_postcode(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "NL_POSTCODE"] == []
