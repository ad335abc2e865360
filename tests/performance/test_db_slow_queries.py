"""Slow queries are aggregated under their fingerprint and written in batches."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from performance.db import recorder
from performance.db.fingerprint import fingerprint, fingerprint_hash
from performance.db.store import flush
from performance.models import QueryRollup, SlowQuery

from .db_support import clean_buffer  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("clean_buffer")


def run(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


@pytest.mark.postgres
@pytest.mark.django_db
@override_settings(PERFORMANCE_SLOW_QUERY_MS=50)
def test_pg_sleep_is_recorded_under_its_fingerprint():
    token = recorder.begin("request", "tests.slow_view")
    run("SELECT pg_sleep(%s), %s AS who", [0.08, "jan@example.nl"])
    run("SELECT pg_sleep(%s), %s AS who", [0.06, "piet@example.nl"])
    run("SELECT 1")  # fast: not recorded
    recorder.end(token)
    assert flush() is True
    row = SlowQuery.objects.get()
    assert row.fingerprint == "SELECT pg_sleep(?), ? AS who"
    assert row.fingerprint_hash == fingerprint_hash(fingerprint("SELECT pg_sleep(%s), %s AS who"))
    assert row.source == "tests.slow_view"
    assert row.calls == 2
    assert row.max_ms >= 60 and row.total_ms >= row.max_ms
    assert "example.nl" not in row.example and row.example.endswith("-- params: float, str")
    assert row.explain == ""  # EXPLAIN is opt-in


@pytest.mark.postgres
@pytest.mark.django_db
@override_settings(PERFORMANCE_SLOW_QUERY_MS=50, PERFORMANCE_EXPLAIN_SLOW_QUERIES=True)
def test_explain_is_opt_in_and_masked():
    token = recorder.begin("request", "tests.explained")
    run("SELECT pg_sleep(0.06), count(*) FROM auth_user WHERE username = %s", ["geheim-naam"])
    recorder.end(token)
    flush()
    plan = SlowQuery.objects.get().explain
    assert "auth_user" in plan
    assert "geheim-naam" not in plan


@pytest.mark.postgres
@pytest.mark.django_db
@override_settings(PERFORMANCE_SLOW_QUERY_MS=50)
def test_flushes_add_up_and_write_one_statement_per_table():
    for source_calls in (2, 3):
        token = recorder.begin("task", "tests.task")
        for _ in range(source_calls):
            run("SELECT pg_sleep(0.06)")
        recorder.end(token)
        with CaptureQueriesContext(connection) as writes:
            flush()
        inserts = [q for q in writes.captured_queries if "INSERT INTO" in q["sql"]]
        assert len(inserts) == 2  # slow queries + rollups: one batched upsert each
    row = SlowQuery.objects.get(source="tests.task")
    assert row.calls == 5
    rollup = QueryRollup.objects.get(source="tests.task")
    assert rollup.scopes == 2 and rollup.queries == 5 and rollup.max_queries == 3


@pytest.mark.django_db
def test_rollups_are_one_row_per_source_and_hour_not_per_request():
    for _ in range(50):
        token = recorder.begin("request", "tests.rollup")
        run("SELECT 1")
        recorder.end(token)
    flush()
    rollup = QueryRollup.objects.get(source="tests.rollup")
    assert (rollup.scopes, rollup.queries, rollup.kind) == (50, 50, "request")


@pytest.mark.django_db
def test_a_failed_flush_keeps_the_figures_for_the_next_one(monkeypatch):
    token = recorder.begin("request", "tests.retry")
    run("SELECT 1")
    recorder.end(token)
    from performance.db import store

    real = store.upsert

    def broken(*args, **kwargs):
        raise store.connections["default"].Database.OperationalError("database went away")

    monkeypatch.setattr(store, "upsert", broken)
    assert flush() is False  # logged, not raised
    monkeypatch.setattr(store, "upsert", real)
    assert flush() is True
    assert QueryRollup.objects.get(source="tests.retry").scopes == 1
