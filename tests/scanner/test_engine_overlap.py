"""Overlap resolution: one value, one finding, the strongest entity wins."""

import pytest

from dataguardian.scanner import Engine, Segment

ENGINE = Engine(b"k")


def detect(text: str) -> list[tuple[str, str]]:
    return [(e, text[s:t]) for e, s, t, _ in ENGINE.spans(Segment(text=text, path="t"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NL91 ABNA 0417 1643 00", [("IBAN", "NL91 ABNA 0417 1643 00")]),
        ("4111 1111 1111 1111", [("CREDIT_CARD", "4111 1111 1111 1111")]),
        ("0612345678@example.nl", [("EMAIL", "0612345678@example.nl")]),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None),
    ],
)
def test_one_finding_per_value(text: str, expected: list | None) -> None:
    found = detect(text)
    if expected is not None:
        assert found == expected
    else:
        assert [e for e, _ in found] == ["AWS_SECRET_KEY"]


def test_card_digits_are_not_also_a_phone_or_bsn() -> None:
    text = "kaart 5555 5555 5555 4444 en bsn 111222333 tel 06-12345678"
    assert detect(text) == [
        ("CREDIT_CARD", "5555 5555 5555 4444"),
        ("NL_BSN", "111222333"),
        ("PHONE", "06-12345678"),
    ]


def test_private_key_swallows_what_is_inside() -> None:
    text = "-----BEGIN PRIVATE KEY-----\npassword=Xk9#mQ2!vLp8 111222333\n-----END PRIVATE KEY-----"
    assert [e for e, _ in detect(text)] == ["PRIVATE_KEY"]
