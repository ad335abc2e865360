"""Fixtures for the scanner's tests: no Django needed."""

from __future__ import annotations

import hashlib
import re

import pytest

from dataguardian.scanner.types import Finding, Segment

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class EmailOnlyEngine:
    """A stand-in engine: e-mail addresses only, positions like the real one.

    It honours ``base_line``/``base_column``, ``keep_from``/``keep_before`` and ``header``
    the way the Engine contract says, so extractor tests do not depend on
    the detectors' details.
    """

    def __init__(self, hash_key: bytes = b"test-key", **_: object) -> None:
        self.hash_key = hash_key
        self.segments = 0

    def scan_segment(self, segment: Segment) -> list[Finding]:
        self.segments += 1
        found = []
        for match in EMAIL.finditer(segment.text):
            if segment.keep_before is not None and match.start() >= segment.keep_before:
                continue
            if match.start() < segment.keep_from:
                continue
            line = column = None
            if segment.base_line is not None:
                before = segment.text[segment.keep_from : match.start()]
                newlines = before.count("\n")
                line = segment.base_line + newlines
                column = (segment.base_column + len(before) if not newlines
                          else len(before) - before.rfind("\n"))
            value = match.group()
            found.append(Finding(
                entity="EMAIL", severity="medium", category="user.contact.email",
                confidence=0.9 if segment.header else 0.8, path=segment.path,
                masked=value[0] + "***@" + value.split("@")[1],
                value_hash=hashlib.sha256(self.hash_key + value.encode()).hexdigest(),
                context=segment.header or "", line=line, column=column, sheet=segment.sheet,
                cell=segment.cell, table=segment.table, column_name=segment.column_name,
                row_key=segment.row_key,
                row_key_hash=segment.row_key_hash,
            ))
        return found

    def mask_location(self, text: str | None) -> str | None:
        return text


@pytest.fixture
def email_engine() -> EmailOnlyEngine:
    return EmailOnlyEngine()
