"""The cases of bench/querycache.py: one read and one write per caching strategy."""

from __future__ import annotations

import hashlib
import random
import threading
import time
import uuid
from contextlib import contextmanager, nullcontext

from cachalot.api import cachalot_disabled, invalidate
from django.core.cache import caches
from django.db import connection, connections, transaction
from django.db.models import Count

from bench.lib.copyload import copy_rows
from dataguardian.orgs.models import Organization
from dataguardian.scans.models import Finding, Scan
from dataguardian.scans.services import scans_delete
from performance.cache import namespace
from performance.querycache import cached_query, invalidate_on_commit
from tests.foundation.factories import make_scan

STRATEGIES = ("none", "explicit_generations", "naive_delete", "cachalot")
ORGS, PER_ORG, NS = 50, 2000, "dashboard"
KEYS = {"run": uuid.uuid4().hex[:8]}  # fresh keys per run and per case


def dashboard(org_id: int) -> list[list[int]]:
    """The expensive read: an organisation's findings by severity."""
    rows = (Finding.objects.filter(organization_id=org_id).values("severity")
            .annotate(n=Count("id")).order_by("severity"))
    return [[r["severity"], r["n"]] for r in rows]


def load() -> list[tuple[int, int, int]]:
    """(org id, findings, scan id) of the bench organisations, loaded once."""
    with cachalot_disabled():
        if Organization.objects.filter(slug__startswith="qc-").count() != ORGS:
            scans_delete(scans=Scan.objects.filter(organization__slug__startswith="qc-"))
            Organization.objects.filter(slug__startswith="qc-").delete()
            for i in range(ORGS):
                org = Organization.objects.create(name=f"QC {i}", slug=f"qc-{i}")
                make_scan(org, kind="documents", source="bench", status="completed")
            ours = Scan.objects.filter(organization__slug__startswith="qc-")
            scans = ours.values_list("pk", "organization_id")
            rows = ((scan, org, "EMAIL", "contact", 1 + n % 4, 0.9, "f.txt", 1, 1, "j***@x.nl",
                     hashlib.sha256(f"{scan}-{n}".encode()).hexdigest(), "", "2026-01-01T00:00:00+00:00")
                    for scan, org in scans for n in range(PER_ORG))
            columns = ["scan_id", "organization_id", "entity", "category", "severity", "confidence", "path",
                       "line", "column", "masked_value", "value_hash", "context", "created_at"]
            copy_rows(Finding, columns, rows, ORGS * PER_ORG)
        return [(org, sum(n for _, n in dashboard(org)), scan) for scan, org in
                Scan.objects.filter(organization__slug__startswith="qc-").values_list("pk", "organization")]


def truth(org_id: int) -> list[list[int]]:
    with cachalot_disabled():
        return dashboard(org_id)


def read(strategy: str, org_id: int, pause=None):
    """The dashboard through ``strategy``; ``pause()`` runs after the query, before the store."""
    def compute():
        result = dashboard(org_id)
        if pause:
            pause()
        return result

    key = ("bench", KEYS["run"], org_id)
    if strategy == "cachalot":
        with _pause_cachalot_store(pause) if pause else nullcontext():
            return dashboard(org_id)
    with cachalot_disabled():
        if strategy == "none":
            return compute()
        if strategy == "explicit_generations":
            return cached_query(NS, (*key, "severity"), compute, depends_on=key)
        return namespace(NS).get_or_set((*key, "naive"), compute)


@contextmanager
def _pause_cachalot_store(pause):
    cache = caches["cachalot"]  # this thread's instance
    original = cache.set_many

    def paused(*args, **kwargs):
        pause()
        return original(*args, **kwargs)

    cache.set_many = paused
    try:
        yield
    finally:
        cache.set_many = original


def write(strategy: str, org_id: int, scan_id: int, via_copy: bool = False) -> None:
    """One new finding for ``org_id``, committed with ``strategy``'s invalidation."""
    key = ("bench", KEYS["run"], org_id)
    value_hash = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    with transaction.atomic():
        if via_copy:  # how the scan pipeline writes findings
            copy_rows(Finding, ["scan_id", "organization_id", "entity", "category", "severity", "confidence",
                                "masked_value", "value_hash", "created_at"],
                      iter([(scan_id, org_id, "EMAIL", "c", 2, 0.9, "x", value_hash,
                             "2026-01-01T00:00:00+00:00")]), 1, label="copy")
        else:
            Finding.objects.create(scan_id=scan_id, organization_id=org_id, entity="EMAIL", category="c",
                                   severity=2, confidence=0.9, masked_value="x", value_hash=value_hash)
        if strategy == "explicit_generations":
            invalidate_on_commit(NS, key)
        elif strategy == "naive_delete":
            namespace(NS).delete_on_commit((*key, "naive"))


def _thread(fn):
    def target():
        try:
            fn()
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def race_case(strategy: str, orgs, trials: int) -> int:
    """How many reads after the commit returned the old result."""
    KEYS["run"] = uuid.uuid4().hex[:8]
    stale = 0
    for trial in range(trials):
        org, _, scan = orgs[trial % len(orgs)]
        invalidate("scans_finding")  # cachalot: start from a miss
        queried, committed = threading.Event(), threading.Event()

        def pause(queried=queried, committed=committed):
            queried.set()
            committed.wait(10)

        reader = _thread(lambda org=org, pause=pause: read(strategy, org, pause))
        queried.wait(10)
        _thread(lambda org=org, scan=scan: write(strategy, org, scan)).join()
        committed.set()
        reader.join()
        stale += read(strategy, org) != truth(org)
    return stale


def copy_case(strategy: str, orgs) -> bool:
    """Is the read after a committed COPY of findings stale?"""
    KEYS["run"] = uuid.uuid4().hex[:8]
    org, _, scan = orgs[-1]
    read(strategy, org)
    read(strategy, org)  # cached now (where the strategy caches)
    write(strategy, org, scan, via_copy=True)
    return read(strategy, org) != truth(org)


def mixed_case(strategy: str, orgs, reads: int, writes: int) -> dict:
    KEYS["run"] = uuid.uuid4().hex[:8]
    rng = random.Random(7)
    invalidate("scans_finding")
    expected = {org: truth(org) for org, _, _ in orgs}
    executed = [0]

    def count(execute, sql, params, many, context):
        executed[0] += "scans_finding" in sql and sql.lstrip().upper().startswith("SELECT")
        return execute(sql, params, many, context)

    hits, stale, spent = 0, 0, 0.0
    every = reads // writes
    with connection.execute_wrapper(count):
        for i in range(reads):
            org, _, scan = orgs[rng.randrange(len(orgs))]
            if i % every == every - 1:
                write(strategy, org, scan)
                expected[org] = [[s, n + (s == 2)] for s, n in expected[org]]
            before = executed[0]
            start = time.perf_counter()
            result = read(strategy, org)
            spent += time.perf_counter() - start
            hits += executed[0] == before
            stale += result != expected[org]
    return {"hit_rate": hits / reads, "read_ms": spent / reads * 1000, "stale": stale}
