"""A read-only request within the write interval writes nothing to the session table."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_ext.backends.db import ACTIVITY_KEY
from sessions_ext.models import Session
from sessions_ext.services import session_store_class
from tests.sessions_ext.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sessions_ext.urls")]


def session_writes(queries) -> list[str]:
    return [
        q["sql"] for q in queries
        if "sessions_ext_session" in q["sql"] and q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}
    ]


def test_read_only_request_within_the_interval_does_not_write(user):
    client = signed_in(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert session_writes(queries.captured_queries) == []


def test_stale_activity_is_written_once(user):
    client = signed_in(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = session_store_class()(key)
    store[ACTIVITY_KEY] = int(time.time()) - 3600  # as if last written an hour ago
    store.save()
    before = Session.objects.get(session_key=key).last_activity

    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(session_writes(queries.captured_queries)) == 1
    assert Session.objects.get(session_key=key).last_activity > before
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert session_writes(queries.captured_queries) == []


def test_interval_zero_writes_every_request(user, settings):
    settings.SESSIONS_EXT_ACTIVITY_WRITE_INTERVAL = 0
    client = signed_in(user)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(session_writes(queries.captured_queries)) == 1


def test_anonymous_request_creates_no_session(db):
    from django.test import Client

    with CaptureQueriesContext(connection) as queries:
        Client().get("/accounts/login/")
    assert session_writes(queries.captured_queries) == []
    assert not Session.objects.exists()
