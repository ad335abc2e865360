"""Context scoring: words near a candidate, column headers, special categories.

* A detector's CONTEXT word within ``CONTEXT_RADIUS`` characters raises the
  confidence by ``CONTEXT_BOOST``; a NEGATIVE_CONTEXT word (``order``,
  ``factuur``) lowers it by ``NEGATIVE_PENALTY``.
* A column header naming the detector's entity raises it by ``HEADER_BOOST``
  and counts as context.
* Special-category words (health, religion, ethnicity, ... GDPR art. 9)
  within ``SPECIAL_RADIUS`` characters, or in the header, raise the
  severity one step.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from dataguardian.scanner.detectors.base import Detector, raise_severity

CONTEXT_RADIUS = 60
SPECIAL_RADIUS = 200
CONTEXT_BOOST = 0.3
NEGATIVE_PENALTY = 0.3
HEADER_BOOST = 0.3

SPECIAL_CATEGORY_WORDS = (
    "medisch",
    "medical",
    "diagnose",
    "diagnosis",
    "patiënt",
    "patient",
    "ziekte",
    "disease",
    "behandeling",
    "treatment",
    "medicatie",
    "medication",
    "zorgdossier",
    "gezondheid",
    "health",
    "hiv",
    "zwanger",
    "pregnan",
    "psychiatr",
    "therapie",
    "religie",
    "religion",
    "geloof",
    "kerk",
    "moskee",
    "etniciteit",
    "ethnicity",
    "race",
    "vakbond",
    "trade union",
    "seksuele",
    "sexual orientation",
    "politieke",
    "political opinion",
    "strafblad",
    "criminal record",
    "biometri",
    "genetic",
)
# Header words that make a column *not* about a person although a token
# matches (``file_name``, ``bedrijfsnaam`` -> no PERSON).
HEADER_STOP_TOKENS = frozenset(
    {
        "file",
        "bestand",
        "bedrijf",
        "bedrijfs",
        "company",
        "product",
        "host",
        "server",
        "domain",
        "table",
        "column",
        "display",
        "app",
        "project",
        "user",
        "gebruikers",
        "brand",
        "merk",
    }
)


# bytes.translate table: ASCII letters lower-cased, everything but letters and digits a space.
NON_WORD = bytes(
    (b | 0x20) if chr(b).isalpha() and b < 128 else b if chr(b).isdigit() and b < 128 else 32
    for b in range(256)
)


def normalised(text: str) -> bytes:
    """Lower-case ASCII with punctuation as spaces; other characters kept as ``?``.

    Non-ASCII letters (``ë`` in ``patiënt``) are UTF-8 encoded first so they
    still match a needle that holds them.
    """
    return (
        text.encode("utf-8", "replace").translate(NON_WORD)
        if not text.isascii()
        else (text.encode("ascii").translate(NON_WORD))
    )


class WordSet:
    """Words to look for near a candidate, matched at the start of a word.

    Plain substring tests on a lower-cased, punctuation-free window: C speed,
    no regular expression per candidate (``tel`` finds ``telefoon``, not
    ``hotel``).
    """

    def __init__(self, words: Sequence[str]) -> None:
        self.needles = tuple(b" " + normalised(w).strip() for w in words)

    def __bool__(self) -> bool:
        return bool(self.needles)

    def found(self, window: str) -> bool:
        haystack = b" " + normalised(window)
        for needle in self.needles:
            if needle in haystack:
                return True
        return False


SPECIAL_WORDS = WordSet(SPECIAL_CATEGORY_WORDS)
# The same words as one pattern for the matcher, so their places in a segment
# come out of the one scan (the engine reads the text as ASCII, ``ë`` as ``?``).
SPECIAL_PATTERN = (
    "(?:^|[^A-Za-z])(?:"
    + "|".join(
        re.escape(word).replace("\\ ", "[ _-]").replace("ë", "[e?]") for word in SPECIAL_CATEGORY_WORDS
    )
    + ")"
)


def header_tokens(header: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", header)
    return [t for t in re.split(r"[^0-9a-z]+", spaced.lower()) if t]


def header_detector(header: str | None, detectors: Sequence[Detector]) -> Detector | None:
    """The detector whose entity a column header names, if any."""
    if not header:
        return None
    tokens = header_tokens(header)
    whole = "".join(tokens)
    for detector in detectors:
        if whole in detector.HEADERS:
            return detector
    if HEADER_STOP_TOKENS.intersection(tokens):
        return None
    for detector in detectors:
        if any(token in detector.HEADERS for token in tokens):
            return detector
    return None


class ContextScorer:
    """Pre-compiled context word lists of every detector."""

    header_boost = HEADER_BOOST

    def __init__(self, detectors: Sequence[Detector]) -> None:
        self._positive = {id(d): WordSet(d.CONTEXT) for d in detectors}
        self._negative = {id(d): WordSet(d.NEGATIVE_CONTEXT) for d in detectors}

    def adjust(
        self, detector: Detector, text: str, start: int, end: int, confidence: float
    ) -> tuple[float, bool]:
        """The confidence after context words, and whether a CONTEXT word was near."""
        positive = self._positive[id(detector)]
        negative = self._negative[id(detector)]
        if not positive and not negative:
            return confidence, False
        window = f"{text[max(0, start - CONTEXT_RADIUS) : start]} {text[end : end + CONTEXT_RADIUS]}"
        has_context = positive.found(window)
        if has_context:
            confidence += CONTEXT_BOOST
        if negative.found(window):
            confidence -= NEGATIVE_PENALTY
        return confidence, has_context

    def severity(
        self, severity: str, start: int, end: int, header: str | None, special: Sequence[int]
    ) -> str:
        """One step up when a special-category word is near or in the header.

        ``special`` holds the sorted offsets where SPECIAL_PATTERN matched.
        """
        i = bisect_left(special, start - SPECIAL_RADIUS)
        if (i < len(special) and special[i] <= end + SPECIAL_RADIUS) or (
            header and SPECIAL_WORDS.found(header)
        ):
            return raise_severity(severity)
        return severity
