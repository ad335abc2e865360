"""Dashboard session figures, and the capacity plan's numbers and output."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sessions_ext import analytics
from sessions_ext.capacity import MB, Machine, plan
from sessions_ext.models import Session

pytestmark = pytest.mark.django_db


def session(n, user, created_ago, active_ago, expires_in=timedelta(hours=1)):
    now = timezone.now()
    Session.objects.create(
        session_key=f"k{n:039d}", session_data="x", user=user, expire_date=now + expires_in,
        created_at=now - created_ago, last_activity=now - active_ago,
    )


def test_session_figures(make_user, settings):
    settings.TIME_ZONE = "UTC"
    a, b, c = make_user(), make_user(), make_user()
    minutes = timedelta(minutes=1)
    session(1, a, 10 * minutes, 1 * minutes)   # active now
    session(2, a, 20 * minutes, 2 * minutes)   # a again: one distinct user
    session(3, b, 30 * minutes, 10 * minutes)  # active in the last 15
    session(4, c, 40 * minutes, 30 * minutes)  # active in the last 60
    session(5, c, 50 * minutes, 1 * minutes, expires_in=-minutes)  # expired: not active
    now = timezone.now()
    if timezone.localtime(now).hour == 0 and timezone.localtime(now).minute < 55:
        pytest.skip("sessions here start before midnight; the day's peak would be clipped")

    figures = analytics.compute(now)

    assert figures["active_sessions"] == 2
    assert figures["active_users"] == {"5": 1, "15": 2, "60": 3}
    # At -10 min sessions 1, 2, 3 and 5 are open (4 ended at -30).
    assert figures["peak_concurrent_today"] == 4
    assert figures["average_session_seconds"] == pytest.approx((9 + 18 + 20 + 10 + 49) * 60 / 5, abs=1)


def test_peak_sweep():
    t = timezone.now()
    m = timedelta(minutes=1)
    assert analytics.peak_concurrent([(t, t + 2 * m), (t + m, t + 3 * m), (t + 3 * m, t + 4 * m)], t) == 2
    assert analytics.peak_concurrent([], t) == 0


def test_analytics_are_cached(make_user, settings):
    settings.SESSIONS_EXT_ANALYTICS_CACHE = ()  # the default cache
    from django.core.cache import cache

    cache.delete(analytics.CACHE_KEY)
    first = analytics.session_analytics()
    session(9, make_user(), timedelta(minutes=5), timedelta(0))
    assert analytics.session_analytics() == first  # served from the cache
    cache.delete(analytics.CACHE_KEY)
    assert analytics.session_analytics()["active_sessions"] == first["active_sessions"] + 1


def test_plan_numbers_follow_the_machine():
    small = Machine(cpus=2, ram_bytes=4096 * MB, worker_rss_bytes=100 * MB, max_connections=100)
    result = plan(150, small)
    assert result.gunicorn_workers == 5 and result.celery_concurrency == 2
    assert result.db_pool_max == result.gunicorn_threads == 4
    assert result.total_connections == 5 * 4 + 2 * 2 + 1 + 5
    assert not result.warnings
    tight = Machine(cpus=16, ram_bytes=64 * 1024 * MB, worker_rss_bytes=100 * MB, max_connections=50)
    assert any("PgBouncer" in w for w in plan(50_000, tight).warnings)
    with pytest.raises(ValueError):
        plan(0, small)


def test_capacity_plan_command_prints_numbers_and_reasons():
    out = StringIO()
    call_command("capacity_plan", "--users", "150", stdout=out)
    text = out.getvalue()
    for label in ("gunicorn workers", "gunicorn threads", "DB pool per process", "DB connections total",
                  "Redis pool", "Celery concurrency", "Session timeout", "Why:", "Little's law"):
        assert label in text


@pytest.mark.postgres
def test_capacity_plan_reads_max_connections_from_postgresql():
    out = StringIO()
    call_command("capacity_plan", "--users", "150", stdout=out)
    assert "of max_connections" in out.getvalue() and "max_connections = " in out.getvalue()


@pytest.mark.urls("tests.sessions_ext.urls")
def test_staff_see_site_figures_on_their_sessions_page(make_user):
    from tests.sessions_ext.conftest import signed_in

    staff, member = make_user(is_staff=True), make_user()
    assert "Active sessions now" in signed_in(staff).get("/account/sessions/").content.decode()
    assert "Active sessions now" not in signed_in(member).get("/account/sessions/").content.decode()
