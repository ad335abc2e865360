"""Plain text: encodings, bad bytes, chunk borders and bounded memory."""

from __future__ import annotations

import codecs
import io
import tracemalloc

import pytest

from dataguardian.scanner.extractors import detect_kind
from dataguardian.scanner.extractors.encoding import detect_encoding, looks_binary
from dataguardian.scanner.extractors.text import TextStats, iter_text
from dataguardian.scanner.types import Segment


def findings(engine, data: bytes, encoding: str | None = None, **kwargs):
    encoding = encoding or detect_encoding(data[:65536])
    return [f for s in iter_text(io.BytesIO(data), "f.txt", encoding, **kwargs)
            for f in engine.scan_segment(s)]


@pytest.mark.parametrize(("text", "codec"), [
    ("Mail naar jörg.müller@example.de — bedankt", "utf-8"),
    ("Mail naar jorg@example.de, groeten, Ä Ö Ü café", "cp1252"),
    ("Mail naar jorg@example.de", "utf-16"),
    ("Mail naar jorg@example.de", "utf-16-le"),
    ("\ufeffMail naar jorg@example.de", "utf-8"),
])
def test_encodings_are_detected_and_positions_kept(email_engine, text, codec):
    data = text.encode(codec)
    found = findings(email_engine, data)
    assert len(found) == 1
    assert found[0].line == 1
    assert found[0].column == text.lstrip("\ufeff").index(found[0].masked[0]) + 1


def test_invalid_utf8_never_crashes(email_engine):
    data = b"ok jan@example.nl\n\xff\xfe\xc3\x28 broken \x80\x81\nnext piet@example.nl\n"
    found = findings(email_engine, data, "utf-8")
    assert [(f.line, f.column) for f in found] == [(1, 4), (3, 6)]
    assert findings(email_engine, data)  # detection on bad bytes works too


def test_binary_garbage_is_detected():
    import random

    garbage = random.Random(1).randbytes(4096)
    assert looks_binary(garbage)
    assert detect_kind(garbage, "blob.txt") == "binary"
    assert not looks_binary("gewone tekst\n".encode("utf-16"))
    assert not looks_binary(b"plain text\twith tabs\r\n")


def test_value_crossing_a_chunk_border_is_found_exactly_once(email_engine):
    # one long line of words: no newline near the border, so cuts fall mid-line
    filler = "word " * 40
    text = "".join(f"{filler}user{i}@example.nl " for i in range(200))
    expected = {(f.line, f.column, f.masked)
                for f in email_engine.scan_segment(Segment(text=text, path="f.txt"))}
    for chunk in (97, 128, 251, 1000):
        found = findings(email_engine, text.encode(), "utf-8", chunk_chars=chunk, overlap_chars=64)
        got = [(f.line, f.column, f.masked) for f in found]
        assert len(got) == len(set(got)) == 200, chunk
        assert set(got) == expected


def test_positions_across_chunks_with_lines(email_engine):
    lines = [f"line {n} " + (f"mail{n}@example.nl" if n % 7 == 0 else "nothing") for n in range(1, 2000)]
    text = "\r\n".join(lines) + "\n"
    found = findings(email_engine, text.encode(), "utf-8", chunk_chars=300, overlap_chars=40)
    got = sorted((f.line, f.column) for f in found)
    want = sorted((n, len(f"line {n} ") + 1) for n in range(1, 2000) if n % 7 == 0)
    assert got == want


def test_multibyte_characters_split_by_reads_decode_cleanly(email_engine):
    text = ("é" * 9 + " ") * 100_001 + "€ jan@example.nl"
    found = findings(email_engine, text.encode("utf-8"), "utf-8")
    assert [f.column for f in found] == [1_000_013]


def test_stats_count_lines_of_the_body_only():
    stats = TextStats()
    stream = io.BytesIO(b"a\nb\nc\nlookahead\nmore\n")
    list(iter_text(stream, "f", "utf-8", body_bytes=6, stats=stats))
    assert stats.newlines == 3


def test_memory_stays_bounded_on_a_big_file(tmp_path):
    path = tmp_path / "big.log"
    line = b"2024-01-01 12:00:00 INFO request from user@example.nl served in 12ms\n"
    with open(path, "wb") as handle:
        block = line * 16384
        for _ in range(64 * 1024 * 1024 // len(block)):
            handle.write(block)
    size = path.stat().st_size
    count = 0
    tracemalloc.start()
    try:
        with open(path, "rb") as handle:
            for segment in iter_text(handle, str(path), "utf-8"):
                count += segment.text.count("@", segment.keep_from, segment.keep_before)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == size // len(line)
    assert peak < 48 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB for a {size / 2**20:.0f} MiB file"


def test_detect_encoding_falls_back_for_legacy_bytes():
    sample = "Geachte heer Müller, uw adres is Straße 5".encode("latin-1")
    assert codecs.lookup(detect_encoding(sample)).name in {"cp1252", "latin-1", "iso8859-1",
                                                           "iso8859-15", "cp1250"}
