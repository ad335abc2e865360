"""PostgreSQL settings recommended for a machine and an expected number of connections.

Pure arithmetic over (RAM, CPUs, connections, storage); the ``db_tune``
command adds the server's current values and applies them on request. The
rules are the usual conservative starting points for a dedicated database
server; each :class:`Recommendation` carries its one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
GB = 1024 * MB


@dataclass(frozen=True)
class Recommendation:
    name: str
    value: str
    reason: str


def _size(n_bytes: float) -> str:
    """Bytes as PostgreSQL's unit syntax, rounded down to whole MB (or GB when exact)."""
    mb = max(1, int(n_bytes // MB))
    return f"{mb // 1024}GB" if mb >= 1024 and mb % 1024 == 0 else f"{mb}MB"


def recommend(ram_bytes: int, cpus: int, connections: int, ssd: bool = True) -> list[Recommendation]:
    """The recommended settings, in the order they are best read."""
    if ram_bytes < 256 * MB or cpus < 1 or connections < 1:
        raise ValueError("need at least 256 MB of RAM, one CPU and one connection")
    shared = ram_bytes / 4
    # Sorts and hashes get work_mem each, several per query and with parallel
    # workers: spread what shared_buffers leaves over connections x 3 x workers.
    parallel = max(1, cpus // 2)
    work_mem = max(4 * MB, (ram_bytes - shared) / (connections * 3) / parallel)
    maintenance = min(2 * GB, ram_bytes / 16)
    return [
        Recommendation("max_connections", str(connections),
                       "the pools of every process plus a margin for admin sessions"),
        Recommendation("shared_buffers", _size(shared),
                       "a quarter of RAM: PostgreSQL's own cache; the OS cache holds the rest"),
        Recommendation("effective_cache_size", _size(ram_bytes * 3 / 4),
                       "what the planner may assume is cached (shared_buffers + OS cache)"),
        Recommendation("work_mem", _size(work_mem),
                       f"per sort/hash: RAM after shared_buffers / ({connections} connections x 3 x "
                       f"{parallel} workers)"),
        Recommendation("maintenance_work_mem", _size(maintenance),
                       "VACUUM and CREATE INDEX: RAM/16, at most 2GB"),
        Recommendation("random_page_cost", "1.1" if ssd else "4",
                       "SSD: random reads cost about as much as sequential ones" if ssd
                       else "spinning disk: random reads are costly"),
        Recommendation("effective_io_concurrency", "200" if ssd else "2",
                       "concurrent I/O the storage can serve (bitmap heap scans prefetch this much)"),
        Recommendation("checkpoint_completion_target", "0.9",
                       "spread checkpoint writes over most of the interval: no I/O spikes"),
        Recommendation("wal_buffers", "16MB", "enough for busy write bursts; more gains nothing"),
        Recommendation("min_wal_size", "1GB", "keep WAL segments for reuse instead of recreating them"),
        Recommendation("max_wal_size", "4GB", "fewer forced checkpoints during bulk scan ingest (COPY)"),
        Recommendation("default_statistics_target", "100", "the default sample, enough for these tables"),
        Recommendation("max_worker_processes", str(max(8, cpus)),
                       "background workers (parallel query among them): the default 8, or one per CPU"),
        Recommendation("max_parallel_workers", str(cpus), "parallel query may use every CPU"),
        Recommendation("max_parallel_workers_per_gather", str(parallel),
                       "half the CPUs per query, leaving room for concurrent ones"),
        Recommendation("max_parallel_maintenance_workers", str(parallel),
                       "parallel CREATE INDEX on half the CPUs"),
    ]
