"""Masking and keyed hashing: what may be stored and shown of a value.

The raw value is never logged or returned; callers get ``mask`` output and
``keyed_hash`` (HMAC-SHA256 under the installation's key, so equal values
can be counted and matched across scans without being readable).
"""

from __future__ import annotations

import hashlib
import hmac
from bisect import bisect_left, bisect_right
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
) -> str:
    """About ``radius`` characters each side of ``text[start:end]``.

    ``spans`` are (start, end, masked) of every detected value, sorted by
    start and not overlapping; each one that touches the window is replaced by
    its masked form (the window grows rather than cut a value in two).
    ``starts`` (the spans' starts, precomputed) makes this O(log n) per call.
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
    prefix = "…" if low > 0 else ""
    suffix = "…" if high < len(text) else ""
    return prefix + _printable(snippet).strip() + suffix



Spans = Sequence[tuple[int, int, str]]


def visible_regions(
    values: Sequence[tuple[int, int]], size: int, margin: int, radius: int = SNIPPET_RADIUS
) -> list[tuple[int, int]]:
    """The merged stretches of a text that the snippets of ``values`` (sorted
    (start, end) pairs) can show, each widened by ``margin`` so that a value
    crossing a snippet's edge is seen whole."""
    regions: list[list[int]] = []
    for start, end in values:
        low, high = max(0, start - radius - margin), min(size, end + radius + margin)
        if regions and low <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], high)
        else:
            regions.append([low, high])
    return [(low, high) for low, high in regions]


def unmasked_values(
    text: str, regions: Sequence[tuple[int, int]], spans: Spans, starts: Sequence[int],
    find: Callable[[str], Spans],
) -> list[tuple[int, int, str]]:
    """What ``find`` reports in the clear parts of ``regions`` of ``text``.

    The regions are read as one text, joined by newlines (a value found
    across two of them is dropped), with every span of ``spans`` blanked out
    by newlines too, so ``find`` runs once. Returns (start, end, masked) as
    offsets into ``text``, none of them overlapping ``spans``.
    """
    pieces: list[str] = []  # the regions, each followed by a newline
    origins: list[int] = []  # where each region starts in the joined text
    position = 0
    for low, high in regions:
        cursor = low
        for s, e, _ in spans[max(0, bisect_left(starts, low) - 1) : bisect_left(starts, high)]:
            s, e = max(s, cursor), min(e, high)
            if s < e:
                pieces += (text[cursor:s], "\n" * (e - s))
                cursor = e
        pieces += (text[cursor:high], "\n")
        origins.append(position)
        position += high - low + 1
    found: list[tuple[int, int, str]] = []
    for start, end, masked in find("".join(pieces)):
        k = bisect_right(origins, start) - 1
        low, high = regions[k]
        start, end = low + start - origins[k], low + end - origins[k]
        i = bisect_left(starts, end)
        if end > high or (i > 0 and spans[i - 1][1] > start):
            continue  # crosses into the next region or over a mask
        found.append((start, end, masked))
    return found
