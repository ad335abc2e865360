"""Query cache: once a write has committed, no reader gets the old result.

Two threads, so two database connections: a writer and a reader, each in
its own transaction, the reader racing the writer's commit.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction
from django.test import override_settings

from dataguardian.orgs.models import Organization
from performance.querycache import cached_query, invalidate_now, invalidate_on_commit

from .cache_support import clean_cache  # noqa: F401 - fixture
from .db_support import in_thread

NS = "dashboard"
KEY = ("tests", "org-names")
DEP = ("tests", "orgs")


def org_names() -> list[str]:
    return sorted(Organization.objects.values_list("name", flat=True))


def read() -> list[str]:
    return cached_query(NS, KEY, org_names, depends_on=DEP)


def rename(old: str, new: str, before_commit=None) -> None:
    with transaction.atomic():
        Organization.objects.filter(name=old).update(name=new)
        invalidate_on_commit(NS, DEP)
        if before_commit:
            before_commit()


pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_cache")]


@pytest.fixture
def orgs():
    Organization.objects.create(name="Alpha", slug="alpha")
    Organization.objects.create(name="Beta", slug="beta")


@pytest.mark.postgres
@pytest.mark.redis
def test_a_committed_write_is_seen_by_the_next_reader(orgs):
    assert in_thread(read) == ["Alpha", "Beta"]
    calls = []
    assert in_thread(lambda: cached_query(NS, KEY, lambda: calls.append(1), depends_on=DEP)) == [
        "Alpha", "Beta"]
    assert calls == []  # served from the cache
    in_thread(lambda: rename("Alpha", "Gamma"))
    assert in_thread(read) == ["Beta", "Gamma"]


@pytest.mark.postgres
@pytest.mark.redis
def test_a_reader_racing_the_commit_cannot_cache_the_old_result(orgs):
    """The reader queries before the commit and stores after it: its old rows must not be served."""
    queried, committed = threading.Event(), threading.Event()

    def slow_reader():
        def compute():
            names = org_names()  # the old snapshot: the write has not committed yet
            queried.set()
            assert committed.wait(10)
            return names  # stored after the commit and its invalidation

        return cached_query(NS, KEY, compute, depends_on=DEP)

    reader = threading.Thread(target=lambda: (slow_reader(), connections.close_all()))
    reader.start()
    assert queried.wait(10)
    in_thread(lambda: rename("Alpha", "Gamma"))
    committed.set()
    reader.join(10)
    # The writer's commit has returned: every reader now sees the new name.
    assert in_thread(read) == ["Beta", "Gamma"]
    assert in_thread(read) == ["Beta", "Gamma"]


@pytest.mark.postgres
@pytest.mark.redis
def test_readers_during_the_writing_transaction_bypass_the_cache(orgs):
    in_thread(read)
    seen = {}

    def during():
        seen["names"] = in_thread(read)  # another connection: the write is not visible yet

    in_thread(lambda: rename("Alpha", "Gamma", before_commit=during))
    assert seen["names"] == ["Alpha", "Beta"]  # the database's answer, not cached ...
    assert in_thread(read) == ["Beta", "Gamma"]  # ... so nothing old outlives the commit


@pytest.mark.postgres
@pytest.mark.redis
def test_a_rolled_back_write_leaves_readers_correct(orgs):
    in_thread(read)

    def write_and_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            Organization.objects.filter(name="Alpha").update(name="Gamma")
            invalidate_on_commit(NS, DEP)
            raise RuntimeError("rolled back")

    in_thread(write_and_fail)
    assert in_thread(read) == ["Alpha", "Beta"]


@pytest.mark.redis
def test_invalidate_now(orgs):
    read()
    Organization.objects.filter(name="Alpha").update(name="Delta")
    assert read() == ["Alpha", "Beta"]  # cached, and nobody said it changed
    invalidate_now(NS, DEP)
    assert read() == ["Beta", "Delta"]


@pytest.mark.redis
def test_concurrent_misses_compute_once():
    """The miss goes through the namespace's stampede lock: one reader runs fn."""
    started, release, calls = threading.Event(), threading.Event(), []

    def compute():
        calls.append(1)
        started.set()
        assert release.wait(10)
        return ["computed"]

    first = threading.Thread(target=lambda: cached_query(NS, KEY, compute, depends_on=DEP))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: cached_query(NS, KEY, compute, depends_on=DEP))
    second.start()
    second.join(0.3)  # let the second reader find the lock taken
    release.set()
    first.join(10)
    second.join(10)
    assert calls == [1]
    assert cached_query(NS, KEY, compute, depends_on=DEP) == ["computed"]


@override_settings(PERFORMANCE_QUERY_CACHE="auto")
def test_an_in_process_cache_is_not_used_by_default(orgs, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "querycache-test"}}
    calls = []

    def compute():
        calls.append(1)
        return org_names()

    cached_query(NS, KEY, compute)
    cached_query(NS, KEY, compute)
    assert len(calls) == 2  # another process could not see our invalidation: no caching


def test_off_means_off(orgs, settings):
    settings.PERFORMANCE_QUERY_CACHE = False
    calls = []
    for _ in range(2):
        cached_query(NS, KEY, lambda: calls.append(1))
    assert len(calls) == 2
