"""p95 regression: a route's or task's p95 of the last hour against the 7 days before it."""

from __future__ import annotations

from datetime import timedelta

from performance.bottlenecks.base import Finding, Rule, Severity
from performance.monitoring_models import HOUR, MINUTE, SpanRollup
from performance.selectors import span_summary


class P95RegressionRule(Rule):
    name = "p95_regression"
    thresholds = {"window_minutes": 60, "baseline_days": 7, "factor": 1.5, "min_increase_ms": 50.0,
                  "min_count": 50, "min_baseline_count": 200}

    def evaluate(self, now):
        recent = self.since(now)
        baseline_start = recent - timedelta(days=self.t["baseline_days"])
        names = (SpanRollup.objects
                 .filter(resolution=MINUTE, bucket__gte=recent, kind__in=("request", "task"))
                 .values_list("kind", "name").distinct())
        findings = []
        for kind, name in names:
            current = span_summary(kind, name, recent, now, MINUTE)
            if current["count"] < self.t["min_count"] or current["p95_ms"] is None:
                continue
            hour = recent.replace(minute=0, second=0, microsecond=0)
            before = span_summary(kind, name, baseline_start, hour, HOUR)
            if before["count"] < self.t["min_baseline_count"] or not before["p95_ms"]:
                continue
            rise = current["p95_ms"] - before["p95_ms"]
            if current["p95_ms"] < self.t["factor"] * before["p95_ms"] or rise < self.t["min_increase_ms"]:
                continue
            findings.append(Finding(
                subject=name, key=kind,
                title=f"p95 of {name} rose from {before['p95_ms']:.0f} to {current['p95_ms']:.0f} ms",
                severity=Severity.HIGH if current["p95_ms"] >= 3 * before["p95_ms"] else Severity.MEDIUM,
                evidence={"kind": kind, "name": name, "p95_ms": current["p95_ms"],
                          "baseline_p95_ms": before["p95_ms"], "count": current["count"],
                          "baseline_count": before["count"], "db_share": current["db_share"],
                          "baseline_db_share": before["db_share"], "queries_per_call":
                              round(current["queries"] / current["count"], 2)},
                recommendation=(
                    f"{name} got slower: compare its flame graph and database share with last week's "
                    f"(database share {current['db_share'] or 0:.0%} now, {before['db_share'] or 0:.0%} "
                    f"before) and look at what changed in it since; a new query or a lost cache hit "
                    f"shows there first."
                ),
            ))
        return findings
