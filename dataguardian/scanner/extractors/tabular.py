"""CSV and TSV: one Segment per non-empty cell, carrying its column's header.

The dialect is sniffed from the first 64 KiB; rows are streamed, so a large
CSV never sits in memory. A cell's location is its row's line in the file
and its column's name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from dataguardian.scanner.types import Segment, SourceError

SNIFF_CHARS = 64 * 1024
csv.field_size_limit(16 * 1024 * 1024)


def iter_csv(
    stream: BinaryIO, path: str, encoding: str, *, tab_default: bool = False
) -> Iterator[Segment | SourceError]:
    """Yield a Segment per cell; the first row names the columns if it looks like a header."""
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    sample = text.read(SNIFF_CHARS)
    dialect, has_header = _sniff(sample, tab_default)
    lines = _chained_lines(sample, text)
    reader = csv.reader(lines, dialect)
    header: list[str] | None = None
    start_line = 1
    try:
        for row in reader:
            if header is None and has_header:
                header = [name.strip() for name in row]
                start_line = reader.line_num + 1
                continue
            for index, value in enumerate(row):
                if not value.strip():
                    continue
                name = header[index] if header and index < len(header) else None
                yield Segment(
                    text=value,
                    path=path,
                    base_line=start_line,
                    header=name or None,
                    column_name=name or f"column {index + 1}",
                )
            start_line = reader.line_num + 1
    except csv.Error as exc:
        yield SourceError(path, f"malformed CSV near line {reader.line_num}: {exc}")


def _sniff(sample: str, tab_default: bool) -> tuple[type[csv.Dialect] | csv.Dialect, bool]:
    fallback: type[csv.Dialect] = csv.excel_tab if tab_default else csv.excel
    sniffer = csv.Sniffer()
    head = sample[: sample.rfind("\n") + 1] or sample
    try:
        dialect: type[csv.Dialect] | csv.Dialect = sniffer.sniff(head, delimiters=",;\t|")
    except csv.Error:
        dialect = fallback
    first = next(csv.reader(io.StringIO(head), dialect), [])
    return dialect, _looks_like_header(first)


def _looks_like_header(row: list[str]) -> bool:
    """A header row has names: no empty cells, no cell with digits or '@'."""
    cells = [cell.strip() for cell in row]
    if not cells or any(not cell for cell in cells):
        return False
    return not any(any(ch.isdigit() or ch == "@" for ch in cell) for cell in cells)


def _chained_lines(sample: str, rest: io.TextIOBase) -> Iterator[str]:
    """Lines of an already-read sample followed by the rest of the text stream."""
    lines = list(io.StringIO(sample, newline=""))
    pending = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
    yield from lines
    for line in rest:
        yield pending + line
        pending = ""
    if pending:
        yield pending
