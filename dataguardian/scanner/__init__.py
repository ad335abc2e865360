"""The detection engine: plain Python, no Django import.

``Engine`` scans ``Segment``s of text and returns ``Finding``s; extractors
(``dataguardian.scanner.extractors``) turn files into segments.
"""

from dataguardian.scanner.engine import Engine
from dataguardian.scanner.types import FileResult, Finding, Segment, SourceError

__all__ = ["Engine", "FileResult", "Finding", "Segment", "SourceError"]
