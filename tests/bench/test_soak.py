"""The soak's own arithmetic: its fault schedule and how it counts errors and recovery.

The soak itself runs for minutes against real servers (``make soak``); what
it reports is only as good as these rules, so they are checked on made-up
records here.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench.lib.soak.faults import GRACE_S, KINDS, Fault, schedule
from bench.lib.soak.http import Record
from bench.lib.soak.report import build, window_of


def _by_kind(faults):
    return Counter(f.kind for f in faults)


def test_a_ten_minute_run_has_every_fault_twice_with_30_second_outages():
    faults = schedule(600)
    assert _by_kind(faults) == {**{kind: 2 for kind in KINDS}, "beat_stop": 2}
    assert {f.duration for f in faults if f.kind in {"redis_stop", "disk_read_only"}} == {30.0}
    assert {f.duration for f in faults if f.kind == "beat_stop"} == {150.0}
    assert all(60 <= f.at <= 510 for f in faults if f.affects_requests)


def test_request_faults_never_overlap_even_with_their_grace():
    for minutes in (2, 10, 20):
        faults = [f for f in schedule(minutes * 60) if f.affects_requests]
        for first, second in zip(faults, faults[1:], strict=False):
            assert first.at + first.duration + GRACE_S < second.at


def test_a_short_run_shortens_the_outages_to_fit():
    def outage(seconds):
        (duration,) = {f.duration for f in schedule(seconds) if f.kind == "redis_stop"}
        return duration

    # 75 % of the run is shared by 10 faults: a slot of 9 s in 2 minutes, 30 s in 400 s.
    assert outage(120) == pytest.approx(9 - GRACE_S - 1)
    assert outage(400) == pytest.approx(0.7 * 30)


def _fault(kind, started, ended, affects=True):
    return Fault(kind, started, ended - started, started=started, ended=ended, affects_requests=affects)


def test_requests_are_inside_a_window_from_its_start_to_its_end_plus_grace():
    fault = _fault("redis_stop", 100.0, 130.0)
    beat = _fault("beat_stop", 0.0, 500.0, affects=False)
    assert window_of(Record("scan", 99.0, 100.5, "ok"), [beat, fault]) == fault.label  # in flight
    assert window_of(Record("scan", 134.0, 134.1, "ok"), [beat, fault]) == fault.label  # within grace
    assert window_of(Record("scan", 136.0, 136.1, "ok"), [beat, fault]) is None
    assert window_of(Record("scan", 50.0, 50.1, "ok"), [beat, fault]) is None  # beat serves no request


def test_recovery_and_error_rates_come_from_the_records():
    redis = _fault("redis_stop", 100.0, 130.0)
    restart = _fault("pg_restart", 150.0, 150.5)
    records = [
        Record("dashboard", 10.0, 10.1, "ok"),
        Record("dashboard", 129.0, 129.2, "http_500"),  # in the outage
        Record("dashboard", 132.0, 133.0, "http_500"),  # 3 s after its end: recovery 3 s
        Record("dashboard", 150.2, 150.4, "http_500"),  # the restart's, not a slow recovery from Redis
        Record("export", 200.0, 200.3, "ok"),
        Record("start_upload", 210.0, 210.3, "refused_with_reason"),  # a readable refusal, no error
        Record("scans", 300.0, 300.2, "reset"),  # outside every window
    ]
    figures = build(records, [redis, restart], [], [], [], minutes=5, users=1).figures
    assert figures["requests"] == 7
    assert figures["error_pct"] == 100 * 4 / 7
    assert figures["error_pct_outside_faults"] == 100 * 1 / 4  # dashboard@10, export, refused, scans
    assert figures["max_recovery_s"] == 3.0
