"""The engine: segment text in, findings out.

Hot path: one multi-pattern scan of the segment (``matcher``). Only the
candidates it reports do Python work: right-boundary check, the detector's
validator, context scoring, overlap resolution, masking and hashing. Line
numbers are computed for findings only, in one left-to-right pass.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from dataguardian.scanner.detectors import ENTITIES, Detector, all_detectors
from dataguardian.scanner.masking import keyed_hash, masked_snippet
from dataguardian.scanner.matcher import Matcher, default_backend, to_bytes
from dataguardian.scanner.scoring import SPECIAL_PATTERN, ContextScorer, header_detector
from dataguardian.scanner.types import Finding, Segment

HEADER_VALUE_CONFIDENCE = 0.8
MAX_HEADER_VALUE = 500


@dataclass(slots=True)
class Candidate:
    detector: Detector
    start: int
    end: int
    confidence: float


@lru_cache(maxsize=4)
def shared_matcher(
    backend: str,
) -> tuple[list[Detector], list[tuple[Detector, bool, frozenset[int]]], Matcher]:
    """Detectors, per-pattern facts and the compiled matcher: built once per process.

    The last pattern is no detector's: it marks special-category words.
    """
    detectors = all_detectors()
    table: list[tuple[Detector, bool, frozenset[int]]] = []
    patterns: list[tuple[str, bool]] = []
    for detector in detectors:
        trail = re.compile(f"[{detector.TRAIL}]".encode()) if detector.TRAIL else None
        trail_bytes = frozenset(b for b in range(256) if trail and trail.match(bytes([b])))
        for pattern in detector.PATTERNS:
            table.append((detector, pattern.context_required, trail_bytes))
            patterns.append((pattern.regex, pattern.caseless))
    patterns.append((SPECIAL_PATTERN, True))
    return detectors, table, Matcher(patterns, backend)


class Engine:
    """Finds personal data and secrets in text; never returns a raw value.

    ``hash_key`` keys the HMAC of each value; ``entities`` limits what is
    reported (all entities are still detected, so a snippet never shows an
    unreported value in clear); ``backend`` is ``"hyperscan"`` or ``"re"``
    (default: hyperscan when it imports).
    """

    def __init__(
        self,
        hash_key: bytes,
        entities: set[str] | None = None,
        min_confidence: float = 0.0,
        backend: str | None = None,
    ) -> None:
        unknown = set(entities or ()) - ENTITIES
        if unknown:
            raise ValueError(f"unknown entities: {', '.join(sorted(unknown))}")
        self.hash_key = hash_key
        self.entities = frozenset(entities) if entities else None
        self.min_confidence = min_confidence
        self.backend = backend or default_backend()
        self.detectors, self._table, self._matcher = shared_matcher(self.backend)
        self._pattern_scores = [p.score for d in self.detectors for p in d.PATTERNS]
        self._scorer = ContextScorer(self.detectors)
        self._headers: dict[str, Detector | None] = {}

    def scan_text(self, text: str, path: str = "<text>") -> list[Finding]:
        return self.scan_segment(Segment(text=text, path=path))

    def scan_segment(self, segment: Segment) -> list[Finding]:
        """The findings in one segment, in text order."""
        if not segment.text:
            return []
        return self._findings(segment, *self._resolved(segment))

    def spans(self, segment: Segment) -> list[tuple[str, int, int, float]]:
        """(entity, start, end, confidence) of what ``scan_segment`` reports.

        Offsets into the caller's own text, for tests and accuracy measures;
        unlike findings they are not filtered by ``entities``/``min_confidence``.
        """
        return [(c.detector.ENTITY, c.start, c.end, c.confidence) for c in self._resolved(segment)[0]
                if _kept(segment, c.start)]

    def _resolved(self, segment: Segment) -> tuple[list[Candidate], list[int]]:
        """Non-overlapping candidates, and where special-category words are."""
        text = segment.text
        if not text:
            return [], []
        header = self._header_detector(segment.header) if segment.header else None
        special: list[int] = []
        candidates = self._candidates(text, header, special)
        if header is not None and header.HEADER_VALUE:
            self._add_header_value(text, header, candidates)
        return resolve_overlaps(candidates), special

    def _header_detector(self, header: str) -> Detector | None:
        if header not in self._headers:
            if len(self._headers) > 10_000:
                self._headers.clear()
            self._headers[header] = header_detector(header, self.detectors)
        return self._headers[header]

    def _candidates(self, text: str, header: Detector | None, special: list[int]) -> list[Candidate]:
        """Every validated value in ``text``, overlaps included; values outside
        the segment's window stay in, to be resolved and masked like the rest."""
        data = to_bytes(text)
        size = len(data)
        candidates: list[Candidate] = []
        marker = len(self._table)
        for index, match in self._matcher.find(data):
            if index == marker:
                special.append(match.end())
                continue
            start, end = match.span("v")
            detector, context_required, trail = self._table[index]
            if end < size and data[end] in trail and match.end() == end:
                # glued to more text: only a shrinkable value may give up its tail
                if not detector.SHRINK:
                    continue
                end = start + detector.drop_last_group(text[start:end], end - start)
            if not detector.followed_ok(text, end):
                continue
            end = detector.extend(text, start, end)
            try:
                length = detector.accept(text[start:end])
            except Exception:  # noqa: BLE001 - a validator must never stop a scan
                length = 0
            if not length:
                continue
            end = start + length
            value = text[start:end]
            confidence = self._pattern_scores[index] + detector.confidence_delta(value)
            confidence, has_context = self._scorer.adjust(detector, text, start, end, confidence)
            if detector is header:
                confidence, has_context = confidence + self._scorer.header_boost, True
            if context_required and not has_context:
                continue
            candidates.append(Candidate(detector, start, end, min(1.0, max(0.05, confidence))))
        return candidates

    def _add_header_value(self, text: str, header: Detector, candidates: list[Candidate]) -> None:
        if any(c.detector is header for c in candidates):
            return
        value = text.strip()
        if not value or len(value) > MAX_HEADER_VALUE:
            return
        if not re.fullmatch(header.HEADER_VALUE, value) or not header.validate(value):
            return
        start = text.index(value)
        candidates.append(Candidate(header, start, start + len(value), HEADER_VALUE_CONFIDENCE))

    def _findings(self, segment: Segment, chosen: list[Candidate], special: list[int]) -> list[Finding]:
        text = segment.text
        masks = [(c.start, c.end, c.detector.mask(text[c.start : c.end])) for c in chosen]
        starts = [c.start for c in chosen]
        findings: list[Finding] = []
        line = segment.base_line
        cursor, last_newline = segment.keep_from, -1
        for candidate, (start, end, masked) in zip(chosen, masks, strict=True):
            if not _kept(segment, start):
                continue
            if line is not None:
                line += text.count("\n", cursor, start)
                newline = text.rfind("\n", cursor, start)
                last_newline = newline if newline >= 0 else last_newline
                cursor = start
            if self.entities is not None and candidate.detector.ENTITY not in self.entities:
                continue
            if candidate.confidence < self.min_confidence:
                continue
            detector = candidate.detector
            value = text[start:end]
            column = None
            if line is not None:
                column = (segment.base_column + start - segment.keep_from if last_newline < 0
                          else start - last_newline)
            severity = self._scorer.severity(
                detector.severity_for(value), start, end, segment.header, special
            )
            findings.append(
                Finding(
                    entity=detector.ENTITY,
                    severity=severity,
                    category=detector.CATEGORY,
                    confidence=round(candidate.confidence, 2),
                    path=segment.path,
                    masked=masked,
                    value_hash=keyed_hash(self.hash_key, detector.normalise(value)),
                    context=masked_snippet(text, start, end, masks, starts=starts),
                    line=line,
                    column=column,
                    sheet=segment.sheet,
                    cell=segment.cell,
                    table=segment.table,
                    column_name=segment.column_name,
                    row_key=segment.row_key,
                    row_key_hash=segment.row_key_hash,
                )
            )
        return findings


def _kept(segment: Segment, start: int) -> bool:
    """Whether a value starting at ``start`` is this segment's to report."""
    return segment.keep_from <= start and (segment.keep_before is None or start < segment.keep_before)


def resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Keep non-overlapping candidates, preferring higher priority, then longer,
    then more confident ones (a card number's digits are not also a phone
    number or a BSN). Returns them sorted by start."""
    ranked = sorted(
        candidates,
        key=lambda c: (-c.detector.PRIORITY, c.start - c.end, -c.confidence, c.start),
    )
    starts: list[int] = []
    kept: list[Candidate] = []
    for candidate in ranked:
        i = bisect_left(starts, candidate.start)
        if i > 0 and kept[i - 1].end > candidate.start:
            continue
        if i < len(kept) and kept[i].start < candidate.end:
            continue
        starts.insert(i, candidate.start)
        kept.insert(i, candidate)
    return kept
