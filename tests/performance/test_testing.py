"""The private PostgreSQL helper: its own cluster, started, stopped, restarted and killed.

The soak bench and failure tests lean on it to take a database down without
touching the machine's shared server, so each lifecycle step is checked
against a real postmaster.
"""

from __future__ import annotations

import os

import psycopg
import pytest

from performance.testing import PG_BIN, PrivatePostgres


@pytest.fixture(scope="module")
def cluster():
    if not (PG_BIN / "initdb").exists():
        message = f"needs PostgreSQL's server binaries in {PG_BIN} (DG_PG_BIN)"
        if os.environ.get("DG_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"DG_REQUIRE_SERVICES is set but this test {message}", pytrace=False)
        pytest.skip(message)
    server = PrivatePostgres(settings={"max_connections": "20"})
    try:
        server.start()
        yield server
    finally:
        server.remove()


def _count(server: PrivatePostgres) -> int:
    with psycopg.connect(server.url()) as conn:
        return conn.execute("SELECT count(*) FROM kept").fetchone()[0]


def test_a_private_cluster_runs_on_its_own_port_with_the_given_settings(cluster):
    assert cluster.port != 5432
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        assert conn.execute("SHOW max_connections").fetchone()[0] == "20"
        assert conn.execute("SHOW port").fetchone()[0] == str(cluster.port)
        conn.execute("CREATE DATABASE soak_target")
    with psycopg.connect(cluster.url("soak_target")) as conn:
        assert conn.execute("SELECT current_database()").fetchone()[0] == "soak_target"


def test_restart_ends_open_sessions_and_keeps_committed_rows(cluster):
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
        conn.execute("INSERT INTO kept VALUES (1)")
    before = _count(cluster)
    held = psycopg.connect(cluster.url())
    try:
        cluster.restart()
        with pytest.raises(psycopg.OperationalError):
            held.execute("SELECT 1")
    finally:
        held.close()
    assert cluster.accepts_connections()
    assert _count(cluster) == before


def test_stop_refuses_connections_until_start(cluster):
    cluster.stop()
    assert not cluster.running
    assert not cluster.accepts_connections()
    cluster.start()
    assert cluster.accepts_connections()


def test_kill_is_a_crash_and_the_next_start_recovers_committed_rows(cluster):
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
        conn.execute("INSERT INTO kept VALUES (2)")
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    before = _count(cluster)
    postmaster = cluster.process.pid
    cluster.kill()
    assert not cluster.running
    for pid in (postmaster, backend):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    cluster.start()
    assert "was interrupted" in cluster.log_tail(50) or "not properly shut down" in cluster.log_tail(50)
    assert _count(cluster) == before


def test_remove_deletes_the_folder_it_made():
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"needs PostgreSQL's server binaries in {PG_BIN}")
    server = PrivatePostgres()
    try:
        server.start()
        folder = server.workdir
        assert (folder / "data" / "PG_VERSION").exists()
    finally:
        server.remove()
    assert not folder.exists()
    assert not server.running
