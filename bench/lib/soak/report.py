"""What the soak counts, from the request records, the fault windows and the database.

A request is *inside* a fault window when it overlaps [start, end + GRACE_S]
of a fault that affects requests (beat's do not: it serves none); GRACE_S is
the recovery the targets allow. Recovery after a fault: until the last
failed request among those started in the 30 s after its end and not in
another fault's window (0 when none failed), and until the first scan
completed after it. Findings: rows stored for each scan against what the
command line found (lost = fewer, duplicated = more); scans still queued or
running at the end count as left running.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import psycopg

from bench.lib.soak.faults import GRACE_S, Fault
from bench.lib.soak.http import Record
from bench.lib.soak.users import StartedScan

RECOVERY_LOOKAHEAD_S = 30.0
NOT_ERRORS = {"ok", "refused_with_reason"}


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def overlaps(record: Record, fault: Fault) -> bool:
    return bool(fault.affects_requests and fault.started
                and record.started <= fault.ended + GRACE_S and record.ended >= fault.started)


def window_of(record: Record, faults: list[Fault]) -> str | None:
    return next((fault.label for fault in faults if overlaps(record, fault)), None)


@dataclass
class ScanOutcome:
    scan_id: int
    source: str
    status: str
    expected: int
    stored: int
    summary_count: int
    reason: str
    finished_mono: float | None


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    figures: dict[str, float | int] = field(default_factory=dict)

    def add(self, text: str = "") -> None:
        self.lines.append(text)


def scan_outcomes(db_url: str, started: list[StartedScan], wall_minus_mono: float) -> list[ScanOutcome]:
    queued = [s for s in started if s.scan_id is not None]
    ids = [s.scan_id for s in queued]
    with psycopg.connect(db_url) as conn:
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, status, findings_count, error_message, extract(epoch FROM finished_at) "
            "FROM scans_scan WHERE id = ANY(%s)", [ids])}
        stored = dict(conn.execute("SELECT scan_id, count(*) FROM scans_finding WHERE scan_id = ANY(%s) "
                                   "GROUP BY 1", [ids]).fetchall())
    outcomes = []
    for scan in queued:
        status, count, message, finished = rows.get(scan.scan_id, ("missing", 0, "", None))
        outcomes.append(ScanOutcome(
            scan.scan_id, scan.source.name, status, scan.source.expected or 0, stored.get(scan.scan_id, 0),
            count or 0, message or "", float(finished) - wall_minus_mono if finished else None))
    return outcomes


def build(records: list[Record], faults: list[Fault], started: list[StartedScan],
          outcomes: list[ScanOutcome], memory: list[tuple[str, int, int, int, int]], minutes: float,
          users: int) -> Report:
    report = Report()
    total = len(records)
    errors = [r for r in records if r.outcome not in NOT_ERRORS]
    outside = [r for r in records if window_of(r, faults) is None]
    outside_errors = [r for r in outside if r.outcome not in NOT_ERRORS]

    report.add(f"requests {total}, errors {len(errors)}, outside fault windows {len(outside)} requests "
               f"with {len(outside_errors)} errors")
    by_kind = Counter(r.outcome for r in records if r.outcome != "ok")
    other = ", ".join(f"{k}={n}" for k, n in by_kind.most_common()) or "none"
    report.add(f"outcomes other than ok: {other}")
    report.add("")
    report.add("errors by fault window:")
    per_window: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        if record.outcome not in NOT_ERRORS:
            per_window[window_of(record, faults) or "outside"][record.outcome] += 1
    for label, kinds in sorted(per_window.items()):
        report.add(f"  {label:<24} " + ", ".join(f"{k}={n}" for k, n in kinds.most_common()))
    for record in outside_errors[:10]:
        at = record.started - records[0].started
        report.add(f"  outside: {record.page} {record.outcome} at t+{at:.1f}s")

    report.add("")
    columns = "".join(f"{c:>8}" for c in ("p50", "p95", "p99"))
    report.add(f"{'page (ms)':<18}{'n out':>7}{columns}{'n in':>7}{columns}")
    pages = sorted({r.page for r in records})
    inside_lat, outside_lat = defaultdict(list), defaultdict(list)
    for record in records:
        if record.outcome == "ok":
            target = outside_lat if window_of(record, faults) is None else inside_lat
            target[record.page].append((record.ended - record.started) * 1000)
    for page in pages:
        out, ins = sorted(outside_lat[page]), sorted(inside_lat[page])
        report.add(f"{page:<18}{len(out):>7}" + "".join(f"{percentile(out, p):>8.0f}" for p in (50, 95, 99))
                   + f"{len(ins):>7}" + "".join(f"{percentile(ins, p):>8.0f}" for p in (50, 95, 99)))
    all_outside = sorted(v for values in outside_lat.values() for v in values)

    report.add("")
    report.add("faults (recovery: until requests stop failing / until the next scan completes):")
    recoveries = []
    finished = sorted(o.finished_mono for o in outcomes if o.status == "completed" and o.finished_mono)
    for fault in faults:
        if not fault.started:
            report.add(f"  {fault.label:<24} not run: {fault.detail}")
            continue
        end = fault.ended or fault.started
        # Failures that belong to the next fault are that fault's, not a slow recovery from this one.
        failed_after = [r.ended for r in records if r.outcome not in NOT_ERRORS
                        and end <= r.started <= end + RECOVERY_LOOKAHEAD_S
                        and not any(overlaps(r, other) for other in faults if other is not fault)]
        request_recovery = max(0.0, max(failed_after) - end) if failed_after else 0.0
        next_scan = next((t - end for t in finished if t >= end), None)
        if fault.affects_requests:
            recoveries.append(request_recovery)
        scan_text = f"{next_scan:.1f}s" if next_scan is not None else "none"
        report.add(f"  {fault.label:<24} {end - fault.started:6.1f}s long, requests "
                   f"{request_recovery:5.1f}s, scan {scan_text:>7}  {fault.detail}")

    report.add("")
    completed = [o for o in outcomes if o.status == "completed"]
    failed = [o for o in outcomes if o.status == "failed"]
    unfinished = [o for o in outcomes if o.status in {"queued", "running", "missing"}]
    lost = sum(max(0, o.expected - o.stored) for o in completed)
    duplicated = sum(max(0, o.stored - o.expected) for o in completed)
    refused = Counter(s.outcome for s in started if s.scan_id is None)
    report.add(f"scans: submitted {len(started)}, queued {len(outcomes)}, completed {len(completed)}, "
               f"failed {len(failed)}, left unfinished {len(unfinished)}")
    for text, n in refused.most_common():
        report.add(f"  not started ({n}x): {text}")
    for outcome in failed:
        report.add(f"  failed #{outcome.scan_id} ({outcome.source}): {outcome.reason[:200]}")
    for outcome in unfinished[:10]:
        report.add(f"  left {outcome.status} #{outcome.scan_id} ({outcome.source})")
    if len(unfinished) > 10:
        report.add(f"  ... and {len(unfinished) - 10} more left unfinished")
    for outcome in completed:
        if outcome.stored != outcome.expected or outcome.summary_count != outcome.stored:
            report.add(f"  findings #{outcome.scan_id} ({outcome.source}): expected {outcome.expected}, "
                       f"stored {outcome.stored}, summary says {outcome.summary_count}")
    report.add(f"findings: expected {sum(o.expected for o in completed)}, stored "
               f"{sum(o.stored for o in completed)}, lost {lost}, duplicated {duplicated}")

    report.add("")
    report.add(f"{'memory (RSS MiB)':<20}{'start':>8}{'end':>8}  {'same processes: start':>22}{'end':>8}")
    start_same = end_same = 0
    for role, start_rss, end_rss, same_start, same_end in memory:
        report.add(f"{role:<20}{start_rss / 2**20:>8.0f}{end_rss / 2**20:>8.0f}  "
                   f"{same_start / 2**20:>22.0f}{same_end / 2**20:>8.0f}")
        start_same += same_start
        end_same += same_end
    growth = 100.0 * (end_same - start_same) / start_same if start_same else 0.0
    report.add(f"growth of the processes alive at both samples: {growth:.1f} %")

    report.figures = {
        "minutes": minutes, "users": users, "requests": total,
        "error_pct": 100.0 * len(errors) / total if total else 0.0,
        "error_pct_outside_faults": 100.0 * len(outside_errors) / len(outside) if outside else 0.0,
        "p95_ms": percentile(all_outside, 95), "p50_ms": statistics.median(all_outside) if all_outside else 0,
        "scans": len(outcomes), "scans_failed": len(failed) + len(unfinished),
        "scans_left_running": len(unfinished), "findings_lost": lost, "findings_duplicated": duplicated,
        "max_recovery_s": max(recoveries, default=0.0), "rss_growth_pct": growth,
    }
    return report


def bench_line(figures: dict) -> str:
    f = figures
    return (f"BENCH soak minutes={f['minutes']:g} users={f['users']} requests={f['requests']} "
            f"error_pct={f['error_pct']:.3f} error_pct_outside_faults={f['error_pct_outside_faults']:.3f} "
            f"p95_ms={f['p95_ms']:.0f} scans={f['scans']} scans_failed={f['scans_failed']} "
            f"findings_lost={f['findings_lost']} findings_duplicated={f['findings_duplicated']} "
            f"max_recovery_s={f['max_recovery_s']:.1f} rss_growth_pct={f['rss_growth_pct']:.1f}")
