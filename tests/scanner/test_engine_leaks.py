"""Values next to each other are all found, and nothing found leaves the engine in clear.

Every case runs on both backends (``tests.scanner.spans``).
"""

import pytest

from dataguardian.scanner.samples import DECOYS, PAIRS, SEPARATORS, Sample
from tests.scanner.spans import ENGINE, detect, scan


def pair_cases() -> list[tuple[str, Sample, Sample, str]]:
    return [(name, a, b, sep) for name, (a, b) in PAIRS.items() for sep in SEPARATORS]


@pytest.mark.parametrize(("name", "first", "second", "sep"), pair_cases(),
                         ids=[f"{c[0]}-{c[3]!r}" for c in pair_cases()])
def test_adjacent_values_are_all_found_and_masked(name: str, first: Sample, second: Sample, sep: str) -> None:
    text = f"{first.text}{sep}{second.text}"
    assert detect(text) == [(first.entity, first.found), (second.entity, second.found)]
    for finding in scan(f"zie {text} hier"):
        assert first.found not in finding.context and second.found not in finding.context


def test_the_card_left_in_clear_by_the_issue() -> None:
    first, second = scan("Betaald met 5500005555555559 4111111111111111 gisteren")
    assert first.context == second.context == "Betaald met **** **** **** 5559 **** **** **** 1111 gisteren"


def test_two_numbers_with_a_country_prefix_one_space_apart() -> None:
    found = scan("bel 0031 6 12345678 0031 6 87654321 nu")
    assert [f.masked for f in found] == ["**** * ******78", "**** * ******21"]
    assert found[0].context == "bel **** * ******78 **** * ******21 nu"


def test_a_value_after_a_rejected_candidate_is_found() -> None:
    # the card pattern first reads "2024 4111 1111 1111 111", which fails
    assert detect("ref 2024 4111 1111 1111 1111") == [("CREDIT_CARD", "4111 1111 1111 1111")]


def test_snippets_mask_values_that_are_not_reported() -> None:
    only_email = ENGINE.__class__(b"k", entities={"EMAIL"})
    (finding,) = only_email.scan_text("jan@example.nl kaart 4111111111111111 tel 06-12345678")
    assert finding.context == "j***@example.nl kaart **** **** **** 1111 tel **-******78"


def test_snippets_mask_what_only_the_last_check_sees() -> None:
    # A passport number counts only near a context word; in a snippet it is masked anyway.
    (finding,) = scan("mail jan@example.nl of XR1234567 dan")
    assert finding.context == "mail j***@example.nl of XR******* dan"


@pytest.mark.parametrize("decoy", DECOYS)
def test_malformed_ibans_are_masked_in_snippets_and_report_nothing(decoy: str) -> None:
    (finding,) = scan(f"mail jan@example.nl, rekening {decoy}")
    assert decoy not in finding.context
    assert finding.context.startswith("mail j***@example.nl, rekening ")


@pytest.mark.parametrize(
    ("where", "masked"),
    [
        ({"path": "uploads/jan@example.nl/cv.txt"}, "uploads/j***@example.nl/cv.txt"),
        ({"path": "backup.zip!klanten/111222333.csv"}, "backup.zip!klanten/*******33.csv"),
        ({"sheet": "tel 06-12345678"}, "tel **-******78"),
        ({"cell": '$["NL91ABNA0417164300"].naam'}, '$["NL** **** **** **** 00"].naam'),
        ({"table": "klant_4111111111111111"}, "klant_4111111111111111"),
        ({"table": "klant 4111111111111111"}, "klant **** **** **** 1111"),
        ({"column_name": "jan@example.nl"}, "j***@example.nl"),
    ],
)
def test_locations_from_the_source_are_masked(where: dict, masked: str) -> None:
    (field, _), = where.items()
    where = {"path": "t.txt", **where}
    (finding,) = scan("mail piet@voorbeeld.org", **where)
    assert getattr(finding, field) == masked


def test_masked_locations_are_cached_and_plain_ones_kept() -> None:
    assert ENGINE.mask_location("docs/verslag.txt") == "docs/verslag.txt"
    assert ENGINE.mask_location("a/jan@example.nl") is ENGINE.mask_location("a/jan@example.nl")
    assert ENGINE.mask_location(None) is None
