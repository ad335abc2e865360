"""The host's own figures, from psutil: CPU, load, memory, swap, disks, disk I/O, network.

Rates (I/O, network) are the change since the previous reading divided by
the time between them; the first reading has none.
"""

from __future__ import annotations

import os
import time
from typing import Any

import psutil

from performance import conf


class HostProbe:
    def __init__(self) -> None:
        self.last_at: float | None = None
        self.last_disk = None
        self.last_net = None
        psutil.cpu_percent(interval=None)  # the first call only starts the measure

    def read(self) -> dict[str, Any]:
        now = time.monotonic()
        memory = psutil.virtual_memory()
        swap = psutil.swap_memory()
        load1, load5, load15 = os.getloadavg()
        values: dict[str, Any] = {
            "cpu_pct": psutil.cpu_percent(interval=None),
            "cpu_count": psutil.cpu_count() or 1,
            "load_1": load1, "load_5": load5, "load_15": load15,
            "mem_total_bytes": memory.total,
            "mem_available_bytes": memory.available,
            "mem_pct": memory.percent,
            "swap_used_bytes": swap.used,
            "swap_pct": swap.percent,
        }
        for path in conf.get("PERFORMANCE_MONITOR_DISKS"):
            try:
                usage = psutil.disk_usage(path)
            except OSError:
                continue
            values[f"disk_pct.{path}"] = usage.percent
            values[f"disk_free_bytes.{path}"] = usage.free
        disk, net = psutil.disk_io_counters(), psutil.net_io_counters()
        if self.last_at is not None:
            elapsed = max(now - self.last_at, 1e-6)
            if disk is not None and self.last_disk is not None:
                values["disk_read_bytes_s"] = max(0, disk.read_bytes - self.last_disk.read_bytes) / elapsed
                values["disk_write_bytes_s"] = max(0, disk.write_bytes - self.last_disk.write_bytes) / elapsed
            if net is not None and self.last_net is not None:
                values["net_recv_bytes_s"] = max(0, net.bytes_recv - self.last_net.bytes_recv) / elapsed
                values["net_sent_bytes_s"] = max(0, net.bytes_sent - self.last_net.bytes_sent) / elapsed
        self.last_at, self.last_disk, self.last_net = now, disk, net
        return values
