"""keep_before: a value crossing a chunk border is found exactly once."""

import random

from dataguardian.scanner import Engine, Segment, synthetic

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
