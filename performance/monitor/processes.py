"""CPU and memory of the product's processes on this host, by role (web, worker, beat, monitor).

A process gets the role of the first (role, words) pair of
PERFORMANCE_MONITOR_PROCESS_ROLES whose words all appear in its command
line. CPU is the change of its CPU time since the previous reading, as a
percentage of one core.
"""

from __future__ import annotations

import time
from typing import Any

import psutil

from performance import conf


def role_of(cmdline: list[str], roles) -> str | None:
    text = " ".join(cmdline)
    for role, words in roles:
        if all(word in text for word in words):
            return role
    return None


class ProcessProbe:
    def __init__(self) -> None:
        self.last: dict[tuple[int, float], tuple[float, float]] = {}  # (pid, start) -> (cpu s, at)

    def read(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """(one entry per product process, totals per role)."""
        roles = conf.get("PERFORMANCE_MONITOR_PROCESS_ROLES")
        now = time.monotonic()
        seen: dict[tuple[int, float], tuple[float, float]] = {}
        processes, totals = [], {}
        for process in psutil.process_iter(["pid", "cmdline", "create_time", "cpu_times", "memory_info"]):
            info = process.info
            role = role_of(info.get("cmdline") or [], roles)
            if role is None or info.get("cpu_times") is None or info.get("memory_info") is None:
                continue
            key = (info["pid"], info["create_time"])
            cpu = info["cpu_times"].user + info["cpu_times"].system
            seen[key] = (cpu, now)
            previous = self.last.get(key)
            cpu_pct = round(100 * (cpu - previous[0]) / max(now - previous[1], 1e-6), 2) if previous else None
            rss = info["memory_info"].rss
            processes.append({"pid": info["pid"], "role": role, "cpu_pct": cpu_pct, "rss_bytes": rss})
            totals[f"proc_count.{role}"] = totals.get(f"proc_count.{role}", 0) + 1
            totals[f"proc_rss_bytes.{role}"] = totals.get(f"proc_rss_bytes.{role}", 0) + rss
            if cpu_pct is not None:
                totals[f"proc_cpu_pct.{role}"] = round(totals.get(f"proc_cpu_pct.{role}", 0) + cpu_pct, 2)
        self.last = seen
        return processes, totals
