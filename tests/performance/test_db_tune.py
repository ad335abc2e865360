"""db_tune: parseable ALTER SYSTEM lines with current values; --apply only as superuser."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from performance.db.tuning import GB, MB, recommend

LINE = re.compile(r"^ALTER SYSTEM SET (\w+) = '([^']+)';  -- now (.+?); (restart|reload); (.+)$")
REQUIRED = {
    "shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem", "random_page_cost",
    "effective_io_concurrency", "max_connections", "checkpoint_completion_target", "max_wal_size",
    "min_wal_size", "wal_buffers",
}


def test_recommendations_scale_with_the_machine():
    small = {r.name: r.value for r in recommend(2 * GB, 2, 50)}
    big = {r.name: r.value for r in recommend(64 * GB, 16, 200)}
    assert small["shared_buffers"] == "512MB" and big["shared_buffers"] == "16GB"
    assert small["effective_cache_size"] == "1536MB"
    assert big["maintenance_work_mem"] == "2GB"  # capped
    assert small["max_connections"] == "50"
    assert {r.name for r in recommend(2 * GB, 2, 50, ssd=False) if r.value == "4"} == {"random_page_cost"}


def test_work_mem_never_below_4mb():
    work_mem = {r.name: r.value for r in recommend(512 * MB, 1, 500)}["work_mem"]
    assert work_mem == "4MB"


def test_nonsense_machine_is_refused():
    with pytest.raises(ValueError):
        recommend(100 * MB, 1, 10)


@pytest.mark.postgres
@pytest.mark.django_db
def test_output_parses_and_shows_current_values():
    out = StringIO()
    call_command("db_tune", "--connections", "40", "--ram-mb", "8192", "--cpus", "4", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("-- machine: 8.0 GB RAM, 4 CPUs, 40 connections")
    assert lines[-1] == "SELECT pg_reload_conf();"
    parsed = {}
    for line in lines[1:-1]:
        match = LINE.match(line)
        assert match, line
        name, value, now, when, reason = match.groups()
        parsed[name] = (value, now, when)
        assert reason.strip()
    assert REQUIRED <= set(parsed)
    assert parsed["shared_buffers"][0] == "2GB" and parsed["shared_buffers"][2] == "restart"
    assert parsed["work_mem"][2] == "reload"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_size_bytes(current_setting('work_mem')))")
        assert parsed["work_mem"][1] == cursor.fetchone()[0]  # the server's value, side by side
        for name, (value, _, _) in parsed.items():
            if value[-2:] in {"MB", "GB"}:
                cursor.execute("SELECT pg_size_bytes(%s)", [value])  # PostgreSQL accepts the unit
                assert cursor.fetchone()[0] > 0, name


@pytest.mark.postgres
@pytest.mark.django_db
def test_apply_refuses_without_superuser():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_file_settings")
        settings_before = cursor.fetchone()[0]
        cursor.execute("CREATE ROLE dg_tune_not_super NOSUPERUSER")  # rolled back with the test
        cursor.execute("SET ROLE dg_tune_not_super")
    try:
        with pytest.raises(CommandError, match="superuser.*dg_tune_not_super.*Nothing was changed"):
            call_command("db_tune", "--apply", stdout=StringIO())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_file_settings")
        assert cursor.fetchone()[0] == settings_before
