"""On the embedded SQLite default every database feature degrades cleanly.

Run in a child process with no DATABASE_URL, so it is checked on CI too
(where the tests themselves run on PostgreSQL).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sqlite_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "dataguardian.settings", "DG_VAR_DIR": str(tmp_path),
                "DEBUG_TOOLBAR": "false"})
    return env


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["db_tune"], "db_tune needs PostgreSQL; this database is sqlite."),
        (["index_audit"], "the index audit needs PostgreSQL, not sqlite"),
        (["pg_stat_snapshot"], "no snapshot: pg_stat_statements needs PostgreSQL, not sqlite"),
    ],
)
def test_commands_say_why_they_cannot_run(sqlite_env, command, message):
    out = manage(sqlite_env, *command)
    assert out.returncode == 1
    assert message in out.stderr and "Traceback" not in out.stderr


def test_recorder_pool_stats_and_tasks_on_sqlite(sqlite_env):
    assert manage(sqlite_env, "migrate", "-v0").returncode == 0
    code = """
import json
from django.db import connection
from performance.db import recorder
from performance.db.pool import pool_stats
from performance.db.store import flush
from performance.models import NPlusOne, QueryRollup
from performance import tasks
token = recorder.begin("request", "sqlite.view")
for i in range(12):
    with connection.cursor() as c:
        c.execute("SELECT %s", [i])
recorder.end(token)
print(json.dumps({
    "flushed": flush(),
    "n_plus_one": list(NPlusOne.objects.values_list("source", "max_repeats")),
    "rollups": QueryRollup.objects.count(),
    "pool": pool_stats(),
    "pgss": tasks.pg_stat_snapshot(),
    "audit": tasks.index_audit(),
}))
"""
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=sqlite_env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["flushed"] is True
    assert data["n_plus_one"] == [["sqlite.view", 12]]
    assert data["rollups"] == 1
    assert data["pool"]["enabled"] is False and "sqlite" in data["pool"]["reason"]
    assert data["pgss"]["taken"] is False and "PostgreSQL" in data["pgss"]["reason"]
    assert data["audit"] == {"saved": False, "reason": "the index audit needs PostgreSQL, not sqlite"}
