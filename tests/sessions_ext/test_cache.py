"""cached_db: reads come from the cache; a cache that is down degrades to the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_ext.backends.cached_db import SessionStore
from tests.sessions_ext.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sessions_ext.urls")]

DOWN = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
}


def test_engine_is_cached_db():
    assert settings.SESSION_ENGINE == "sessions_ext.backends.cached_db"


def test_a_read_only_request_does_not_read_the_session_table(user):
    client = signed_in(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "sessions_ext_session" in q["sql"]]


def test_sessions_work_with_the_cache_down(user, settings):
    settings.CACHES = {**settings.CACHES, "down": DOWN}
    settings.SESSION_CACHE_ALIAS = "down"
    store = SessionStore()
    store["k"] = "v"
    store.save()
    assert SessionStore(store.session_key)["k"] == "v"  # read back from the database
    client = signed_in(user)  # sign-in, pages and sign-out all answer
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
