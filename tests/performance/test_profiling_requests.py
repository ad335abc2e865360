"""Request spans: named after the route pattern, with their queries, and no database write per request."""

from __future__ import annotations

import json
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from performance.models import QueryRollup, SpanSample
from performance.profiling import runtime
from performance.profiling.spans import recorder

from .db_support import clean_buffer  # noqa: F401 - fixture
from .monitoring_support import clean_spans, stats_of  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("clean_spans", "clean_buffer")


def thing(request, pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [pk])
    return HttpResponse(f"thing {pk}")


def slow_thing(request, pk):
    time.sleep(0.3)  # long enough for the flusher to run meanwhile
    return thing(request, pk)


def boom(request):
    raise RuntimeError("broken view")


def unnamed(request, slug):
    return HttpResponse("ok")


def not_found(request, exception):
    return HttpResponse("not found", status=404)


handler404 = not_found  # the product's 404 page links to routes this urlconf does not have
urlpatterns = [
    path("things/<int:pk>/", thing, name="thing"),
    path("slow/<int:pk>/", slow_thing, name="slow-thing"),
    path("boom/", boom, name="boom"),
    path("unnamed/<slug:slug>/", unnamed),
]


def names() -> set[str]:
    return {name for (_, name, _) in recorder.snapshot()}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_request_span_is_named_after_its_route_never_its_path(client):
    client.get("/things/4242/")
    client.get("/things/7/")
    client.get("/unnamed/jan-jansen/")
    stats = stats_of("request", "thing")
    assert stats.count == 2 and stats.errors == 0
    assert stats.queries == 2 and stats.db_s > 0
    assert f"{__name__}.unnamed" in names()  # a route without a name: its view's dotted path
    assert not any("4242" in name or "jansen" in name for name in names())


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_counts_as_an_error_and_a_miss_as_unresolved(client):
    client.raise_request_exception = False
    assert client.get("/boom/").status_code == 500
    assert client.get("/no/such/page/").status_code == 404
    assert stats_of("request", "boom").errors == 1
    assert stats_of("request", "unresolved").count == 1
    assert not any("such" in name for name in names())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=__name__, PERFORMANCE_BACKGROUND_THREADS=True,
                   PERFORMANCE_FLUSH_INTERVAL=0.05, PERFORMANCE_DB_FLUSH_INTERVAL=0)
def test_a_request_writes_nothing_to_the_database(client):
    client.get("/things/1/")  # a first request: the query statistics are due for writing from now on
    assert runtime.start("web")
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/slow/2/")  # the flusher writes, on its own thread, meanwhile
    finally:
        runtime.stop(final_flush=True)
    assert response.status_code == 200
    statements = [q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries]
    assert statements == ["SELECT"]  # the view's own query, and nothing else
    # ... and the figures did reach the database, written by the flusher.
    assert SpanSample.objects.filter(kind="request", name__in=["thing", "slow-thing"]).count() == 2
    assert QueryRollup.objects.filter(source=f"{__name__}.slow_thing").exists()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("ops", password="x", is_staff=True)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_staff_get_a_deep_profile_as_a_download(client, staff):
    client.force_login(staff)
    response = client.get("/things/3/?_profile=html")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="profile-thing-')
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"pyinstrument" in response.content.lower()
    speedscope = client.get("/things/3/?_profile=speedscope")
    assert json.loads(speedscope.content)["$schema"].startswith("https://www.speedscope.app/")


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_others_and_other_methods_get_the_ordinary_answer(client, staff):
    assert client.get("/things/3/?_profile=html").content == b"thing 3"  # anonymous
    get_user_model().objects.create_user("viewer", password="x")
    client.force_login(get_user_model().objects.get(username="viewer"))
    assert client.get("/things/3/?_profile=html").content == b"thing 3"  # not staff
    client.force_login(staff)
    assert client.get("/things/3/?_profile=bogus").content == b"thing 3"  # unknown format
    assert client.post("/things/3/?_profile=html").content == b"thing 3"  # not a GET
