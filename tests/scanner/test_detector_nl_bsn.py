"""NL_BSN detector: nine digits passing the 11-proof."""

import random

import pytest

from dataguardian.scanner import Segment, synthetic
from tests.scanner.spans import ENGINE, detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("BSN: 111222333", "111222333"),
        ("burgerservicenummer 123456782.", "123456782"),
        ("bsn 1112.22.333", "1112.22.333"),
        ("111222333", "111222333"),
        ('"bsn": "999999990"', "999999990"),
        ("bsn's 111222333,123456782", "123456782"),
        ("bsn,123456782", "123456782"),
    ],
)
def test_finds_bsn(text: str, value: str) -> None:
    assert ("NL_BSN", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "bsn 123456789",  # fails the 11-proof
        "order 111222334",
        "1112223330",  # ten digits
        "x111222333",  # glued to a word
        "000000000",
        "1.111222333",
        "1,123456782",  # decimals
        "12.345,123456782",
    ],
)
def test_rejects_non_bsn(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "NL_BSN"] == []


def test_context_raises_and_order_words_lower_confidence() -> None:
    def confidence(text: str) -> float:
        return next(c for e, _, _, c in ENGINE.spans(Segment(text=text, path="t")) if e == "NL_BSN")

    assert confidence("bsn 111222333") > confidence("111222333") > confidence("ordernummer 111222333")


def test_generated_bsns_and_decoys() -> None:
    rnd = random.Random(5)
    for _ in range(100):
        good = synthetic.bsn(rnd)
        assert ("NL_BSN", good) in detect(f"BSN {good}")
        assert "NL_BSN" not in {e for e, _ in detect(f"BSN {synthetic.bsn_decoy(rnd)}")}


def test_masked_and_critical() -> None:
    (finding,) = ENGINE.scan_text("bsn 111222333")
    assert finding.masked == "*******33"
    assert finding.severity == "critical"
    assert finding.category == "user.government_id.national_identification_number"
