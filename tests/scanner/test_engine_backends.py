"""The hyperscan and re backends find exactly the same things."""

import random

import pytest

from dataguardian.scanner import Engine, Segment, synthetic
from dataguardian.scanner.matcher import Matcher, hyperscan, max_length, relaxed, to_bytes

pytestmark = pytest.mark.skipif(hyperscan is None, reason="hyperscan is not installed")

EDGE_CASES = [
    "111222333" + " 111222333" * 3,
    "jan@example.nl,piet@example.nl;x@y.io jan@@example.nl a@b.c.d.e.nl",
    "4111 1111 1111 1111 4111-1111-1111-1111 41111111111111114111111111111111",
    "NL91ABNA0417164300NL91ABNA0417164300 NL91 ABNA 0417 1643 00 1234",
    "::1 fe80::1 2001:db8::1:2:3:4:5 1.2.3.4.5.6.7.8 10.0.0.1:8080",
    "+31 6 12345678 +31 6 12345678 06-12345678/06-87654321 (020) 123 4567",
    "kvk 12345678 KvK: 12345678 geboortedatum 12-03-1985 DOB: 1985-03-12",
    "password=Xk9#mQ2!vLp8 token: 'Zq81LmN0pR4sT7uV'",
    "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
    "é jan@example.nl ü 111222333 ñ",
    "5500005555555559 4111111111111111,0031 6 12345678 0031 6 87654321\n"
    "NL91ABNA0417164300 nl91abna0417164300",
    "::ffff:192.0.2.1 2001:db8::/32 fe80::1%eth0 a::b::c 1:2:3:4:5:6:1.2.3.4",
    "jörg@münchen.de ivan@пример.рф test@domain.xn--p1ai «élodie@exemple.fr» what?jan@example.nl?",
    "postgres://app:S3cret@db:5432/x Server=db;Password=Hunter2!x; ?user=a&password=b&x=1",
    "NL91 ABNA 0417 1643 01 06-12345678 5019717010103742 177016640008382",
    "",
]


def as_tuples(engine: Engine, text: str) -> list[tuple]:
    return [tuple(f.as_dict().values()) for f in engine.scan_text(text)]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_same_findings_on_edge_cases(text: str) -> None:
    assert as_tuples(Engine(b"k", backend="hyperscan"), text) == as_tuples(Engine(b"k", backend="re"), text)


def test_same_findings_on_generated_corpus() -> None:
    text = synthetic.mixed_text(random.Random(2024), 300_000, every=5)
    fast, slow = Engine(b"k", backend="hyperscan"), Engine(b"k", backend="re")
    found = as_tuples(fast, text)
    assert len(found) > 500
    assert found == as_tuples(slow, text)


def test_same_raw_matches_for_every_pattern() -> None:
    """Below the engine: every pattern's matches, not only the validated ones."""
    rnd = random.Random(9)
    noise = "".join(rnd.choices("0123456789 .-:@abcAB", k=50_000))
    text = synthetic.mixed_text(rnd, 100_000, every=3) + noise
    data = text.encode("ascii", "replace")
    engine = Engine(b"k")
    patterns = [(p.regex, p.caseless) for d in engine.detectors for p in d.PATTERNS]
    by_hs = [(i, m.span()) for i, m in Matcher(patterns, "hyperscan").find(data)]
    by_re = [(i, m.span()) for i, m in Matcher(patterns, "re").find(data)]
    assert by_hs == by_re


def test_matcher_search_is_the_patterns_own_search() -> None:
    """``Matcher.search`` swaps in the patterns without ``^`` away from offset 0."""
    rnd = random.Random(5)
    data = to_bytes("jan@example.nl 111222333 " + synthetic.mixed_text(rnd, 50_000, every=3))
    engine = Engine(b"k", backend="re")
    matcher = Matcher([(p.regex, p.caseless) for d in engine.detectors for p in d.PATTERNS], "re")
    for index, pattern in enumerate(matcher.compiled):
        found, pos = [], 0
        while (match := matcher.search(index, data, pos, len(data))) is not None:
            found.append(match.span())
            pos = max(match.end(), match.start() + 1)
        assert found == [m.span() for m in pattern.finditer(data)], pattern.pattern


def test_patterns_are_bounded_and_relaxable() -> None:
    for detector in Engine(b"k").detectors:
        for pattern in detector.PATTERNS:
            assert max_length(pattern.regex) < 10_000
            assert "(?:^|" not in relaxed(pattern.regex)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError):
        Engine(b"k", backend="pcre")


def test_segments_are_equal_whatever_the_backend() -> None:
    segment = Segment(text="naam: Jan\nbsn 111222333", path="x", base_line=10, base_column=5)
    assert Engine(b"k", backend="re").scan_segment(segment) == Engine(b"k", backend="hyperscan").scan_segment(
        segment
    )
