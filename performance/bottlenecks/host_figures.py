"""Shared by the CPU and memory rules: a host's samples over the last minutes, if they cover them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from performance.monitoring_models import SystemSample


def covered_samples(now: datetime, minutes: float, slack: float = 0.9) -> dict[str, list[SystemSample]]:
    """Per host, the samples of the last ``minutes`` — only hosts whose samples span most of them."""
    since = now - timedelta(minutes=minutes)
    by_host: dict[str, list[SystemSample]] = defaultdict(list)
    for sample in SystemSample.objects.filter(at__gte=since, at__lte=now).order_by("at"):
        by_host[sample.host].append(sample)
    return {host: samples for host, samples in by_host.items()
            if (samples[-1].at - samples[0].at).total_seconds() >= minutes * 60 * slack}


def busiest(sample: SystemSample, field: str, top: int = 3) -> list[dict]:
    processes = [p for p in sample.processes if p.get(field) is not None]
    return sorted(processes, key=lambda p: p[field], reverse=True)[:top]
