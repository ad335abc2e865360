"""N+1: one query shape run 5 or more times in one request or task, over 100 ms in all (Sentry's rule)."""

from __future__ import annotations

from performance.bottlenecks.base import Finding, Rule, Severity, table_of
from performance.models import NPlusOne


class NPlusOneRule(Rule):
    name = "n_plus_one"
    thresholds = {"min_repeats": 5, "min_total_ms": 100.0, "high_total_ms": 500.0, "window_minutes": 60}

    def evaluate(self, now):
        rows = NPlusOne.objects.filter(last_seen__gte=self.since(now), max_repeats__gte=self.t["min_repeats"],
                                       max_total_ms__gt=self.t["min_total_ms"])
        findings = []
        for row in rows:
            table = table_of(row.fingerprint) or "the table it reads"
            findings.append(Finding(
                subject=row.source, key=row.fingerprint_hash,
                title=f"N+1 queries in {row.source}: {row.max_repeats} x {table}",
                severity=Severity.HIGH if row.max_total_ms >= self.t["high_total_ms"] else Severity.MEDIUM,
                evidence={"source": row.source, "query_fingerprint": row.fingerprint[:2000],
                          "fingerprint_hash": row.fingerprint_hash, "max_repeats": row.max_repeats,
                          "max_total_ms": round(row.max_total_ms, 1), "occurrences": row.occurrences},
                recommendation=(
                    f"{row.source} runs one query on {table} per item ({row.max_repeats} times, "
                    f"{row.max_total_ms:.0f} ms in one request or task). Load them with the queryset that "
                    f"feeds the loop: select_related() for a foreign key, prefetch_related() for a reverse "
                    f"or many-to-many relation, or one filter(pk__in=...) query."
                ),
            ))
        return findings
