"""The execute wrapper: on every connection, pooled ones included, installed once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.backends.signals import connection_created

from performance.db import instrumentation, recorder
from performance.db.instrumentation import QueryObserver, observer_of
from performance.db.pool import pool_stats

from .db_support import clean_buffer  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("clean_buffer")


def observers(conn) -> int:
    return sum(isinstance(w, QueryObserver) for w in conn.execute_wrappers)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pooled_checkouts_are_counted_and_the_wrapper_is_installed_once():
    created = []

    def count(sender, connection, **kwargs):
        created.append(connection)

    connection.ensure_connection()
    connection_created.connect(count)
    try:
        installs = instrumentation.installs
        requests_before = pool_stats()["requests"]
        token = recorder.begin("request", "test")
        for i in range(5):
            connection.close()  # give the psycopg connection back to the pool
            with connection.cursor() as cursor:  # ... and check one out again
                cursor.execute("SELECT %s", [i])
        scope = recorder.end(token)
    finally:
        connection_created.disconnect(count)
    assert pool_stats()["requests"] - requests_before == 5  # five checkouts from the pool
    assert len(created) == 5  # Django announced each checkout as a new connection...
    assert observers(connection) == 1  # ... but the wrapper is there once
    assert instrumentation.installs == installs  # and was not installed again
    assert scope.queries == 5 and scope.seconds > 0


@pytest.mark.django_db(transaction=True)
def test_every_thread_connection_gets_one_observer():
    seen = {}

    def work():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        conn = connections["default"]
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        seen["observers"] = observers(conn)
        seen["alias"] = observer_of(conn).alias
        conn.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == {"observers": 1, "alias": "default"}


@pytest.mark.django_db
def test_install_is_idempotent():
    connection.ensure_connection()
    assert instrumentation.install(connection) is False
    assert observers(connection) == 1


@pytest.mark.django_db
def test_queries_outside_a_scope_are_not_counted_but_do_not_fail():
    assert recorder.current() is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_failing_query_is_still_counted_and_raises():
    from django.db import DatabaseError, transaction

    token = recorder.begin("request", "test")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_here")
    scope = recorder.end(token)
    assert scope.queries >= 1
