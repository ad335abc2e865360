"""GENERIC_SECRET detector: high-entropy values assigned to secret names."""

import pytest

from tests.scanner.spans import detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("password = 'Xk9#mQ2!vLp8'", "Xk9#mQ2!vLp8"),
        ('DB_PASSWORD="h7Gf2LqP9zXw"', "h7Gf2LqP9zXw"),
        ("api_key: 9f8e7d6c5b4a3f2e1d0c", "9f8e7d6c5b4a3f2e1d0c"),
        ("client_secret => 'Zq81LmN0pR4sT7uV'", "Zq81LmN0pR4sT7uV"),
        ("wachtwoord=Gx7!kP2#qL9m", "Gx7!kP2#qL9m"),
    ],
)
def test_finds_secret(text: str, value: str) -> None:
    assert ("GENERIC_SECRET", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "password = 'changeme'",
        "password = settings.DB_PASSWORD",
        "token = os.environ.get('TOKEN')",
        "password = '${DB_PASSWORD}'",
        "secret = 'aaaaaaaaaaaa'",
        "password_hint: kort",
        "the password is secret",
    ],
)
def test_rejects_placeholders_and_code(text: str) -> None:
    assert "GENERIC_SECRET" not in {e for e, _ in detect(text)}
