"""Engine: segment text in, findings out (work in progress)."""

from __future__ import annotations

from dataguardian.scanner.types import Finding, Segment


class Engine:
    """Scans text for personal data and secrets."""

    def __init__(
        self,
        hash_key: bytes,
        entities: set[str] | None = None,
        min_confidence: float = 0.0,
        backend: str | None = None,
    ) -> None:
        self.hash_key = hash_key
        self.entities = entities
        self.min_confidence = min_confidence
        self.backend = backend

    def scan_segment(self, segment: Segment) -> list[Finding]:
        return []

    def scan_text(self, text: str, path: str = "<text>") -> list[Finding]:
        return self.scan_segment(Segment(text=text, path=path))
