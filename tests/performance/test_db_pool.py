"""Pool sizes and switches come from the environment; pool statistics per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from performance.db.pool import pool_stats

ROOT = Path(__file__).resolve().parents[2]


def settings_with(tmp_path, **env) -> dict:
    """The DATABASES['default'] a fresh process builds from ``env``."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({'options': d.get('OPTIONS', {}), 'max_age': d.get('CONN_MAX_AGE'), "
        "'health': d.get('CONN_HEALTH_CHECKS')}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "DATABASE_URL"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "dataguardian.settings", "DG_VAR_DIR": str(tmp_path), **env})
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


PG = "postgres://u@127.0.0.1:5432/x"


def test_pool_sizes_from_the_environment(tmp_path):
    got = settings_with(tmp_path, DATABASE_URL=PG, DB_POOL_MIN_SIZE="3", DB_POOL_MAX_SIZE="7",
                        DB_POOL_TIMEOUT="4")
    assert got["options"]["pool"] == {"min_size": 3, "max_size": 7, "timeout": 4}
    assert got["max_age"] == 0
    assert got["health"] is True  # pooled connections are checked as they are taken


def test_pool_check_can_be_turned_off(tmp_path):
    assert settings_with(tmp_path, DATABASE_URL=PG, DB_POOL_CHECK="false")["health"] is False


def test_session_settings_travel_in_the_startup_options(tmp_path):
    got = settings_with(tmp_path, DATABASE_URL=PG, DB_STATEMENT_TIMEOUT_MS="1234")
    assert "-c statement_timeout=1234" in got["options"]["options"]
    assert "lock_timeout" in got["options"]["options"]
    assert "idle_in_transaction_session_timeout" in got["options"]["options"]


@pytest.mark.parametrize(("max_age", "health"), [("0", False), ("600", True)])
def test_pool_off_gives_conn_max_age(tmp_path, max_age, health):
    got = settings_with(tmp_path, DATABASE_URL=PG, DB_POOL="false", DB_CONN_MAX_AGE=max_age)
    assert "pool" not in got["options"]
    assert got["max_age"] == int(max_age)
    assert got["health"] is health


def test_bad_pool_switch_is_one_clear_error(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    clean.update({"DATABASE_URL": PG, "DB_POOL": "perhaps", "DG_VAR_DIR": str(tmp_path)})
    out = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True,
                         text=True)
    assert out.returncode != 0
    assert "DB_POOL" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pool_stats_count_checkouts():
    connection.close()
    before = pool_stats()
    assert before["enabled"] is True
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.close()  # back to the pool
    after = pool_stats()
    assert after["requests"] - before["requests"] == 3
    assert 1 <= after["size"] <= after["max_size"]
    assert after["available"] >= 1
    assert after["waiting"] == 0 and after["pid"] == os.getpid()
    assert set(after) >= {"size", "available", "waiting", "timeouts", "min_size", "max_size"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_the_server_ended_is_never_handed_out():
    """A PostgreSQL restart ends every idle pooled connection; the next query must still work."""
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        before = cursor.fetchone()[0]
    connection.close()  # idle in the pool now
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        # What a restart does to this database's other sessions: all of them end.
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchone()[0]:
            time.sleep(0.01)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != before
    connection.close()
