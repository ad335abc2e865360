"""Masking and keyed hashing: what may be stored and shown of a value.

The raw value is never logged or returned; callers get ``mask`` output and
``keyed_hash`` (HMAC-SHA256 under the installation's key, so equal values
can be counted and matched across scans without being readable).
"""

from __future__ import annotations

import hashlib
import hmac
from bisect import bisect_left
from collections.abc import Callable, Sequence

SNIPPET_RADIUS = 40


def keyed_hash(key: bytes, normalised_value: str) -> str:
    """HMAC-SHA256 of the normalised value under ``key``, as hex."""
    return hmac.digest(key, normalised_value.encode("utf-8", "surrogatepass"), hashlib.sha256).hex()


def mask_key(text: str) -> str:
    """A row key as it may be shown: stars, and at most its last 4 characters.

    A primary key is often personal data (a BSN, an e-mail address) or a
    secret (a session key), so it is masked like a found value: nothing of a
    key under 6 characters, the last 2 of one under 16, the last 4 beyond;
    at most 12 stars. Rows are matched by their keyed hash, not by this.
    """
    shown = 0 if len(text) < 6 else 2 if len(text) < 16 else 4
    return "*" * min(len(text) - shown, 12) + (text[-shown:] if shown else "")


WHITESPACE = str.maketrans("\r\n\t\f\v", "     ")


def _printable(text: str) -> str:
    return text.translate(WHITESPACE)


def masked_snippet(
    text: str,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int, str]],
    radius: int = SNIPPET_RADIUS,
    starts: Sequence[int] | None = None,
    guard: Callable[[str], Sequence[tuple[int, int, str]]] | None = None,
) -> str:
    """About ``radius`` characters each side of ``text[start:end]``.

    ``spans`` are (start, end, masked) of every detected value, sorted by
    start and not overlapping; each one that touches the window is replaced by
    its masked form (the window grows rather than cut a value in two).
    ``starts`` (the spans' starts, precomputed) makes this O(log n) per call.
    ``guard`` is the last check: it gets the snippet with every mask blanked
    out (newlines, which no value crosses) and returns (start, end, masked)
    of anything else in it that must not be shown; those are masked too.
    """
    low, high = max(0, start - radius), min(len(text), end + radius)
    if starts is None:
        starts = [span[0] for span in spans]
    first = max(0, bisect_left(starts, low) - 1)
    last = bisect_left(starts, high, lo=first)
    inside = [span for span in spans[first:last] if span[1] > low]
    if inside:
        low = min(low, inside[0][0])
        high = max(high, max(span[1] for span in inside))
    pieces: list[str] = []
    cursor = low
    for s, e, masked in inside:
        pieces.append(text[cursor:s])
        pieces.append(masked)
        cursor = e
    pieces.append(text[cursor:high])
    snippet = "".join(pieces)
    if guard is not None:
        snippet = _guarded(snippet, pieces, guard)
    prefix = "…" if low > 0 else ""
    suffix = "…" if high < len(text) else ""
    return prefix + _printable(snippet).strip() + suffix


def _guarded(snippet: str, pieces: list[str], guard: Callable[[str], Sequence[tuple[int, int, str]]]) -> str:
    """``snippet`` with whatever ``guard`` finds outside its masks masked.

    ``pieces`` alternate clear text and masks, so the text the guard reads is
    the snippet with each mask blanked out at the same offsets.
    """
    probe = "".join(piece if i % 2 == 0 else "\n" * len(piece) for i, piece in enumerate(pieces))
    found = guard(probe)
    if not found:
        return snippet
    out: list[str] = []
    cursor = 0
    for start, end, masked in found:
        out.append(snippet[cursor:start])
        out.append(masked)
        cursor = end
    out.append(snippet[cursor:])
    return "".join(out)
