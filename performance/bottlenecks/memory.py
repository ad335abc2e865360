"""Memory pressure on a host: little memory left for 5 minutes, or swap in use."""

from __future__ import annotations

from performance.bottlenecks.base import Finding, Rule, Severity
from performance.bottlenecks.host_figures import busiest, covered_samples


class MemoryRule(Rule):
    name = "memory"
    thresholds = {"percent": 90.0, "swap_percent": 20.0, "minutes": 5}

    def evaluate(self, now):
        findings = []
        for host, samples in covered_samples(now, self.t["minutes"]).items():
            memory = [s.values.get("mem_pct") or 0 for s in samples]
            swap = [s.values.get("swap_pct") or 0 for s in samples]
            full = min(memory) >= self.t["percent"]
            swapping = min(swap) >= self.t["swap_percent"]
            if not (full or swapping):
                continue
            top = busiest(samples[-1], "rss_bytes")
            largest = ", ".join(f"{p['role']} {p['pid']} {p['rss_bytes'] // 2**20} MiB" for p in top)
            findings.append(Finding(
                subject=host, title=f"Memory pressure on {host}",
                severity=Severity.HIGH if full and swapping else Severity.MEDIUM,
                evidence={"host": host, "min_mem_pct": min(memory), "min_swap_pct": min(swap),
                          "samples": len(samples), "largest_processes": top},
                recommendation=(
                    f"{host} has had under {100 - self.t['percent']:.0f}% of its memory free or has been "
                    f"swapping for {self.t['minutes']} minutes (largest: {largest}). Run fewer gunicorn "
                    f"workers or recycle them (--max-requests), give Celery workers --max-memory-per-child, "
                    f"or add memory."
                ),
            ))
        return findings
