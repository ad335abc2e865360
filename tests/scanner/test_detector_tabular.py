"""Header-driven entities: PERSON, ADDRESS, and confidence from column names."""

import pytest

from dataguardian.scanner import Segment
from tests.scanner.spans import ENGINE, detect


@pytest.mark.parametrize(
    ("header", "value", "entity"),
    [
        ("achternaam", "de Vries", "PERSON"),
        ("Voornaam", "José", "PERSON"),
        ("customer_name", "Jan Jansen", "PERSON"),
        ("firstName", "Anna", "PERSON"),
        ("adres", "Dorpsstraat 12", "ADDRESS"),
        ("street_address", "1 Main Street", "ADDRESS"),
    ],
)
def test_header_marks_value(header: str, value: str, entity: str) -> None:
    assert detect(value, header=header) == [(entity, value)]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("bedrijfsnaam", "Acme BV"),
        ("file_name", "report.pdf"),
        ("naam", "12345"),
        ("status", "Jan"),
        ("naam", ""),
    ],
)
def test_no_person_without_a_name_column(header: str, value: str) -> None:
    assert [e for e, _ in detect(value, header=header) if e == "PERSON"] == []


def test_header_raises_confidence_of_a_pattern_hit() -> None:
    def confidence(header: str | None) -> float:
        return ENGINE.spans(Segment(text="111222333", path="t", header=header))[0][3]

    assert confidence("bsn") > confidence(None)


def test_person_finding_masked() -> None:
    (finding,) = ENGINE.scan_segment(
        Segment(text="Jan de Vries", path="t.csv", header="naam", base_line=None)
    )
    assert finding.masked == "J*** d*** V***"
    assert finding.category == "user.name"
    assert finding.line is None
