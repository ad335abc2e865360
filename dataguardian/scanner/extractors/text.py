"""Plain text in any encoding, read in bounded chunks with an overlap.

Each chunk becomes one Segment: its own text (the *body*) followed by up to
``overlap`` characters of the next chunk, with ``keep_before`` set to the
body's length. The engine keeps only matches that start inside the body, so
a value crossing a chunk border is found once, in the chunk where it starts.
Bodies are cut after a newline where one is near (else after a space), so
the next chunk starts at a line start and never in the middle of a value.
Source code and logs are read the same way.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dataguardian.scanner.types import Segment

CHUNK_CHARS = 4 * 1024 * 1024
OVERLAP_CHARS = 4 * 1024
READ_BYTES = 1024 * 1024


@dataclass(slots=True)
class TextStats:
    """Filled in while reading: how many newlines the body held."""

    newlines: int = 0


def iter_text(
    stream: BinaryIO,
    path: str,
    encoding: str,
    *,
    body_bytes: int | None = None,
    chunk_chars: int = CHUNK_CHARS,
    overlap_chars: int = OVERLAP_CHARS,
    stats: TextStats | None = None,
) -> Iterator[Segment]:
    """Decode ``stream`` and yield it as overlapping Segments.

    ``body_bytes`` bounds the part of the stream that belongs to this call
    (a byte range of a larger file); what follows it is read only as
    lookahead for the last chunk. Undecodable bytes become U+FFFD.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    stats = stats if stats is not None else TextStats()
    line, column = 1, 1
    buffer = ""
    remaining = body_bytes
    while True:
        size = READ_BYTES if remaining is None else min(READ_BYTES, remaining)
        raw = stream.read(size) if size else b""
        if remaining is not None:
            remaining -= len(raw)
        final = not raw
        buffer += decoder.decode(raw, final=final)
        while len(buffer) >= chunk_chars + overlap_chars:
            cut = _cut_point(buffer, chunk_chars)
            body = buffer[:cut]
            yield Segment(
                text=buffer[: cut + overlap_chars],
                path=path,
                base_line=line,
                base_column=column,
                keep_before=cut,
            )
            line, column = _advance(body, line, column)
            buffer = buffer[cut:]
        if final:
            break
    lookahead = ""
    if body_bytes is not None:
        tail = stream.read(overlap_chars)
        lookahead = codecs.decode(tail, encoding, errors="replace")[:overlap_chars]
    end_line, _ = _advance(buffer, line, column)
    stats.newlines = end_line - 1
    if buffer:
        yield Segment(
            text=buffer + lookahead,
            path=path,
            base_line=line,
            base_column=column,
            keep_before=len(buffer) if lookahead else None,
        )


def text_segments(data: bytes, path: str, encoding: str) -> Iterator[Segment]:
    """The same as :func:`iter_text` for bytes already in memory."""
    return iter_text(io.BytesIO(data), path, encoding)


def _cut_point(buffer: str, chunk_chars: int) -> int:
    """Where the body ends: after the last newline (or space) near the limit."""
    floor = chunk_chars // 2
    newline = buffer.rfind("\n", floor, chunk_chars)
    if newline >= 0:
        return newline + 1
    space = max(buffer.rfind(" ", floor, chunk_chars), buffer.rfind("\t", floor, chunk_chars))
    if space >= 0:
        return space + 1
    return chunk_chars


def _advance(body: str, line: int, column: int) -> tuple[int, int]:
    """Line and column just after ``body`` when it starts at (line, column)."""
    newlines = body.count("\n")
    if not newlines:
        return line, column + len(body)
    return line + newlines, len(body) - body.rfind("\n")
