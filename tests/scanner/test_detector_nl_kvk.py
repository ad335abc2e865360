"""NL_KVK detector: eight digits, only after KvK words or in a kvk column."""

import pytest

from tests.scanner.spans import detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("KvK: 12345678", "12345678"),
        ("KvK-nummer 87654321", "87654321"),
        ("ingeschreven bij de Kamer van Koophandel onder nummer 12345678", None),
        ("Chamber of Commerce no. 69599084", "69599084"),
        ("kvk nr. 01234567", "01234567"),
    ],
)
def test_finds_kvk(text: str, value: str | None) -> None:
    found = [v for e, v in detect(text) if e == "NL_KVK"]
    assert found == ([value] if value else [])


@pytest.mark.parametrize(
    "text", ["12345678", "order 12345678", "kvk 1234567", "kvk 123456789", "kvk 00000000"]
)
def test_ignores_without_context(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "NL_KVK"] == []


def test_kvk_column() -> None:
    assert detect("12345678", header="KvK nummer") == [("NL_KVK", "12345678")]
