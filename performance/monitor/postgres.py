"""PostgreSQL's side: connections by state, cache hit ratio, size, deadlocks, the longest transaction.

One query on this database's statistics views (its size once a minute:
``pg_database_size`` reads every file of the database). Hit ratio and
deadlocks are the change since the previous reading (the views count since
the last reset), so they describe the last interval. Off PostgreSQL (SQLite) the
probe gives the database file's size only.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.db import connections

SIZE_EVERY = 60.0  # seconds: pg_database_size() stats every file of the database

_SQL = """
SELECT d.blks_hit, d.blks_read, d.deadlocks, d.xact_commit, d.xact_rollback,
       CASE WHEN %s THEN pg_database_size(current_database()) END,
       (SELECT coalesce(json_object_agg(state, n), '{}')::text FROM (
            SELECT coalesce(state, 'other') AS state, count(*) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1) s),
       (SELECT coalesce(extract(epoch FROM max(now() - xact_start)), 0) FROM pg_stat_activity
         WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()),
       current_setting('max_connections')::int
  FROM pg_stat_database AS d WHERE d.datname = current_database()
"""


class PostgresProbe:
    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self.last: tuple | None = None
        self.size: int | None = None
        self.size_at = float("-inf")

    def read(self) -> dict[str, Any]:
        import json

        connection = connections[self.alias]
        if connection.vendor == "sqlite":
            name = connection.settings_dict["NAME"]
            return {"db_size_bytes": os.path.getsize(name) if os.path.exists(str(name)) else 0}
        if connection.vendor != "postgresql":
            return {}
        now = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(_SQL, [now - self.size_at >= SIZE_EVERY])
            row = cursor.fetchone()
        hit, read, deadlocks, commits, rollbacks, size, states, longest, max_connections = row
        if size is not None:
            self.size, self.size_at = size, now
        values: dict[str, Any] = {"db_size_bytes": self.size, "pg_longest_xact_s": float(longest),
                                  "pg_max_connections": max_connections}
        by_state = json.loads(states)
        values["pg_connections"] = sum(by_state.values())
        for state, n in by_state.items():
            values[f"pg_connections.{state.replace(' ', '_')}"] = n
        if self.last is not None:
            d_hit, d_read = hit - self.last[0], read - self.last[1]
            if d_hit >= 0 and d_read >= 0:  # a reset makes them go down: skip that interval
                values["pg_cache_hit_ratio"] = round(d_hit / (d_hit + d_read), 4) if d_hit + d_read else None
                values["pg_deadlocks"] = max(0, deadlocks - self.last[2])
                values["pg_commits"] = max(0, commits - self.last[3])
                values["pg_rollbacks"] = max(0, rollbacks - self.last[4])
        self.last = (hit, read, deadlocks, commits, rollbacks)
        return values
