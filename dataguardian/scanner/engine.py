"""The engine: segment text in, findings out.

Hot path: one multi-pattern scan of the segment (``matcher``). Only the
candidates it reports do Python work: right-boundary check, the detector's
validator, context scoring, overlap resolution, masking and hashing. Line
numbers are computed for findings only, in one left-to-right pass. Each
pattern's search resumes where its last candidate really ended (after a
trim), so a candidate never swallows the start of the next value. What
leaves the engine is checked once more: the text its snippets show (with
the values found blanked out) and every location string taken from the
source (path, sheet, JSON path, table, column) are searched again with the
same matcher, and any value found there is masked too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from dataguardian.scanner.detectors import ENTITIES, Detector, all_detectors
from dataguardian.scanner.detectors.phone import DEFAULT_REGIONS, parse_regions
from dataguardian.scanner.masking import keyed_hash, masked_snippet, unmasked_values, visible_regions
from dataguardian.scanner.matcher import Matcher, default_backend, to_bytes
from dataguardian.scanner.scoring import SPECIAL_PATTERN, ContextScorer, header_detector
from dataguardian.scanner.types import Finding, Segment

HEADER_VALUE_CONFIDENCE = 0.8
MAX_HEADER_VALUE = 500
MAX_CACHED_LOCATIONS = 10_000
# How far past a snippet's edge the last check reads, so a value crossing the edge is seen whole.
GUARD_MARGIN = 64


@dataclass(slots=True)
class Candidate:
    detector: Detector
    start: int
    end: int
    confidence: float
    # False for a decoy: a value of the detector's shape that fails its check
    # (a mistyped IBAN). It is masked and wins overlaps, but is not reported.
    reported: bool = True


@lru_cache(maxsize=4)
def shared_matcher(
    backend: str, phone_regions: tuple[str, ...] = DEFAULT_REGIONS,
) -> tuple[list[Detector], list[tuple[Detector, bool, frozenset[int]]], Matcher]:
    """Detectors, per-pattern facts and the compiled matcher: built once per
    process and set of phone regions.

    The last pattern is no detector's: it marks special-category words.
    """
    detectors = all_detectors(phone_regions=phone_regions)
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
    (default: hyperscan when it imports); ``phone_regions`` lists the
    regions (ISO 3166 codes, in order of preference) whose national phone
    formats are read; numbers with ``+`` or ``00`` are read for every region.
    """

    def __init__(
        self,
        hash_key: bytes,
        entities: set[str] | None = None,
        min_confidence: float = 0.0,
        backend: str | None = None,
        phone_regions: Sequence[str] | None = None,
    ) -> None:
        unknown = set(entities or ()) - ENTITIES
        if unknown:
            raise ValueError(f"unknown entities: {', '.join(sorted(unknown))}")
        self.hash_key = hash_key
        self.entities = frozenset(entities) if entities else None
        self.min_confidence = min_confidence
        self.backend = backend or default_backend()
        self.phone_regions = parse_regions(phone_regions) if phone_regions else DEFAULT_REGIONS
        self.detectors, self._table, self._matcher = shared_matcher(self.backend, self.phone_regions)
        self._pattern_scores = [p.score for d in self.detectors for p in d.PATTERNS]
        self._scorer = ContextScorer(self.detectors)
        self._headers: dict[str, Detector | None] = {}
        self._locations: dict[str, str] = {}

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
                if c.reported and _kept(segment, c.start)]

    def value_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, masked) of every value a detector would report in ``text``.

        The last check on what leaves the engine: context snippets, and the
        location strings a source provides. No context word is needed here,
        and no value is left out for its entity or confidence.
        """
        chosen = resolve_overlaps(self._candidates(text, None, None)) if text else []
        return [(c.start, c.end, c.detector.mask(text[c.start : c.end])) for c in chosen]

    def mask_values(self, text: str) -> str:
        """``text`` with every value a detector would report in it masked."""
        pieces: list[str] = []
        cursor = 0
        for start, end, masked in self.value_spans(text):
            pieces += (text[cursor:start], masked)
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces)

    def mask_location(self, text: str | None) -> str | None:
        """A location string from the source (a path, sheet, JSON path, table or
        column name) with any value in it masked; cached, as locations repeat."""
        if not text:
            return text
        masked = self._locations.get(text)
        if masked is None:
            if len(self._locations) >= MAX_CACHED_LOCATIONS:
                self._locations.clear()
            masked = self._locations[text] = self.mask_values(text)
        return masked

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

    def _candidates(
        self, text: str, header: Detector | None, special: list[int] | None
    ) -> list[Candidate]:
        """Every validated value in ``text``, overlaps included; values outside
        the segment's window stay in, to be resolved and masked like the rest.

        With ``special`` None (the check of what leaves the engine) context is
        not scored and no value needs a context word: any value of a
        detector's shape that passes its check is a candidate.
        """
        data = to_bytes(text)
        candidates: list[Candidate] = []
        marker = len(self._table)
        matcher = self._matcher
        resume = [0] * marker
        for index, low, high in matcher.windows(data):
            if index == marker:
                if special is not None:
                    special.extend(m.end() for m in matcher.compiled[index].finditer(data, low, high))
                continue
            pos = max(low, resume[index])
            # Matcher.search, unrolled: the pattern as written only at offset 0
            search = matcher.unanchored[index].search
            match = matcher.search(index, data, 0, high) if pos == 0 else search(data, pos, high)
            while match is not None:
                pos = self._candidate(text, data, index, match, header, special, candidates)
                match = search(data, pos, high)
            resume[index] = pos
        return candidates

    def _candidate(
        self, text: str, data: bytes, index: int, match: re.Match[bytes], header: Detector | None,
        special: list[int] | None, candidates: list[Candidate],
    ) -> int:
        """Check one match; add it to ``candidates`` if it holds a value.

        Returns where this pattern's search goes on: the value's real end
        when one was taken, else the character after the match's start.
        """
        start, end = match.span("v")
        detector, context_required, trail = self._table[index]
        if end < len(data) and data[end] in trail and match.end() == end:
            # glued to more text: only a shrinkable value may give up its tail
            if not detector.SHRINK:
                return match.start() + 1
            end = start + detector.drop_last_group(text[start:end], end - start)
        start, end = detector.bounds(text, start, end)
        if not detector.stands_alone(text, start, end):
            return match.start() + 1
        value = text[start:end]
        try:
            length = detector.accept(value)
            decoy = 0 if length or not detector.DECOYS else detector.decoy_length(value)
        except Exception:  # noqa: BLE001 - a validator must never stop a scan
            length = decoy = 0
        if decoy:
            candidates.append(Candidate(detector, start, start + decoy, 0.0, reported=False))
            return start + decoy
        if not length:
            return match.start() + 1
        end = start + length
        if special is None:
            candidates.append(Candidate(detector, start, end, 1.0))
            return end
        value = text[start:end]
        confidence = self._pattern_scores[index] + detector.confidence_delta(value)
        confidence, has_context = self._scorer.adjust(detector, text, start, end, confidence)
        if detector is header:
            confidence, has_context = confidence + self._scorer.header_boost, True
        if context_required and not has_context:
            return match.start() + 1
        candidates.append(Candidate(detector, start, end, min(1.0, max(0.05, confidence))))
        return end

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

    def _reported(self, segment: Segment, candidate: Candidate) -> bool:
        return (
            candidate.reported
            and _kept(segment, candidate.start)
            and (self.entities is None or candidate.detector.ENTITY in self.entities)
            and candidate.confidence >= self.min_confidence
        )

    def _masks(
        self, text: str, chosen: list[Candidate], reported: list[Candidate]
    ) -> list[tuple[int, int, str]]:
        """(start, end, masked) of every value to hide in snippets: the chosen
        ones, and whatever the last check finds in the clear text that the
        snippets of ``reported`` can show."""
        masks = [(c.start, c.end, c.detector.mask(text[c.start : c.end])) for c in chosen]
        if not reported:
            return masks
        regions = visible_regions([(c.start, c.end) for c in reported], len(text), GUARD_MARGIN)
        starts = [c.start for c in chosen]
        unseen = unmasked_values(text, regions, masks, starts, self.value_spans)
        return sorted(masks + unseen) if unseen else masks

    def _findings(self, segment: Segment, chosen: list[Candidate], special: list[int]) -> list[Finding]:
        text = segment.text
        reported = [c for c in chosen if self._reported(segment, c)]
        masks = self._masks(text, chosen, reported)
        starts = [start for start, _, _ in masks]
        findings: list[Finding] = []
        line = segment.base_line
        cursor, last_newline = segment.keep_from, -1
        location = self.mask_location
        wanted = iter(reported)
        next_reported = next(wanted, None)
        for candidate in chosen:
            start, end = candidate.start, candidate.end
            if not candidate.reported or not _kept(segment, start):
                continue
            if line is not None:
                line += text.count("\n", cursor, start)
                newline = text.rfind("\n", cursor, start)
                last_newline = newline if newline >= 0 else last_newline
                cursor = start
            if candidate is not next_reported:
                continue
            next_reported = next(wanted, None)
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
                    path=location(segment.path),
                    masked=masks[bisect_left(starts, start)][2],
                    value_hash=keyed_hash(self.hash_key, detector.normalise(value)),
                    context=masked_snippet(text, start, end, masks, starts=starts),
                    line=line,
                    column=column,
                    sheet=location(segment.sheet),
                    cell=location(segment.cell),
                    table=location(segment.table),
                    column_name=location(segment.column_name),
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
