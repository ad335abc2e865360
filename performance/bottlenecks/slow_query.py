"""Slow query: a query shape whose mean time reaches the threshold, seen several times in the window."""

from __future__ import annotations

import re

from performance.bottlenecks.base import Finding, Rule, Severity, table_of
from performance.models import SlowQuery

_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


class SlowQueryRule(Rule):
    name = "slow_query"
    thresholds = {"min_mean_ms": 500.0, "min_calls": 3, "high_mean_ms": 2000.0, "window_minutes": 60}

    def evaluate(self, now):
        findings = []
        for row in SlowQuery.objects.filter(last_seen__gte=self.since(now), calls__gte=self.t["min_calls"]):
            if row.mean_ms < self.t["min_mean_ms"]:
                continue
            table = table_of(row.fingerprint) or "its tables"
            scanned = _SEQ_SCAN.search(row.explain or "")
            if scanned:
                advice = (f"its plan reads {scanned.group(1)} by a sequential scan: add an index on the "
                          f"columns of its WHERE clause (a migration with Meta.indexes)")
            else:
                advice = (f"EXPLAIN ANALYZE it (PERFORMANCE_EXPLAIN_SLOW_QUERIES keeps the plan): index the "
                          f"columns it filters and sorts {table} on, select only the columns used, and page "
                          f"with a keyset instead of OFFSET")
            findings.append(Finding(
                subject=row.source, key=row.fingerprint_hash,
                title=f"Slow query in {row.source}: {row.mean_ms:.0f} ms on {table}",
                severity=Severity.HIGH if row.mean_ms >= self.t["high_mean_ms"] else Severity.MEDIUM,
                evidence={"source": row.source, "query_fingerprint": row.fingerprint[:2000],
                          "fingerprint_hash": row.fingerprint_hash, "calls": row.calls,
                          "mean_ms": round(row.mean_ms, 1), "max_ms": round(row.max_ms, 1)},
                recommendation=f"The query from {row.source} takes {row.mean_ms:.0f} ms on average; "
                               f"{advice}.",
            ))
        return findings
