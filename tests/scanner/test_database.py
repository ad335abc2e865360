"""Database sources: SQLite always; PostgreSQL when one answers on 127.0.0.1:5432."""

from __future__ import annotations

import sqlite3

import pytest

from dataguardian.scanner.database import (
    DatabaseConnectError,
    iter_tables,
    redact_url,
    scan_database,
)
from dataguardian.scanner.masking import keyed_hash

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_TEST_DB = "dg_scanner_test"
KEY = b"test-key"  # the key of the email_engine fixture
BSNS = ["111222333", "123456782", "247593010"]


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
    assert (first.table, first.column_name, first.row_key, first.line) == ("klanten", "email", "*", None)
    assert first.row_key_hash == keyed_hash(KEY, "1")
    assert first.context == "email"  # the column name reaches the engine as header
    log = results["db:log"].findings[0]
    assert (log.row_key, log.row_key_hash) == ("#1", None)  # no primary key: our row number
    with pytest.raises(sqlite3.OperationalError):  # nothing was left writable or locked
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("DELETE FROM klanten")


def test_bad_urls_raise_one_clear_error(tmp_path, email_engine):
    for url, words in [("sqlite:///" + str(tmp_path / "missing.db"), "cannot open the SQLite"),
                       ("mysql://u:pw@h/db", "MySQL is not supported"),
                       ("ftp://x", "unsupported database URL"),
                       ("not a url", "unsupported database URL"),
                       ("sqlite:///", "SQLite URL needs a file")]:
        with pytest.raises(DatabaseConnectError, match=words):
            list(scan_database(url, email_engine))


def test_redact_url_hides_credentials_and_query_secrets():
    assert redact_url("postgresql://dg:s3cret@db.local:5432/app") == "postgresql://***@db.local:5432/app"
    assert redact_url("postgresql://db.local/app?user=dg&password=s3cret&sslmode=require") == (
        "postgresql://db.local/app?user=***&password=***&sslmode=require")
    assert redact_url("postgresql://db.local/app?sslpassword=KeyPass") == (
        "postgresql://db.local/app?sslpassword=***")
    assert redact_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


@pytest.mark.parametrize("url", [
    "postgresql://dg:TopSecret123@127.0.0.1:1/app",
    "postgresql://dg@127.0.0.1:1/app?sslpassword=TopSecret123&sslmode=require",
    "postgresql://dg@127.0.0.1:1/app?password=TopSecret123",
])
def test_credentials_never_in_connection_errors(email_engine, url):
    with pytest.raises(DatabaseConnectError) as caught:
        list(scan_database(url, email_engine))
    assert str(caught.value) == "cannot connect to the database"  # no port state, no URL
    assert caught.value.detail and "TopSecret123" not in caught.value.detail


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
        connection.execute("CREATE TABLE burgers (bsn char(9) PRIMARY KEY, email text)")
        connection.cursor().executemany("INSERT INTO burgers VALUES (%s, %s)",
                               [(bsn, f"b{bsn}@example.nl") for bsn in BSNS])
        connection.execute("INSERT INTO crm.notes VALUES ('call jan@example.nl')")
        connection.execute("ANALYZE")
    try:
        yield url
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_TEST_DB} WITH (FORCE)")
        admin.close()


def test_postgres_sampling(pg_url, email_engine):
    results = {r.path: r for r in scan_database(pg_url, email_engine, rows=50)}
    assert set(results) == {"db:customers", "db:crm.notes", "db:burgers"}
    customers = results["db:customers"]
    assert not customers.errors
    columns = {f.column_name for f in customers.findings}
    assert columns == {"email", "profile"}
    assert len([f for f in customers.findings if f.column_name == "email"]) == 50
    assert all(set(f.row_key) == {"*"} and len(f.row_key_hash) == 64 for f in customers.findings)
    assert results["db:crm.notes"].findings[0].row_key == "#1"


def test_postgres_row_keys_that_are_bsns_leave_only_masked_and_hashed(pg_url, email_engine):
    (burgers,) = [r for r in scan_database(pg_url, email_engine) if r.path == "db:burgers"]
    assert len(burgers.findings) == 3
    dumped = repr([f.as_dict() for f in burgers.findings])
    assert not any(bsn in dumped for bsn in BSNS)
    assert {f.row_key for f in burgers.findings} == {"*******33", "*******82", "*******10"}
    assert {f.row_key_hash for f in burgers.findings} == {keyed_hash(KEY, bsn) for bsn in BSNS}


def test_postgres_sample_is_spread_over_a_large_table(pg_url, email_engine):
    hashes = {f.row_key_hash for r in scan_database(pg_url, email_engine, rows=50)
              for f in r.findings if f.table == "customers"}
    first_rows = {keyed_hash(KEY, str(n)) for n in range(1, 1001)}
    assert hashes - first_rows  # TABLESAMPLE, not the first 50 rows


def test_postgres_session_is_read_only(pg_url):
    for _, segments in iter_tables(pg_url, KEY, rows=1):
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
        tables = database_postgres.iter_tables(pg_url, KEY, rows=1, timeout=5)
        next(tables)
        connection = seen["connection"]
        assert connection.execute("SHOW transaction_read_only").fetchone()[0] == "on"
        assert connection.execute("SHOW statement_timeout").fetchone()[0] == "5s"
        tables.close()
    finally:
        psycopg.connect = saved
