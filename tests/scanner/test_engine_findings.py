"""What a Finding holds: location, masking, hashing, filters, severity."""

import hashlib
import hmac
import random

import pytest

from dataguardian.scanner import Engine, Segment, synthetic

ENGINE = Engine(b"secret-key")


def test_line_and_column_from_segment_base() -> None:
    text = "eerste regel\nmail jan@example.nl\n\n  bsn 111222333"
    segment = Segment(text=text, path="a.txt", base_line=100, base_column=7)
    email, bsn = ENGINE.scan_segment(segment)
    assert (email.line, email.column) == (101, 6)
    assert (bsn.line, bsn.column) == (103, 7)
    first = ENGINE.scan_segment(Segment(text="jan@example.nl", path="a", base_line=5, base_column=7))[0]
    assert (first.line, first.column) == (5, 7)


def test_no_line_for_tabular_segments() -> None:
    segment = Segment(text="jan@example.nl", path="a.xlsx", base_line=None, sheet="Klanten", cell="B2")
    (finding,) = ENGINE.scan_segment(segment)
    assert finding.line is None and finding.column is None
    assert (finding.sheet, finding.cell) == ("Klanten", "B2")


def test_value_hash_is_hmac_of_normalised_value() -> None:
    (finding,) = ENGINE.scan_text("IBAN nl91 abna 0417 1643 00".upper())
    expected = hmac.new(b"secret-key", b"NL91ABNA0417164300", hashlib.sha256).hexdigest()
    assert finding.value_hash == expected
    (other,) = Engine(b"other-key").scan_text("NL91ABNA0417164300")
    assert other.value_hash != expected


def test_same_value_same_hash_whatever_its_format() -> None:
    a, b = ENGINE.scan_text("06-12345678 en +31 6 12345678")
    assert a.value_hash == b.value_hash


def test_entities_and_min_confidence_filters() -> None:
    text = "mail jan@example.nl ip 10.0.0.1 bsn 111222333"
    only = Engine(b"k", entities={"EMAIL"}).scan_text(text)
    assert [f.entity for f in only] == ["EMAIL"]
    confident = Engine(b"k", min_confidence=0.5).scan_text(text)
    assert "IP_ADDRESS" not in {f.entity for f in confident}
    with pytest.raises(ValueError):
        Engine(b"k", entities={"NOPE"})


def test_special_category_context_raises_severity() -> None:
    (plain,) = ENGINE.scan_text("mail jan@example.nl")
    (medical,) = ENGINE.scan_text("patiënt jan@example.nl, diagnose: diabetes")
    assert (plain.severity, medical.severity) == ("medium", "high")
    (bsn,) = ENGINE.scan_text("medisch dossier bsn 111222333")
    assert bsn.severity == "critical"


def test_snippet_masks_every_value_in_it() -> None:
    text = "klant jan@example.nl bsn 111222333 tel 06-12345678"
    for finding in ENGINE.scan_text(text):
        assert "jan@" not in finding.context
        assert "111222333" not in finding.context
        assert "12345678" not in finding.context
        assert finding.masked in finding.context


def test_raw_value_never_in_any_field() -> None:
    rnd = random.Random(1)
    values = [synthetic.bsn(rnd), synthetic.iban(rnd), synthetic.card(rnd, " "), synthetic.phone(rnd)]
    values += ["jan.jansen@example.nl", "AKIAIOSFODNN7EXAMPLE", "Xk9#mQ2!vLp8", "8.8.4.4"]
    labels = ["bsn", "iban", "kaart", "tel", "mail", "key", "password=", "ip"]
    text = " ".join(f"{label} {value}" for label, value in zip(labels, values, strict=True))
    findings = ENGINE.scan_text(text)
    assert len(findings) == len(values)
    for finding in findings:
        fields = " ".join(str(v) for v in finding.as_dict().values())
        for value in values:
            assert value not in fields
            assert value.replace(" ", "") not in fields


def test_invalid_text_does_not_crash() -> None:
    text = "\udcff\x00\ufffd jan@example.nl \U0001f600 111222333 \x7f"
    assert {f.entity for f in ENGINE.scan_text(text)} == {"EMAIL", "NL_BSN"}
