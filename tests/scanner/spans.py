"""Engines for the detector tests, one per backend, and what they find.

``detect`` and ``scan`` run every backend that is installed (hyperscan and
``re``) and assert that they agree, so each detector table runs on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from dataguardian.scanner import Engine, Finding, Segment
from dataguardian.scanner.matcher import BACKENDS, hyperscan

INSTALLED = tuple(b for b in BACKENDS if b != "hyperscan" or hyperscan is not None)
KEY = b"test-key"


@lru_cache(maxsize=16)
def engine(backend: str, regions: tuple[str, ...] = ("NL",)) -> Engine:
    return Engine(KEY, backend=backend, phone_regions=regions)


ENGINE = engine(INSTALLED[0])


def detect(text: str, header: str | None = None, regions: Sequence[str] = ("NL",)) -> list[tuple[str, str]]:
    """(entity, value) of every value found in ``text``, the same on every backend."""
    segment = Segment(text=text, path="t.txt", header=header)
    found = [
        [(entity, text[start:end]) for entity, start, end, _ in engine(b, tuple(regions)).spans(segment)]
        for b in INSTALLED
    ]
    assert all(other == found[0] for other in found[1:]), f"backends disagree on {text!r}: {found}"
    return found[0]


def scan(text: str, path: str = "t.txt", regions: Sequence[str] = ("NL",), **where: str) -> list[Finding]:
    """The findings of ``text``, the same on every backend."""
    segment = Segment(text=text, path=path, **where)
    found = [engine(b, tuple(regions)).scan_segment(segment) for b in INSTALLED]
    assert all(other == found[0] for other in found[1:]), f"backends disagree on {text!r}"
    return found[0]
