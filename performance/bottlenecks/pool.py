"""Connection pool saturation or waits, from each process's samples."""

from __future__ import annotations

from collections import defaultdict

from performance.bottlenecks.base import Finding, Rule, Severity, share
from performance.monitoring_models import ProcessSample


class PoolRule(Rule):
    name = "pool"
    thresholds = {"window_minutes": 15, "min_requests": 100, "max_queued_share": 0.1, "max_busy_share": 0.5}

    def evaluate(self, now):
        groups = defaultdict(lambda: {"samples": 0, "requests": 0, "queued": 0, "timeouts": 0, "busy": 0,
                                      "wait_ms": 0.0, "max": 0})
        rows = ProcessSample.objects.filter(at__gte=self.since(now), pool_size__isnull=False)
        for row in rows:
            group = groups[(row.host, row.role)]
            group["samples"] += 1
            group["requests"] += row.pool_requests or 0
            group["queued"] += row.pool_queued or 0
            group["timeouts"] += row.pool_timeouts or 0
            group["wait_ms"] += row.pool_wait_ms or 0
            group["max"] = max(group["max"], row.pool_max or 0)
            full = row.pool_size == row.pool_max and not row.pool_available
            group["busy"] += bool(row.pool_waiting) or full
        findings = []
        for (host, role), g in groups.items():
            queued = share(g["queued"], g["requests"])
            busy = share(g["busy"], g["samples"])
            saturated = g["requests"] >= self.t["min_requests"] and queued >= self.t["max_queued_share"]
            if not (g["timeouts"] or saturated or busy >= self.t["max_busy_share"]):
                continue
            findings.append(Finding(
                subject=f"{host}/{role}", title=f"{role} processes on {host} wait for database connections",
                severity=Severity.HIGH if g["timeouts"] else Severity.MEDIUM,
                evidence={"host": host, "role": role, "checkouts": g["requests"], "waited": g["queued"],
                          "waited_share": queued, "wait_ms": round(g["wait_ms"], 1),
                          "timeouts": g["timeouts"],
                          "samples_at_capacity_share": busy, "pool_max": g["max"]},
                recommendation=(
                    f"{queued:.0%} of checkouts by {role} processes on {host} waited for a connection "
                    f"({g['timeouts']} gave up). Raise DB_POOL_MAX_SIZE (now {g['max']}) to the threads per "
                    f"process, or run fewer threads; look for long transactions holding connections "
                    f"(pg_longest_xact_s) and keep the sum of all pools below max_connections."
                ),
            ))
        return findings
