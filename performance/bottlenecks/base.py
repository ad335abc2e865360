"""The rule contract: thresholds, a window, ``evaluate(now)`` returning findings.

A subclass sets ``name`` (also the key of its threshold overrides in
PERFORMANCE_BOTTLENECK_THRESHOLDS), ``thresholds`` (defaults) and
implements ``evaluate``. A finding's fingerprint is the rule's name, its
subject and its ``key`` (a query fingerprint hash, a namespace...), so one
problem is one row however often it is found.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from performance import conf
from performance.monitoring_models import Bottleneck

Severity = Bottleneck.Severity


@dataclass
class Finding:
    subject: str
    title: str
    severity: int
    evidence: dict[str, Any]
    recommendation: str
    key: str = ""
    rule: str = field(default="", init=False)

    def fingerprint(self) -> str:
        raw = "\x1f".join((self.rule, self.subject, self.key))
        return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


class Rule:
    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    thresholds: ClassVar[dict[str, Any]] = {}

    def __init__(self, **overrides: Any):
        configured = conf.get("PERFORMANCE_BOTTLENECK_THRESHOLDS").get(self.name, {})
        self.t = {**self.thresholds, **configured, **overrides}

    def since(self, now: datetime, minutes_key: str = "window_minutes") -> datetime:
        return now - timedelta(minutes=self.t[minutes_key])

    def evaluate(self, now: datetime) -> list[Finding]:
        raise NotImplementedError

    def run(self, now: datetime) -> list[Finding]:
        findings = self.evaluate(now)
        for finding in findings:
            finding.rule = self.name
        return findings


_TABLE = re.compile(r'\bFROM\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)


def table_of(fingerprint: str) -> str | None:
    """The first table a query fingerprint reads from, if it names one."""
    match = _TABLE.search(fingerprint)
    return match.group(1) if match else None


def share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0
