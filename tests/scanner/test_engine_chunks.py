"""keep_before: a value crossing a chunk border is found exactly once."""

import io
import random

from dataguardian.scanner import Engine, Segment, synthetic
from dataguardian.scanner.extractors.text import iter_text

ENGINE = Engine(b"k")


def scan_in_chunks(text: str, body: int, overlap: int) -> list[tuple]:
    found = []
    line = 1
    for offset in range(0, len(text), body):
        chunk = text[offset : offset + body + overlap]
        column = offset - text.rfind("\n", 0, offset)
        segment = Segment(text=chunk, path="f", base_line=line, base_column=column, keep_before=body)
        found += [(f.entity, f.value_hash, f.line, f.column) for f in ENGINE.scan_segment(segment)]
        line += text.count("\n", offset, offset + body)
    return found


def test_value_across_border_found_once() -> None:
    text = "x" * 95 + " jan@example.nl " + "y" * 100
    whole = [(f.entity, f.value_hash, f.line, f.column) for f in ENGINE.scan_text(text)]
    assert scan_in_chunks(text, 100, 50) == whole


def test_match_starting_in_overlap_belongs_to_next_chunk() -> None:
    text = "a" * 10 + " 111222333"
    assert ENGINE.scan_segment(Segment(text=text, path="f", keep_before=11)) == []
    assert len(ENGINE.scan_segment(Segment(text=text, path="f", keep_before=12))) == 1


def test_chunked_scan_equals_whole_scan_on_corpus() -> None:
    text = synthetic.mixed_text(random.Random(3), 200_000, every=4)
    whole = [(f.entity, f.value_hash, f.line, f.column) for f in ENGINE.scan_text(text)]
    # Bodies end after a newline (as the text reader cuts them), overlap 1 KiB.
    pieces, found, start, line = [], [], 0, 1
    while start < len(text):
        cut = text.find("\n", start + 7000)
        cut = len(text) if cut < 0 else cut + 1
        pieces.append((start, cut))
        start = cut
    for start, cut in pieces:
        segment = Segment(text=text[start : cut + 1024], path="f", base_line=line, keep_before=cut - start)
        found += [(f.entity, f.value_hash, f.line, f.column) for f in ENGINE.scan_segment(segment)]
        line += text.count("\n", start, cut)
    assert found == whole


def test_chunks_report_what_the_whole_text_reports() -> None:
    """Context words, special-category words and snippets reach across chunk borders."""
    text = synthetic.mixed_text(random.Random(5), 300_000, every=3)
    whole = ENGINE.scan_text(text, path="f")
    segments = list(iter_text(io.BytesIO(text.encode()), "f", "utf-8", chunk_chars=5000, overlap_chars=1024))
    assert len(segments) > 50
    assert [f for s in segments for f in ENGINE.scan_segment(s)] == whole


def test_snippet_masks_a_value_that_belongs_to_the_next_chunk() -> None:
    body = "x " * 50 + "mail jan@example.nl en "
    segment = Segment(text=body + "piet@example.nl verder", path="f", keep_before=len(body))
    (finding,) = ENGINE.scan_segment(segment)
    assert "piet@" not in finding.context and "p***@example.nl" in finding.context


def test_text_before_the_body_gives_context_but_no_findings() -> None:
    lead = "jan@example.nl is ziek, diagnose kanker. Patient "
    text = lead + "piet@example.nl\nklaar"
    segment = Segment(text=text, path="f", keep_from=len(lead), base_column=len(lead) + 1)
    (finding,) = ENGINE.scan_segment(segment)
    assert finding == ENGINE.scan_text(text, path="f")[1]
    assert finding.masked == "p***@example.nl" and finding.severity == "high"
    assert "j***@example.nl" in finding.context
