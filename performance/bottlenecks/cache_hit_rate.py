"""A cache namespace whose hit rate over the window is below its target."""

from __future__ import annotations

from performance import conf
from performance.bottlenecks.base import Finding, Rule, Severity, share
from performance.monitoring_models import SystemSample


class CacheHitRateRule(Rule):
    name = "cache_hit_rate"
    thresholds = {"window_minutes": 30, "min_lookups": 100}

    def evaluate(self, now):
        # The namespace counters are totals kept in Redis for all processes: the change between the
        # first and the last sample of the window is the window's traffic, whichever host read them.
        samples = list(SystemSample.objects.filter(at__gte=self.since(now), at__lte=now).order_by("at")
                       .values_list("values", flat=True))
        if len(samples) < 2:
            return []
        first, last = samples[0], samples[-1]
        targets = conf.get("PERFORMANCE_CACHE_HIT_RATE_TARGETS")
        findings = []
        for key in last:
            if not key.startswith("cache_hits."):
                continue
            namespace = key.removeprefix("cache_hits.")
            hits = last[key] - first.get(key, 0)
            misses = last.get(f"cache_misses.{namespace}", 0) - first.get(f"cache_misses.{namespace}", 0)
            if hits < 0 or misses < 0 or hits + misses < self.t["min_lookups"]:
                continue
            rate, target = share(hits, hits + misses), targets.get(namespace, targets.get("*", 0.8))
            if rate >= target:
                continue
            findings.append(Finding(
                subject=namespace, title=f"Cache namespace {namespace} hits {rate:.0%} (target {target:.0%})",
                severity=Severity.LOW if rate >= target / 2 else Severity.MEDIUM,
                evidence={"namespace": namespace, "hits": hits, "misses": misses, "hit_rate": rate,
                          "target": target, "window_minutes": self.t["window_minutes"]},
                recommendation=(
                    f"Only {rate:.0%} of lookups in {namespace} hit. Check that its keys hold nothing that "
                    f"changes per request, that its TTL (PERFORMANCE_CACHE_NAMESPACES) outlives the time "
                    f"between two reads, and that it is not invalidated on every write; a miss storm after "
                    f"each invalidation shows as waits in the cache figures."
                ),
            ))
        return findings
