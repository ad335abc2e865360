"""Index audit: unused indexes, tables read by sequential scans, duplicate or
overlapping indexes — each with its size.

Unused: ``idx_scan = 0`` since statistics were last reset, excluding indexes
that enforce a primary key, a unique or an exclusion constraint (they work
even when never scanned). Sequential-scan heavy: more sequential than index
scans on a table of at least PERFORMANCE_INDEX_AUDIT_MIN_ROWS live rows.
Duplicate: same table, method, columns, operator classes, expressions and
predicate. Overlapping: a plain b-tree whose columns are a leading prefix of
another's with the same predicate (the longer one serves its queries).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connections

from performance import conf

_UNUSED_SQL = """
SELECT s.schemaname, s.relname, s.indexrelname, s.idx_scan, pg_relation_size(s.indexrelid),
       pg_get_indexdef(s.indexrelid)
  FROM pg_stat_user_indexes s
  JOIN pg_index i ON i.indexrelid = s.indexrelid
 WHERE s.idx_scan = 0 AND NOT i.indisprimary AND NOT i.indisunique
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
 ORDER BY pg_relation_size(s.indexrelid) DESC
"""

_SEQ_SQL = """
SELECT schemaname, relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), n_live_tup,
       pg_total_relation_size(relid)
  FROM pg_stat_user_tables
 WHERE seq_scan > coalesce(idx_scan, 0) AND n_live_tup >= %s
 ORDER BY seq_tup_read DESC
"""

_INDEXES_SQL = """
SELECT n.nspname, t.relname, c.relname, am.amname, i.indkey::text, i.indclass::text,
       coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), ''),
       i.indisunique OR i.indisprimary OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid),
       pg_relation_size(c.oid), pg_get_indexdef(c.oid)
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  JOIN pg_am am ON am.oid = c.relam
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
"""


@dataclass
class AuditReport:
    """What one audit found; ``available`` False (with ``reason``) off PostgreSQL."""

    available: bool = True
    reason: str = ""
    stats_since: str | None = None
    unused: list[dict[str, Any]] = field(default_factory=list)
    seq_scan_heavy: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reclaimable_bytes(self) -> int:
        redundant = {d["redundant"]: d["redundant_bytes"] for d in self.duplicates}
        redundant.update({u["index"]: u["bytes"] for u in self.unused})
        return sum(redundant.values())

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reclaimable_bytes": self.reclaimable_bytes}


def _overlaps(short: dict, long: dict) -> bool:
    """``short`` adds nothing that ``long`` does not give (same table, b-tree, prefix)."""
    if short["table"] != long["table"] or short["method"] != long["method"] or short["method"] != "btree":
        return False
    if short["expressions"] or long["expressions"] or short["predicate"] != long["predicate"]:
        return False
    if short["constraint"]:
        return False  # it enforces uniqueness; the longer index does not
    n = len(short["columns"])
    return n <= len(long["columns"]) and long["columns"][:n] == short["columns"] and (
        long["opclasses"][:n] == short["opclasses"]
    )


def _find_duplicates(indexes: list[dict]) -> list[dict]:
    found = []
    for a in indexes:
        for b in indexes:
            if a is b or not _overlaps(a, b):
                continue  # ``a`` is redundant only if ``b`` covers it
            same = a["columns"] == b["columns"] and a["opclasses"] == b["opclasses"]
            if same and not b["constraint"] and a["index"] < b["index"]:
                continue  # an identical pair of plain indexes: name one of them, once
            found.append({
                "kind": "duplicate" if same else "overlapping", "table": a["table"],
                "redundant": a["index"], "redundant_bytes": a["bytes"], "redundant_def": a["definition"],
                "kept": b["index"], "kept_def": b["definition"],
            })
    return found


def run_audit(using: str = "default", min_rows: int | None = None) -> AuditReport:
    """Audit the indexes of database ``using`` (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        reason = f"the index audit needs PostgreSQL, not {connection.vendor}"
        return AuditReport(available=False, reason=reason)
    min_rows = conf.get("PERFORMANCE_INDEX_AUDIT_MIN_ROWS") if min_rows is None else min_rows
    report = AuditReport()
    with connection.cursor() as cursor:
        cursor.execute("SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()")
        row = cursor.fetchone()
        report.stats_since = row[0].isoformat() if row and row[0] else None
        cursor.execute(_UNUSED_SQL)
        report.unused = [
            {"schema": s, "table": t, "index": i, "scans": n, "bytes": size, "definition": d}
            for s, t, i, n, size, d in cursor.fetchall()
        ]
        cursor.execute(_SEQ_SQL, [min_rows])
        report.seq_scan_heavy = [
            {"schema": s, "table": t, "seq_scan": seq, "seq_tup_read": read, "idx_scan": idx,
             "live_rows": live, "bytes": size}
            for s, t, seq, read, idx, live, size in cursor.fetchall()
        ]
        cursor.execute(_INDEXES_SQL)
        indexes = [
            {"schema": s, "table": f"{s}.{t}", "index": i, "method": am, "columns": key.split(),
             "opclasses": cls.split(), "expressions": expr, "predicate": pred, "constraint": constraint,
             "bytes": size, "definition": d}
            for s, t, i, am, key, cls, expr, pred, constraint, size, d in cursor.fetchall()
        ]
    report.duplicates = _find_duplicates(indexes)
    return report


def save_report(report: AuditReport, using: str = "default"):
    """Store ``report`` as an :class:`~performance.models.IndexAuditReport`."""
    from performance.models import IndexAuditReport

    return IndexAuditReport.objects.using(using).create(
        database=str(connections[using].settings_dict.get("NAME", ""))[:100],
        unused_count=len(report.unused), seq_scan_count=len(report.seq_scan_heavy),
        duplicate_count=len(report.duplicates), reclaimable_bytes=report.reclaimable_bytes,
        report=report.as_dict(),
    )
