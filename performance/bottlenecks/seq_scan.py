"""Sequential scans of large tables (PostgreSQL's statistics since their last reset)."""

from __future__ import annotations

from django.db import connection

from performance.bottlenecks.base import Finding, Rule, Severity

_SQL = """
SELECT relname, n_live_tup, seq_scan, coalesce(idx_scan, 0), seq_tup_read, pg_total_relation_size(relid)
  FROM pg_stat_user_tables
 WHERE n_live_tup >= %s AND seq_scan >= %s AND seq_scan > coalesce(idx_scan, 0)
   AND seq_tup_read >= seq_scan * %s
 ORDER BY seq_tup_read DESC LIMIT 50
"""


class SeqScanRule(Rule):
    name = "seq_scan"
    thresholds = {"min_rows": 100_000, "min_seq_scans": 50, "min_rows_per_scan_share": 0.5}

    def evaluate(self, now):
        if connection.vendor != "postgresql":
            return []
        per_scan = int(self.t["min_rows"] * self.t["min_rows_per_scan_share"])
        with connection.cursor() as cursor:
            cursor.execute(_SQL, [self.t["min_rows"], self.t["min_seq_scans"], per_scan])
            rows = cursor.fetchall()
        return [
            Finding(
                subject=table, key=table,
                title=f"Sequential scans of {table} ({rows_live:,} rows)",
                severity=Severity.HIGH if rows_live >= 10 * self.t["min_rows"] else Severity.MEDIUM,
                evidence={"table": table, "live_rows": rows_live, "seq_scans": seq, "index_scans": idx,
                          "rows_read_by_seq_scans": read, "size_bytes": size},
                recommendation=(
                    f"{table} was read {seq:,} times by sequential scans ({read // max(seq, 1):,} rows each) "
                    f"and only {idx:,} times through an index. Find the queries on {table} among the slow "
                    f"queries and pg_stat_statements, and add an index on the columns they filter by; "
                    f"`manage.py index_audit` lists its indexes."
                ),
            )
            for table, rows_live, seq, idx, read, size in rows
        ]
