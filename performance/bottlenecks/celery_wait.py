"""Celery tasks that wait long in the queue before a worker starts them."""

from __future__ import annotations

from performance.bottlenecks.base import Finding, Rule, Severity
from performance.monitoring_models import MINUTE, SpanRollup
from performance.selectors import span_summary


class CeleryWaitRule(Rule):
    name = "celery_wait"
    thresholds = {"window_minutes": 15, "max_wait_s": 30.0, "min_count": 5}

    def evaluate(self, now):
        since = self.since(now)
        names = (SpanRollup.objects.filter(resolution=MINUTE, kind="queue", bucket__gte=since)
                 .values_list("name", flat=True).distinct())
        findings = []
        for name in names:
            wait = span_summary("queue", name, since, now, MINUTE)
            if wait["count"] < self.t["min_count"] or (wait["p95_ms"] or 0) < self.t["max_wait_s"] * 1000:
                continue
            seconds = wait["p95_ms"] / 1000
            findings.append(Finding(
                subject=name, title=f"{name} waits {seconds:.0f} s in the queue (p95)",
                severity=Severity.HIGH if seconds >= 10 * self.t["max_wait_s"] else Severity.MEDIUM,
                evidence={"task": name, "p95_wait_s": round(seconds, 1), "tasks": wait["count"],
                          "mean_wait_s": round((wait["mean_ms"] or 0) / 1000, 1)},
                recommendation=(
                    f"{name} waited {seconds:.0f} s (p95) before a worker took it. Add worker processes "
                    f"(celery worker --concurrency) or hosts, or route long tasks to a queue of their own "
                    f"(task_routes) so that they do not hold up short ones."
                ),
            ))
        return findings
