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
    "ras ",
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


def words_regex(words: Sequence[str]) -> re.Pattern[str] | None:
    """Words that start at a word boundary (a prefix is enough: tel -> telefoon)."""
    if not words:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)


SPECIAL_REGEX = words_regex(SPECIAL_CATEGORY_WORDS)


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
        self._positive = {id(d): words_regex(d.CONTEXT) for d in detectors}
        self._negative = {id(d): words_regex(d.NEGATIVE_CONTEXT) for d in detectors}

    def adjust(
        self, detector: Detector, text: str, start: int, end: int, confidence: float
    ) -> tuple[float, bool]:
        """The confidence after context words, and whether a CONTEXT word was near."""
        positive = self._positive[id(detector)]
        negative = self._negative[id(detector)]
        if positive is None and negative is None:
            return confidence, False
        before = text[max(0, start - CONTEXT_RADIUS) : start]
        after = text[end : end + CONTEXT_RADIUS]
        has_context = positive is not None and bool(positive.search(before) or positive.search(after))
        if has_context:
            confidence += CONTEXT_BOOST
        if negative is not None and (negative.search(before) or negative.search(after)):
            confidence -= NEGATIVE_PENALTY
        return confidence, has_context

    def severity(
        self, detector: Detector, severity: str, text: str, start: int, end: int, header: Detector | None
    ) -> str:
        window = text[max(0, start - SPECIAL_RADIUS) : start] + " " + text[end : end + SPECIAL_RADIUS]
        if SPECIAL_REGEX is not None and SPECIAL_REGEX.search(window):
            return raise_severity(severity)
        return severity
