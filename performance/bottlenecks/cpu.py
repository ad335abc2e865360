"""CPU over 80 % for 5 minutes on a host."""

from __future__ import annotations

from performance.bottlenecks.base import Finding, Rule, Severity
from performance.bottlenecks.host_figures import busiest, covered_samples


class CpuRule(Rule):
    name = "cpu"
    thresholds = {"percent": 80.0, "minutes": 5}

    def evaluate(self, now):
        findings = []
        for host, samples in covered_samples(now, self.t["minutes"]).items():
            readings = [s.values.get("cpu_pct") for s in samples]
            if any(r is None or r <= self.t["percent"] for r in readings):
                continue
            top = busiest(samples[-1], "cpu_pct")
            roles = ", ".join(f"{p['role']} {p['pid']} at {p['cpu_pct']:.0f}%" for p in top) or "none"
            findings.append(Finding(
                subject=host,
                title=f"CPU of {host} above {self.t['percent']:.0f}% for {self.t['minutes']} minutes",
                severity=Severity.HIGH,
                evidence={"host": host, "min_cpu_pct": min(readings), "mean_cpu_pct":
                          round(sum(readings) / len(readings), 1), "samples": len(readings),
                          "busiest_processes": top},
                recommendation=(
                    f"{host} has had no CPU to spare for {self.t['minutes']} minutes (busiest: {roles}). "
                    f"If web processes lead, look at the routes with the most total time and their flame "
                    f"graphs, or add a host; if workers lead, lower their --concurrency so pages keep a "
                    f"core, or move them to a host of their own."
                ),
            ))
        return findings
