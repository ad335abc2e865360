"""PostgreSQL helpers for benches: a dedicated database, created and migrated."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.lib.server import manage

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dg_bench"


def bench_database_url(default: str = DEFAULT_URL) -> str:
    """BENCH_DATABASE_URL, else ``default`` (never the developer's DATABASE_URL database)."""
    return os.environ.get("BENCH_DATABASE_URL", default)


def admin_dsn(url: str) -> str:
    """The same server, database ``postgres`` (to create or drop others)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def ensure_database(url: str, recreate: bool = False) -> None:
    """Create the database named in ``url`` if it is missing (or drop it first)."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate(url: str) -> None:
    """``manage.py migrate`` against ``url``."""
    manage("migrate", "--noinput", "-v0", env={"DATABASE_URL": url})


def server_setting(url: str, name: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT current_setting(%s)", [name]).fetchone()[0]
