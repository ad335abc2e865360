"""The system monitor: one sampler per host, in its own process (``manage.py monitor``).

``sampler.HostMonitor`` reads the probes every PERFORMANCE_MONITOR_INTERVAL
seconds — ``host`` (psutil: CPU, load, memory, swap, disks, network),
``processes`` (CPU and RSS of each web, worker and beat process),
``postgres``, ``redis``, ``broker`` (Celery queues) — and writes the
samples and their 1-minute and 1-hour rollups (``rollup``) in batches. A
host lock (``lock``) keeps it to one per host. Why a process of its own and
not a thread in each worker: docs/ARCHITECTURE.md, "Monitoring".
"""
