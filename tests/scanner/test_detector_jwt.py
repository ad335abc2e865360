"""JWT detector."""

import base64
import json

import pytest

from tests.scanner.spans import detect


def b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


HEADER = b64({"alg": "HS256", "typ": "JWT"})
PAYLOAD = b64({"sub": "1234567890", "name": "Jan"})
TOKEN = f"{HEADER}.{PAYLOAD}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"


def test_finds_jwt() -> None:
    assert detect(f"Authorization: Bearer {TOKEN}") == [("JWT", TOKEN)]


@pytest.mark.parametrize(
    "text",
    [
        f"{b64({'foo': 1})}.{b64({'sub': 'x'})}.SflKxwRJSMeKKF2QT4fw",  # header without alg
        "eyJhbGciOi.eyJzdWIiOi.SflKxwRJSMeKKF2QT4fw",  # not base64 JSON
        "eyJ.eyJ.abc",
    ],
)
def test_rejects(text: str) -> None:
    assert "JWT" not in {e for e, _ in detect(text)}
