"""Database sources: SQLite always; PostgreSQL when one answers on 127.0.0.1:5432."""

from __future__ import annotations

import sqlite3

import pytest

from dataguardian.scanner.database import DatabaseSourceError, iter_tables, redact_url, scan_database

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_TEST_DB = "dg_scanner_test"


def make_sqlite(path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE klanten (id INTEGER PRIMARY KEY, naam TEXT, email VARCHAR(80),"
                           " leeftijd INTEGER, notes)")
        connection.executemany("INSERT INTO klanten (naam, email, leeftijd, notes) VALUES (?, ?, ?, ?)",
                               [(f"Klant {n}", f"k{n}@example.nl", 30, None) for n in range(500)])
        connection.execute("CREATE TABLE empty (x INTEGER)")
        connection.execute("CREATE TABLE log (regel TEXT)")
        connection.execute("INSERT INTO log VALUES ('login door admin@example.nl')")
    connection.close()


def test_sqlite_samples_rows_read_only(tmp_path, email_engine):
    path = tmp_path / "shop.db"
    make_sqlite(path)
    results = {r.path: r for r in scan_database(f"sqlite:///{path}", email_engine, rows=25)}
    assert set(results) == {"db:klanten", "db:empty", "db:log"}
    klanten = results["db:klanten"].findings
    assert len(klanten) == 25
    first = klanten[0]
    assert (first.table, first.column_name, first.row_key, first.line) == ("klanten", "email", "1", None)
    assert first.context == "email"  # the column name reaches the engine as header
    assert results["db:log"].findings[0].row_key == "1"  # no primary key: row number
    with pytest.raises(sqlite3.OperationalError):  # nothing was left writable or locked
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("DELETE FROM klanten")


def test_bad_urls_give_clear_errors(tmp_path, email_engine):
    for url, words in [("sqlite:///" + str(tmp_path / "missing.db"), "cannot open SQLite"),
                       ("mysql://u:pw@h/db", "MySQL is not supported"),
                       ("ftp://x", "unsupported database URL"),
                       ("not a url", "unsupported database URL")]:
        (result,) = list(scan_database(url, email_engine))
        assert words in result.errors[0].reason, url
    with pytest.raises(DatabaseSourceError):
        list(iter_tables("sqlite:///"))


def test_redact_url_hides_passwords():
    assert redact_url("postgresql://dg:s3cret@db.local:5432/app") == "postgresql://dg:***@db.local:5432/app"
    assert redact_url("postgresql://db.local/app?user=dg&password=s3cret") == (
        "postgresql://db.local/app?user=dg&password=%2A%2A%2A")
    assert redact_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_password_never_in_errors(email_engine):
    url = "postgresql://dg:TopSecret123@127.0.0.1:1/app"
    (result,) = list(scan_database(url, email_engine))
    assert result.errors and "TopSecret123" not in str(result)


@pytest.fixture(scope="module")
def pg_url():
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 as postgres: {exc}")
    admin.execute(f"DROP DATABASE IF EXISTS {PG_TEST_DB}")
    admin.execute(f"CREATE DATABASE {PG_TEST_DB}")
    url = f"postgresql://postgres@127.0.0.1:5432/{PG_TEST_DB}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text, email varchar(80),"
                           " profile jsonb, age int)")
        connection.execute("INSERT INTO customers (name, email, profile, age) SELECT 'C ' || n,"
                           " 'c' || n || '@example.nl', jsonb_build_object('alt', 'a' || n ||"
                           " '@example.nl'), 40 FROM generate_series(1, 20000) n")
        connection.execute("CREATE SCHEMA crm")
        connection.execute("CREATE TABLE crm.notes (body text)")
        connection.execute("INSERT INTO crm.notes VALUES ('call jan@example.nl')")
        connection.execute("ANALYZE")
    try:
        yield url
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_TEST_DB} WITH (FORCE)")
        admin.close()


def test_postgres_sampling(pg_url, email_engine):
    results = {r.path: r for r in scan_database(pg_url, email_engine, rows=50)}
    assert set(results) == {"db:customers", "db:crm.notes"}
    customers = results["db:customers"]
    assert not customers.errors
    columns = {f.column_name for f in customers.findings}
    assert columns == {"email", "profile"}
    assert len([f for f in customers.findings if f.column_name == "email"]) == 50
    assert all(f.row_key and f.row_key.isdigit() for f in customers.findings)
    assert results["db:crm.notes"].findings[0].row_key == "1"


def test_postgres_sample_is_spread_over_a_large_table(pg_url, email_engine):
    keys = {int(f.row_key) for r in scan_database(pg_url, email_engine, rows=50)
            for f in r.findings if f.table == "customers"}
    assert max(keys) > 1000  # TABLESAMPLE, not the first 50 rows


def test_postgres_session_is_read_only(pg_url):
    for _, segments in iter_tables(pg_url, rows=1):
        list(segments)
    import psycopg

    from dataguardian.scanner import database_postgres

    seen = {}
    real_connect = psycopg.connect

    def spy(*args, **kwargs):
        connection = real_connect(*args, **kwargs)
        seen["connection"] = connection
        return connection

    psycopg.connect, saved = spy, psycopg.connect
    try:
        tables = database_postgres.iter_tables(pg_url, rows=1, timeout=5)
        next(tables)
        connection = seen["connection"]
        assert connection.execute("SHOW transaction_read_only").fetchone()[0] == "on"
        assert connection.execute("SHOW statement_timeout").fetchone()[0] == "5s"
        tables.close()
    finally:
        psycopg.connect = saved
