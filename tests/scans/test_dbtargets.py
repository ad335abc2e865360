# ruff: noqa: F811 - fixtures imported from pipeline_support
"""Database-URL scans reach only what an operator allowed (dataguardian.scans.dbtargets).

Nothing here connects to the documentation addresses (192.0.2.x); the
worker-side tests connect only to closed ports on this machine's loopback.
"""

from __future__ import annotations

import logging
import socket

import pytest

from dataguardian.orgs.models import Role
from dataguardian.scans import dbtargets
from dataguardian.scans.models import Scan, ScanCredential, ScanStatus
from dataguardian.scans.services import scan_create
from dataguardian.scans.sources import ScanSourceError
from tests.scans.pipeline_support import eager_celery, make_member, make_org  # noqa: F401

pytestmark = pytest.mark.django_db
SERVER = "192.0.2.10"


@pytest.fixture
def allowed(settings):
    settings.DG_SCAN_DATABASE_HOSTS = [SERVER, "127.0.0.1:5999"]
    return settings


@pytest.mark.parametrize("parameter, words", [
    ("host=10.0.0.1", "may not set “host”"), ("hostaddr=10.0.0.1", "may not set “hostaddr”"),
    ("port=6432", "may not set “port”"), ("service=prod", "may not set “service”"),
    ("options=-c%20search_path%3Dx", "may not set “options”"), ("dbname=other", "may not set “dbname”"),
    ("passfile=/root/.pgpass", "names files"), ("sslkey=/etc/ssl/key.pem", "names files"),
    ("sslcert=/etc/ssl/c.pem", "names files"), ("sslrootcert=/etc/ssl/ca.pem", "names files"),
    ("sslcrl=/etc/ssl/crl.pem", "names files"), ("sslpassword=TopSecret", "names files"),
    ("application_name=x", "only connect_timeout and sslmode"), ("sslmode=bogus", "must be one of"),
    ("sslmode=require&sslmode=disable", "given twice"), ("connect_timeout=soon", "number of seconds"),
])
def test_parameters_that_redirect_or_name_server_files_are_refused(allowed, parameter, words):
    with pytest.raises(ScanSourceError, match=words) as caught:
        dbtargets.check_database_url(f"postgres://u:TopSecret@{SERVER}/crm?{parameter}")
    assert "TopSecret" not in caught.value.message


@pytest.mark.parametrize("url", [
    f"postgres://u@{SERVER},10.0.0.1/crm", "postgres://u@%2Fvar%2Frun%2Fpostgresql/crm",
    f"postgres://u@{SERVER}", "postgres:///crm", f"postgres://u@{SERVER}:99999/crm",
])
def test_socket_paths_host_lists_and_missing_parts_are_refused(allowed, url):
    with pytest.raises(ScanSourceError):
        dbtargets.check_database_url(url)


def test_an_empty_allow_list_turns_database_servers_off(settings):
    settings.DG_SCAN_DATABASE_HOSTS = []
    with pytest.raises(ScanSourceError, match="No database servers are enabled"):
        dbtargets.check_database_url(f"postgres://u:p@{SERVER}/crm")


def test_hosts_and_ports_outside_the_list_are_refused(allowed):
    assert dbtargets.check_database_url(f"postgres://u:p@{SERVER}/crm")[1] == f"postgres://***@{SERVER}:5432/crm"
    for url in (f"postgres://u:p@{SERVER}:5433/crm", "postgres://u:p@192.0.2.11/crm",
                "postgres://u:p@127.0.0.1:5998/crm"):
        with pytest.raises(ScanSourceError, match="not one an administrator allowed"):
            dbtargets.check_database_url(url)


def test_aliases_are_judged_by_their_addresses(allowed):
    # "localhost" and "127.1" are 127.0.0.1 under other names: allowed as the address is.
    for host in ("localhost", "127.1", "127.0.0.1"):
        if dbtargets.resolve(host, 5999) != {"127.0.0.1"}:
            continue  # this resolver maps the name elsewhere too (::1): judged on every address
        assert dbtargets.check_database_url(f"postgres://u:p@{host}:5999/crm")[0] == "postgres"
    with pytest.raises(ScanSourceError, match="not one an administrator allowed"):
        dbtargets.check_database_url("postgres://u:p@[::1]:5999/crm")  # another address
    assert dbtargets.check_database_url("postgres://u:p@127.0.0.1:5999/crm")[0] == "postgres"


def test_the_platforms_own_database_servers_are_refused_whatever_the_list_says(settings, monkeypatch):
    own = {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": "6543", "NAME": "dg"}
    monkeypatch.setitem(settings.DATABASES, "platform_copy", own)
    settings.DG_SCAN_DATABASE_HOSTS = ["127.0.0.1:6543", "[::1]:6543", "0.0.0.0:6543", "localhost:6543"]
    for host in ("127.0.0.1", "[::1]", "0.0.0.0", "localhost"):
        with pytest.raises(ScanSourceError, match="own database cannot be scanned"):
            dbtargets.check_database_url(f"postgres://postgres@{host}:6543/other")


def test_the_platforms_sqlite_file_is_refused(settings, tmp_path, monkeypatch):
    own = tmp_path / "platform.sqlite3"
    own.write_bytes(b"")
    monkeypatch.setitem(settings.DATABASES, "platform_copy", {"ENGINE": "django.db.backends.sqlite3",
                                                             "NAME": str(own)})
    settings.DG_SCAN_FOLDERS = [str(tmp_path)]
    with pytest.raises(ScanSourceError, match="own database cannot be scanned"):
        dbtargets.check_database_url(f"sqlite:///{own}")


def test_a_name_that_resolves_elsewhere_by_scan_time_is_refused_by_the_worker(allowed, monkeypatch):
    stored = dbtargets.check_database_url(f"postgres://u:p@{SERVER}/crm")[2]
    assert f"hostaddr={SERVER}" in dbtargets.connection_url(stored)  # pinned to the checked address
    monkeypatch.setattr(dbtargets.settings, "DG_SCAN_DATABASE_HOSTS", ["192.0.2.99"])
    with pytest.raises(ScanSourceError, match="not one an administrator allowed"):
        dbtargets.connection_url(stored)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again once the socket is


@pytest.mark.parametrize("closed", [True, False])
def test_connection_errors_are_generic_and_logged_without_credentials(
        settings, eager_celery, django_capture_on_commit_callbacks, caplog, closed):
    port = _closed_port()
    listener = None
    if not closed:  # an open port that is no PostgreSQL: the same words as a closed one
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
    settings.DG_SCAN_DATABASE_HOSTS = [f"127.0.0.1:{port}"]
    org = make_org()
    url = f"postgres://dg:TopSecret@127.0.0.1:{port}/crm?connect_timeout=2"
    try:
        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
            scan = scan_create(user=make_member(org, Role.ANALYST), organization=org, kind="database",
                               database_url=url)
    finally:
        if listener is not None:
            listener.close()
    scan = Scan.objects.get(pk=scan.pk)
    assert scan.status == ScanStatus.COMPLETED
    assert scan.file_errors == [{"path": "database", "reason": (
        "could not connect to the database: check the host, port, database name and credentials, "
        "and that the server accepts connections from the scanning service")}]
    assert "TopSecret" not in caplog.text and "cannot connect to postgresql://***@" in caplog.text
    assert not ScanCredential.objects.exists()
